// Where the guest kernel wants to be entered: the virtual IDT (set_trap_table),
// the event upcall and failsafe callbacks (set_callbacks, callback_op, nmi_op),
// the ring-1 stack used when an exception or event interrupts ring 2/3
// (stack_switch), and the virtual CR0.TS (fpu_taskswitch).
// Selectors handed to Xen with RPL 0 are raised to RPL 1, as Xen does.
// A trap table longer than one batch is done with a hypercall continuation.
import { E, FLAT_KERNEL_CS } from '../../abi/xen';
import { CR0_TS } from '../../cpu/defs';
import { R } from '../../shared/layout';
import type { HcFn } from './types';

/** RPL 0 -> 1: the guest kernel runs in ring 1. */
export function fixRpl(sel: number): number {
  sel &= 0xffff;
  return (sel & 3) === 0 ? sel | 1 : sel;
}

const TRAP_BATCH = 256;

export const setTrapTable: HcFn = (x, ptr) => {
  const traps = x.v.traps;
  if (ptr === 0) {
    for (const t of traps) { t.cs = 0; t.eip = 0; t.flags = 0; }
    return 0;
  }
  for (let k = 0; k < TRAP_BATCH; k++) {
    const a = (ptr + k * 8) | 0;
    const vector = x.g.u8(a), flags = x.g.u8(a + 1), cs = x.g.u16(a + 2), eip = x.g.u32(a + 4);
    if (!x.g.ok || !x.g.range(a, 8)) return -E.EFAULT;
    if (eip === 0) return 0;
    const t = traps[vector];
    t.cs = fixRpl(cs);
    t.eip = eip;
    t.flags = flags;
  }
  return x.hv.continuation(x.v, (ptr + TRAP_BATCH * 8) | 0);
};

export const setCallbacks: HcFn = (x, eventCs, eventEip, failsafeCs, failsafeEip) => {
  const v = x.v;
  v.eventCs = fixRpl(eventCs);
  v.eventEip = eventEip;
  v.failsafeCs = fixRpl(failsafeCs);
  v.failsafeEip = failsafeEip;
  v.failsafeMasksEvents = false;
  return 0;
};

const CALLBACKOP_register = 0, CALLBACKOP_unregister = 1;
const CB_EVENT = 0, CB_FAILSAFE = 1, CB_SYSCALL = 2, CB_SYSENTER_DEPRECATED = 3, CB_NMI = 4, CB_SYSENTER = 5, CB_SYSCALL32 = 7;
const CALLBACKF_mask_events = 1;

export const callbackOp: HcFn = (x, cmd, arg) => {
  const v = x.v, g = x.g;
  if (cmd === CALLBACKOP_register) {
    const type = g.u16(arg), flags = g.u16(arg + 2), cs = g.u32(arg + 4), eip = g.u32(arg + 8);
    if (!g.ok) return -E.EFAULT;
    switch (type) {
      case CB_EVENT: v.eventCs = fixRpl(cs); v.eventEip = eip; return 0;
      case CB_FAILSAFE:
        v.failsafeCs = fixRpl(cs); v.failsafeEip = eip;
        v.failsafeMasksEvents = (flags & CALLBACKF_mask_events) !== 0;
        return 0;
      case CB_NMI: v.traps[2] = { cs: FLAT_KERNEL_CS, eip, flags: 4 }; return 0;
      case CB_SYSENTER: v.sysenterCs = fixRpl(cs); v.sysenterEip = eip; v.sysenterMasks = (flags & CALLBACKF_mask_events) !== 0; return 0;
      case CB_SYSCALL32: v.syscall32Cs = fixRpl(cs); v.syscall32Eip = eip; return 0;
      case CB_SYSCALL: case CB_SYSENTER_DEPRECATED: return -E.ENOSYS;
      default: return -E.EINVAL;
    }
  }
  if (cmd === CALLBACKOP_unregister) {
    const type = g.u16(arg);
    if (!g.ok) return -E.EFAULT;
    switch (type) {
      case CB_EVENT: case CB_FAILSAFE: return -E.EINVAL;
      case CB_NMI: v.traps[2] = { cs: 0, eip: 0, flags: 0 }; return 0;
      case CB_SYSENTER: v.sysenterCs = 0; v.sysenterEip = 0; return 0;
      case CB_SYSCALL32: v.syscall32Cs = 0; v.syscall32Eip = 0; return 0;
      case CB_SYSCALL: case CB_SYSENTER_DEPRECATED: return -E.ENOSYS;
      default: return -E.EINVAL;
    }
  }
  return -E.EINVAL;
};

export const nmiOp: HcFn = (x, cmd, arg) => {
  if (cmd === 0) {
    const eip = x.g.u32(arg);
    if (!x.g.ok) return -E.EFAULT;
    x.v.traps[2] = { cs: FLAT_KERNEL_CS, eip, flags: 4 };
    return 0;
  }
  if (cmd === 1) {
    x.v.traps[2] = { cs: 0, eip: 0, flags: 0 };
    return 0;
  }
  return -E.ENOSYS;
};

export const stackSwitch: HcFn = (x, ss, esp) => {
  x.v.kernelSs = fixRpl(ss);
  x.v.kernelSp = esp;
  return 0;
};

export const fpuTaskswitch: HcFn = (x, set) => {
  const r = x.v.cpu.r;
  x.v.virtualTs = set !== 0;
  r[R.CR0] = set !== 0 ? r[R.CR0] | CR0_TS : r[R.CR0] & ~CR0_TS;
  return 0;
};
