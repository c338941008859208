// Bounce frames: how Xen enters a 32-bit PV guest's exception, event and
// failsafe handlers (xen-pv32-abi.md 6.9, 6.11, 6.12). The frame goes on the
// guest kernel's stack: the current one if the guest was in ring 1, else
// kernel_ss:kernel_sp (stack_switch) with the interrupted SS:ESP pushed too.
//
//   [error code] EIP, CS | saved upcall mask << 16 | vcpu_info byte 2 << 24,
//   EFLAGS (IF = !saved mask; IOPL virtual only with architectural_iopl),
//   [ESP, SS if from ring 2/3]
//
// A null handler selector, or any fault writing the frame, crashes the domain:
// the PV equivalent of a triple fault.
import { R, SEG_CS, SEG_SS } from '../../shared/layout';
import { VMASST } from '../../abi/xen';
import { getEflags } from '../../cpu/flags';
import { IF, IOPL, NT, RF, TF, VM } from '../../cpu/defs';
import { GuestMem } from '../guestmem';
import { pvLoadSeg } from '../desc';
import type { Domain } from '../domain';
import type { Vcpu } from '../vcpu';

/** Vectors whose exceptions push an error code (X86_EXC_HAVE_EC). */
export const HAS_ERROR_CODE = (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30);

export interface BounceTarget {
  cs: number;
  eip: number;
  /** Set the upcall mask on entry (TI_SET_IF / TBF_INTERRUPT). */
  maskEvents: boolean;
}

/**
 * Enter `t` with a bounce frame for the vcpu's current state, EIP being
 * whatever the guest should return to. `error` < 0: no error code. Returns an
 * error string when the domain must be crashed, else null.
 */
export function bounce(dom: Domain, v: Vcpu, t: BounceTarget, error: number): string | null {
  const c = v.cpu, r = c.r, m8 = c.m8;
  if ((t.cs & 0xfffc) === 0) return `no handler registered (cs 0) for a bounce at eip ${hex(r[R.EIP])}`;
  const info = v.vcpuInfoAddr;
  const savedMask = m8[info + 1], byte2 = m8[info + 2];
  const oldCs = r[R.SEG + SEG_CS * 4] & 0xffff;
  const fromUser = (oldCs & 2) !== 0;
  let flags = getEflags(r) & ~(IF | IOPL);
  if (!savedMask) flags |= IF;
  if (dom.vmAssistEnabled(VMASST.ARCHITECTURAL_IOPL)) flags |= (v.iopl & 3) << 12;
  const csWord = oldCs | (savedMask << 16) | (byte2 << 24);

  // The interrupted stack, captured before SS is switched.
  const oldSs = r[R.SEG + SEG_SS * 4] & 0xffff, oldEsp = r[R.ESP];
  let ssBase: number, sp: number;
  if (fromUser) {
    if (!pvLoadSeg(v, c.m32, SEG_SS, v.kernelSs)) return `kernel stack selector ${hex(v.kernelSs)} is unusable`;
    ssBase = r[R.SEG + SEG_SS * 4 + 1];
    sp = v.kernelSp;
  } else {
    ssBase = r[R.SEG + SEG_SS * 4 + 1];
    sp = r[R.ESP];
  }
  const g = new GuestMem(c);
  g.limit = 0x100000000;
  const push = (val: number) => {
    sp = (sp - 4) | 0;
    g.setU32((ssBase + sp) | 0, val);
  };
  if (fromUser) {
    push(oldSs);
    push(oldEsp);
  }
  push(flags);
  push(csWord);
  push(r[R.EIP]);
  if (error >= 0) push(error);
  if (!g.ok) return `fault writing a bounce frame at ${hex((ssBase + sp) | 0)}`;

  if (t.maskEvents) m8[info + 1] = 1;
  if (!pvLoadSeg(v, c.m32, SEG_CS, t.cs)) return `handler selector ${hex(t.cs)} is unusable`;
  r[R.ESP] = sp;
  r[R.EIP] = t.eip;
  r[R.EFLAGS] = (flags & ~(VM | RF | NT | TF | IOPL)) | IF;
  r[R.LF_OP] = 0;
  c.setCpl(t.cs & 3);
  return null;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
