// physdev_op for an unprivileged domain: the virtual IOPL (set_iopl) and the
// I/O permission bitmap (set_iobitmap) that the emulation of IN/OUT in ring 1
// consults. Everything about physical interrupts and PCI needs privileges a
// domU does not have: -EPERM. Unknown commands: -ENOSYS.
import { E } from '../../abi/xen';
import type { HcFn } from './types';

const SET_IOPL = 6, SET_IOBITMAP = 7;
const PRIVILEGED = new Set([5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 23, 24, 28]);

export const physdevOp: HcFn = (x, cmd, arg) => {
  const g = x.g;
  switch (cmd) {
    case SET_IOPL: {
      const iopl = g.u32(arg);
      if (!g.ok) return -E.EFAULT;
      if (iopl >>> 0 > 3) return -E.EINVAL;
      x.v.iopl = iopl;
      return 0;
    }
    case SET_IOBITMAP: {
      const bitmap = g.u32(arg), ports = g.u32(arg + 4);
      if (!g.ok) return -E.EFAULT;
      if (ports >>> 0 > 65536) return -E.EINVAL;
      x.dom.ioBitmap = bitmap;
      x.dom.ioBitmapPorts = ports;
      return 0;
    }
    default:
      return PRIVILEGED.has(cmd) ? -E.EPERM : -E.ENOSYS;
  }
};

/** The legacy form: a pointer to {cmd u32, union} with the union at offset 4. */
export const physdevOpCompat: HcFn = (x, ptr) => {
  const cmd = x.g.u32(ptr);
  if (!x.g.ok) return -E.EFAULT;
  return physdevOp(x, cmd, (ptr + 4) | 0, 0, 0, 0);
};
