// vm_assist: turn on or off the helps Xen offers PV guests. For a 32-bit guest
// types 0-5 are valid: 4 GiB segments (accepted, no effect on 64-bit Xen),
// writable page tables (trap-and-emulate L1 writes), extended CR3, architectural
// IOPL, and the runstate update flag. Anything else is -EINVAL; an unknown
// command is -ENOSYS.
import { E, VMASST_VALID_PV32 } from '../../abi/xen';
import type { HcFn } from './types';

export const vmAssist: HcFn = (x, cmd, type) => {
  if (cmd !== 0 && cmd !== 1) return -E.ENOSYS;
  if (type >>> 0 >= 32 || !((VMASST_VALID_PV32 >>> type) & 1)) return -E.EINVAL;
  if (cmd === 0) x.dom.vmAssist |= 1 << type;
  else x.dom.vmAssist &= ~(1 << type);
  return 0;
};
