// sysctl: the toolstack's system-wide control hypercall. In pvplay the
// toolstack is domain 0's TypeScript services, so no x86 guest is ever
// privileged: every sysctl is refused, in Xen's order. Xen first copies the
// whole struct xen_sysctl in (-EFAULT), then compares interface_version with
// its own (-EACCES, which is how guests probe the version), then asks XSM,
// whose default policy refuses a domain without control rights (-EPERM).
// Which sub-op was asked for never matters to an unprivileged caller.
import { E } from '../../abi/xen';
import type { HcFn } from './types';

/** XEN_SYSCTL_INTERFACE_VERSION of the Xen we present (4.23). */
export const SYSCTL_INTERFACE_VERSION = 0x16;
/** sizeof(struct xen_sysctl): cmd, interface_version, then a 128-byte union. */
export const SYSCTL_SIZE = 136;
const OFF_INTERFACE_VERSION = 4;

export const sysctl: HcFn = (x, op) => {
  const bytes = x.g.read(op, SYSCTL_SIZE);
  if (!bytes) return -E.EFAULT;
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint32(OFF_INTERFACE_VERSION, true);
  if (version !== SYSCTL_INTERFACE_VERSION) return -E.EACCES;
  return -E.EPERM;
};
