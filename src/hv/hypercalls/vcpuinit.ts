// VCPUOP_initialise: give a not-yet-started vcpu its whole context from a
// vcpu_guest_context (2800 bytes for x86_32, xen-pv32-abi.md 3.8). Xen refuses
// EFLAGS.VM, a misaligned or oversized LDT, more than 16 GDT frames and unknown
// vm_assist bits, and raises RPL 0 to 1 on every selector it is given.
import { E } from '../../abi/xen';
import type { Vcpu } from '../vcpu';
import type { HcCtx } from './types';

export const CTX_SIZE = 2800;

export function vcpuInitialise(x: HcCtx, target: Vcpu, arg: number): number {
  if (target.initialised) return -E.EEXIST;
  const b = x.g.read(arg, CTX_SIZE);
  if (!b) return -E.EFAULT;
  return x.hv.initialiseVcpu(x.dom, target, new DataView(b.buffer));
}
