// Delivering exceptions and interrupts, out of line from the run loop. An
// intercepted vector leaves run() with the details in the register file (the
// PV hypervisor intercepts them all and builds Xen's bounce frames itself);
// anything else goes through the IDT as a protected-mode processor does it:
// interrupt and trap gates, 16- and 32-bit, with the stack switch through the
// TSS on a privilege change. Task gates are not supported (#GP).
import { R, SEG_CS, SEG_SS } from '../shared/layout';
import type { Cpu } from './cpu';
import { push16, push32, sysRd16, sysRd32, sysWr16, sysWr32 } from './access';
import { DF_, EXIT_EXCEPTION, EXIT_SHUTDOWN, EXIT_SOFTINT, GP, IF, NP, NT, RF, SS_, TF, TS, VM } from './defs';
import { NOERR, raise } from './exceptions';
import { getEflags } from './flags';
import { descAttr, descBase, descLimit, fetchDescriptor } from './segments';

const CONTRIBUTORY = (1 << 0) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13);

/** Deliver c.pending (raised by the instruction that just ran). Returns an exit reason or 0. */
export function deliverPending(c: Cpu): number {
  const p = c.pending;
  return deliver(c, p.vector, p.error, p.soft, 0);
}

/** Deliver the pending external interrupt R.PENDING_IRQ. */
export function deliverExternal(c: Cpu): number {
  const v = c.r[R.PENDING_IRQ];
  c.r[R.PENDING_IRQ] = -1;
  return deliver(c, v, NOERR, false, 1);
}

function deliver(c: Cpu, vector: number, error: number, soft: boolean, ext: number): number {
  const r = c.r;
  let vec = vector, err = error;
  for (;;) {
    if (soft ? c.interceptInt[vec] : vec < 32 && ext === 0 && (c.interceptExc >>> vec) & 1) {
      r[R.EXIT_VECTOR] = vec;
      r[R.EXIT_ERROR] = err;
      if (!soft) r[R.EXIT_EIP] = r[R.EIP];
      r[R.EXIT_REASON] = soft ? EXIT_SOFTINT : EXIT_EXCEPTION;
      return r[R.EXIT_REASON];
    }
    deliverIdt(c, vec, err, soft, ext);
    if (!c.fault) return 0;
    const v2 = c.pending.vector, e2 = c.pending.error;
    c.fault = 0;
    c.exit = 0;
    if (vec === DF_) return EXIT_SHUTDOWN;
    const first = vec === 14 ? 2 : (CONTRIBUTORY >>> vec) & 1;
    const second = v2 === 14 ? 2 : (CONTRIBUTORY >>> v2) & 1;
    if ((first === 1 && second === 1) || (first === 2 && second !== 0)) { vec = DF_; err = 0; }
    else { vec = v2; err = e2; }
    soft = false;
  }
}

/** Deliver one vector through the IDT. Faults during delivery are raised, not handled here. */
export function deliverIdt(c: Cpu, vec: number, err: number, soft: boolean, ext: number): void {
  const r = c.r;
  const idtErr = vec * 8 + 2 + ext;
  if (vec * 8 + 7 > (r[R.IDTR_LIMIT] >>> 0)) return raise(c, GP, idtErr);
  const ga = (r[R.IDTR_BASE] + vec * 8) | 0;
  const lo = sysRd32(c, ga); if (c.fault) return;
  const hi = sysRd32(c, (ga + 4) | 0); if (c.fault) return;
  const type = (hi >> 8) & 0x1f;
  const gate32 = type === 0x0e || type === 0x0f;
  if (!gate32 && type !== 0x06 && type !== 0x07) return raise(c, GP, idtErr);
  const cpl = r[R.CPL];
  if (soft && ((hi >> 13) & 3) < cpl) return raise(c, GP, vec * 8 + 2);
  if (!(hi & 0x8000)) return raise(c, NP, idtErr);
  const sel = lo >>> 16;
  const offset = gate32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((sel & 0xfffc) === 0) return raise(c, GP, ext);
  if (!fetchDescriptor(c, sel, GP, ext)) return;
  const cLo = c.descLo, cHi = c.descHi;
  const cdpl = (cHi >> 13) & 3;
  if ((cHi & 0x1800) !== 0x1800 || cdpl > cpl) return raise(c, GP, (sel & 0xfffc) | ext);
  if (!(cHi & 0x8000)) return raise(c, NP, (sel & 0xfffc) | ext);
  const conforming = (cHi & 0x400) !== 0;
  const flags = getEflags(r);
  const oldCs = r[R.SEG + SEG_CS * 4], oldEip = r[R.EIP];
  const hasErr = err !== NOERR;
  if (!conforming && cdpl < cpl) {
    // Inter-privilege: new SS:ESP from the TSS, old SS:ESP pushed first.
    const tss32 = (r[R.TR + 3] & 0x8) !== 0;
    const trBase = r[R.TR + 1], trLimit = r[R.TR + 2] >>> 0;
    const spOff = tss32 ? 4 + cdpl * 8 : 2 + cdpl * 4;
    const ssOff = tss32 ? 8 + cdpl * 8 : 4 + cdpl * 4;
    if (ssOff + 1 > trLimit) return raise(c, TS, (r[R.TR] & 0xfffc) | ext);
    const newSp = tss32 ? sysRd32(c, (trBase + spOff) | 0) : sysRd16(c, (trBase + spOff) | 0);
    if (c.fault) return;
    const newSs = sysRd16(c, (trBase + ssOff) | 0);
    if (c.fault) return;
    if ((newSs & 0xfffc) === 0) return raise(c, TS, ext);
    if (!fetchDescriptor(c, newSs, TS, ext)) return;
    const sLo = c.descLo, sHi = c.descHi;
    if ((newSs & 3) !== cdpl || ((sHi >> 13) & 3) !== cdpl || (sHi & 0x1a00) !== 0x1200) {
      return raise(c, TS, (newSs & 0xfffc) | ext);
    }
    if (!(sHi & 0x8000)) return raise(c, SS_, (newSs & 0xfffc) | ext);
    const ssBase = descBase(sLo, sHi), ssLimit = descLimit(sLo, sHi) >>> 0, ss32 = (sHi & 0x400000) !== 0;
    const words = [r[R.SEG + SEG_SS * 4], r[R.ESP], flags, oldCs, oldEip];
    if (hasErr) words.push(err);
    const w = gate32 ? 4 : 2;
    let sp = newSp;
    for (const v of words) {
      sp = ss32 ? (sp - w) | 0 : (sp & ~0xffff) | ((sp - w) & 0xffff);
      const off = ss32 ? sp >>> 0 : sp & 0xffff;
      // Expand-up stack segments only: a stack below its limit is #SS.
      if (off + w - 1 > ssLimit) return raise(c, SS_, ext);
      if (gate32) sysWr32(c, (ssBase + off) | 0, v); else sysWr16(c, (ssBase + off) | 0, v);
      if (c.fault) return;
    }
    c.setSeg(SEG_SS, (newSs & 0xfffc) | cdpl, ssBase, descLimit(sLo, sHi), descAttr(sHi));
    r[R.ESP] = sp;
  } else {
    // Same privilege (or a conforming segment): push onto the current stack.
    const push = gate32 ? push32 : push16;
    const espBefore = r[R.ESP];
    push(c, flags);
    push(c, oldCs);
    push(c, oldEip);
    if (hasErr) push(c, err);
    if (c.fault) { r[R.ESP] = espBefore; return; }
  }
  const newCpl = conforming ? cpl : cdpl;
  c.setSeg(SEG_CS, (sel & 0xfffc) | newCpl, descBase(cLo, cHi), descLimit(cLo, cHi), descAttr(cHi));
  c.setCpl(newCpl);
  r[R.EIP] = offset;
  let f = flags & ~(TF | NT | RF | VM);
  if (type === 0x0e || type === 0x06) f &= ~IF;
  r[R.EFLAGS] = f;
  r[R.LF_OP] = 0;
}
