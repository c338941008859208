// set_debugreg / get_debugreg: the guest's view of DR0-DR7. Values are checked
// as the hardware would (addresses must be below the hypervisor hole, DR7 must
// not enable I/O breakpoints or set reserved bits) and stored; breakpoints do
// not fire in pvplay yet, which we say in docs/hypervisor.md.
import { E, HYPERVISOR_VIRT_START } from '../../abi/xen';
import type { HcFn } from './types';

export const setDebugreg: HcFn = (x, reg, value) => {
  const v = value >>> 0;
  switch (reg) {
    case 0: case 1: case 2: case 3:
      if (v > HYPERVISOR_VIRT_START - 4) return -E.EPERM;
      break;
    case 6:
      break;
    case 7:
      // Bit 10 reads as one; bits 11-12, 14-15 are reserved; R/W = 10b (I/O) needs CR4.DE.
      if (v & 0xd800) return -E.EINVAL;
      for (let n = 0; n < 4; n++) if (((v >>> (16 + 4 * n)) & 3) === 2) return -E.EPERM;
      break;
    default:
      return -E.ENODEV;
  }
  x.v.debugregs[reg] = reg === 6 ? (v | 0xffff0ff0) | 0 : reg === 7 ? (v | 0x400) | 0 : v | 0;
  return 0;
};

export const getDebugreg: HcFn = (x, reg) => {
  if (reg >>> 0 > 7 || reg === 4 || reg === 5) return -E.ENODEV;
  return x.v.debugregs[reg];
};
