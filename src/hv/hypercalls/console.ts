// console_io: the hypervisor's own console. CONSOLEIO_write copies the guest's
// bytes to the hypervisor console (the "Xen" console pane in the UI, stdout in
// the CLI). Deliberate difference from Xen: every domain may write here, not
// just dom0 and debug builds, because a teaching machine wants early output
// from any guest. CONSOLEIO_read is refused to domUs (-EPERM), as in Xen.
// Long writes are done in chunks with a hypercall continuation, as Xen does.
import { E } from '../../abi/xen';
import type { HcFn } from './types';

export const CONSOLEIO_write = 0, CONSOLEIO_read = 1;
const CHUNK = 4096;

export const consoleIo: HcFn = (x, cmd, count, buffer) => {
  switch (cmd) {
    case CONSOLEIO_write: {
      const n = count | 0;
      if (n <= 0) return 0;
      const len = Math.min(n, CHUNK);
      const bytes = x.g.read(buffer, len);
      if (!bytes) return -E.EFAULT;
      x.hv.consoleWrite(x.dom.id, bytes);
      if (n > len) return x.hv.continuation(x.v, cmd, n - len, (buffer + len) | 0);
      return 0;
    }
    case CONSOLEIO_read:
      return -E.EPERM;
    default:
      return -E.ENOSYS;
  }
};
