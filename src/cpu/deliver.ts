// Delivering exceptions and interrupts, out of line from the run loop. An
// intercepted vector leaves run() with the details in the register file (the
// PV hypervisor intercepts them all and builds Xen's bounce frames itself);
// anything else goes through the IDT as a protected-mode processor does it
// (Intel SDM vol. 3, 6.12-6.15, and the INT n pseudo-code in vol. 2):
// interrupt and trap gates, 16- and 32-bit, with the stack switch through the
// TSS on a privilege change, and the double-fault rules for faults raised
// while delivering.
//
// Error codes of faults raised during delivery carry EXT (bit 0) for
// everything but INT n / INT3 / INTO, and IDT (bit 1) when they name a gate.
// A fault while delivering a software interrupt is a fault of the INT
// instruction itself: EIP goes back to it and it does not count as retired.
//
// Not modelled: task gates (no task switching: a present task gate raises
// #GP(0) instead), virtual-8086 mode (EFLAGS.VM is never set), and RF in the
// pushed EFLAGS image of faults (no instruction breakpoints to suppress).
import { R, SEG_CS, SEG_SS } from '../shared/layout';
import type { Cpu } from './cpu';
import { sysRd32 } from './access';
import { DF_, EXIT_EXCEPTION, EXIT_SHUTDOWN, EXIT_SOFTINT, GP, IF, NP, NT, PF_, RF, SS_, TF, VM } from './defs';
import { NOERR, raise } from './exceptions';
import { getEflags } from './flags';
import {
  D_CODE, D_EC, D_P, D_S, descAttr, descBase, descDpl, descLimit, fetchDescriptor, frameFits, frameVals,
  markAccessed, readTssStack, setSegDesc, tssStack, writeFrame,
} from './segments';

const CONTRIBUTORY = (1 << 0) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13);

/** What is being delivered: an exception, INT n/INT3/INTO, INT1 (ICEBP), an external interrupt. */
const K_EXC = 0, K_SOFT = 1, K_INT1 = 2, K_EXT = 3;

/** Deliver c.pending (raised by the instruction that just ran). Returns an exit reason or 0. */
export function deliverPending(c: Cpu): number {
  const p = c.pending;
  const kind = !p.soft ? K_EXC : p.int1 ? K_INT1 : K_SOFT;
  p.int1 = false;
  return deliver(c, p.vector, p.error, kind);
}

/** Deliver the pending external interrupt R.PENDING_IRQ. */
export function deliverExternal(c: Cpu): number {
  const v = c.r[R.PENDING_IRQ];
  c.r[R.PENDING_IRQ] = -1;
  return deliver(c, v, NOERR, K_EXT);
}

/** Double-fault class of a first or second event: 0 benign, 1 contributory, 2 page fault. */
function faultClass(kind: number, vec: number): number {
  if (kind !== K_EXC || vec >= 32) return 0;
  return vec === PF_ ? 2 : (CONTRIBUTORY >>> vec) & 1;
}

function deliver(c: Cpu, vector: number, error: number, kind0: number): number {
  const r = c.r;
  let vec = vector, err = error, kind = kind0;
  for (;;) {
    // Soft interrupts are intercepted by vector (interceptInt); exceptions and
    // INT1 by interceptExc; external interrupts never (the embedder raised them).
    const intercepted = kind === K_SOFT ? c.interceptInt[vec] !== 0
      : kind !== K_EXT && vec < 32 && ((c.interceptExc >>> vec) & 1) !== 0;
    if (intercepted) {
      r[R.EXIT_VECTOR] = vec;
      r[R.EXIT_ERROR] = err;
      // Soft interrupts and INT1 are traps: the run loop already set EXIT_EIP to
      // the instruction and EIP to the next one.
      if (kind === K_EXC) r[R.EXIT_EIP] = r[R.EIP];
      r[R.EXIT_REASON] = kind === K_SOFT ? EXIT_SOFTINT : EXIT_EXCEPTION;
      return r[R.EXIT_REASON];
    }
    deliverIdt(c, vec, err, kind === K_SOFT, kind === K_SOFT ? 0 : 1);
    if (!c.fault) return 0;
    const v2 = c.pending.vector, e2 = c.pending.error;
    c.fault = 0;
    c.exit = 0;
    if (kind === K_SOFT || kind === K_INT1) {
      // The INT instruction faults instead of completing.
      r[R.EIP] = r[R.EXIT_EIP];
      c.icount--;
    }
    if (kind === K_EXC && vec === DF_) return EXIT_SHUTDOWN;
    const first = faultClass(kind, vec), second = faultClass(K_EXC, v2);
    if ((first === 1 && second === 1) || (first === 2 && second !== 0)) { vec = DF_; err = 0; }
    else { vec = v2; err = e2; }
    kind = K_EXC;
  }
}

/**
 * Deliver one vector through the IDT (SDM vol. 2, INT n pseudo-code, protected
 * mode). `soft`: INT n / INT3 / INTO (the gate's DPL must be >= CPL). `ext`:
 * the EXT bit for error codes. Faults during delivery are raised, not handled
 * here, and leave every register as it was.
 */
export function deliverIdt(c: Cpu, vec: number, err: number, soft: boolean, ext: number): void {
  const r = c.r;
  const idtErr = vec * 8 + 2 + ext;
  if (vec * 8 + 7 > (r[R.IDTR_LIMIT] >>> 0)) return raise(c, GP, idtErr);
  const ga = (r[R.IDTR_BASE] + vec * 8) | 0;
  const lo = sysRd32(c, ga); if (c.fault) return;
  const hi = sysRd32(c, (ga + 4) | 0); if (c.fault) return;
  const type = (hi >> 8) & 0x1f;
  const gate32 = type === 0x0e || type === 0x0f;
  if (!gate32 && type !== 0x06 && type !== 0x07 && type !== 0x05) return raise(c, GP, idtErr);
  const cpl = r[R.CPL];
  if (soft && descDpl(hi) < cpl) return raise(c, GP, vec * 8 + 2);
  if (!(hi & D_P)) return raise(c, NP, idtErr);
  // No task switching: a task gate raises #GP(0) where the processor would switch tasks.
  if (type === 0x05) return raise(c, GP, 0);
  const sel = lo >>> 16;
  const offset = gate32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((sel & 0xfffc) === 0) return raise(c, GP, ext);
  if (!fetchDescriptor(c, sel, GP, ext)) return;
  const cLo = c.descLo, cAddr = c.descAddr;
  let cHi = c.descHi;
  const cdpl = descDpl(cHi), selErr = (sel & 0xfffc) | ext;
  if ((cHi & (D_S | D_CODE)) !== (D_S | D_CODE) || cdpl > cpl) return raise(c, GP, selErr);
  if (!(cHi & D_P)) return raise(c, NP, selErr);
  const csLimit = descLimit(cLo, cHi) >>> 0;
  const flags = getEflags(r);
  const inner = !(cHi & D_EC) && cdpl < cpl;
  const w = gate32 ? 4 : 2;
  let n = 0;
  if (inner) { frameVals[n++] = r[R.SEG + SEG_SS * 4]; frameVals[n++] = r[R.ESP]; }
  frameVals[n++] = flags;
  frameVals[n++] = r[R.SEG + SEG_CS * 4];
  frameVals[n++] = r[R.EIP];
  if (err !== NOERR) frameVals[n++] = err;
  if (inner) {
    // Inter-privilege: the new SS:ESP comes from the TSS; old SS:ESP is pushed first.
    if (!readTssStack(c, cdpl, ext)) return;
    const ss = tssStack.ss, sLo = c.descLo, sAddr = c.descAddr;
    let sHi = c.descHi;
    const ssBase = descBase(sLo, sHi), ssLimit = descLimit(sLo, sHi), ssAttr = descAttr(sHi);
    if (!frameFits(n, w, tssStack.sp, ssLimit, ssAttr)) return raise(c, SS_, (ss & 0xfffc) | ext);
    if ((offset >>> 0) > csLimit) return raise(c, GP, ext);
    const sp = writeFrame(c, n, w, tssStack.sp, ssBase, ssAttr, true); if (c.fault) return;
    sHi = markAccessed(c, sAddr, sHi); if (c.fault) return;
    cHi = markAccessed(c, cAddr, cHi); if (c.fault) return;
    setSegDesc(c, SEG_SS, ss, sLo, sHi);
    r[R.ESP] = sp;
  } else {
    // Same privilege (or a conforming segment): onto the current stack. A
    // limit violation there is #SS with a null selector and EXT.
    const o = R.SEG + SEG_SS * 4;
    if (!frameFits(n, w, r[R.ESP], r[o + 2], r[o + 3])) return raise(c, SS_, ext);
    if ((offset >>> 0) > csLimit) return raise(c, GP, ext);
    const sp = writeFrame(c, n, w, r[R.ESP], r[o + 1], r[o + 3], false); if (c.fault) return;
    cHi = markAccessed(c, cAddr, cHi); if (c.fault) return;
    r[R.ESP] = sp;
  }
  const newCpl = inner ? cdpl : cpl;
  setSegDesc(c, SEG_CS, (sel & 0xfffc) | newCpl, cLo, cHi);
  c.setCpl(newCpl);
  r[R.EIP] = offset;
  let f = flags & ~(TF | NT | RF | VM);
  if (type === 0x0e || type === 0x06) f &= ~IF;
  r[R.EFLAGS] = f;
  r[R.LF_OP] = 0;
}
