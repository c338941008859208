// Far control transfers between code segments and privilege levels, after the
// protected-mode pseudo-code of JMP, CALL, RET and IRET in the Intel SDM vol. 2:
// far JMP/CALL to a code segment (conforming or not) or through a 16/32-bit
// call gate (CALL to a more privileged non-conforming segment switches to the
// TSS stack and copies the gate's parameter count of words/dwords), far RET
// and IRET to the same or an outer privilege level (SS:ESP popped; ES/DS/FS/GS
// nulled when the new CPL may not use them).
//
// Every target is checked before anything changes: a null selector is #GP(0);
// type, DPL and RPL violations #GP(sel); not present #NP(sel); an EIP beyond
// the new CS limit #GP(0); stack overflows #SS(0) on the current stack and
// #SS(new SS) on a new one. Selector error codes are `sel & 0xfffc`.
//
// Not modelled: task switching. A far JMP/CALL to an available TSS or a task
// gate raises #GP(0) (after the gate's own DPL and present checks) where the
// processor would switch tasks, and IRET with NT set raises #GP(0) where it
// would return to the previous task. There is no virtual-8086 mode either:
// IRET at CPL 0 popping an EFLAGS image with VM set raises #GP(0).
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { peek16, peek32, rd16, rd32, spAdd } from '../access';
import {
  AC, AF, CF, DF, FLAGS_FIXED, GP, ID, IF, IOPL, NP, NT, OF, PF, RF, SF, SS_, TF, VIF, VIP, VM, ZF,
} from '../defs';
import { raise, raiseGP, raiseUD } from '../exceptions';
import { getEflags } from '../flags';
import {
  D_CODE, D_DB, D_EC, D_P, D_RW, D_S, descAttr, descBase, descDpl, descLimit, fetchDescriptor, frameFits, frameVals,
  loadNullSeg, markAccessed, readTssStack, setSegDesc, tssStack, writeFrame,
} from '../segments';
import type { Handler, OpRow } from '../table';
import { ea } from './helpers';

/**
 * For near JMP/CALL/RET/Jcc: raise #GP(0) when the target EIP lies beyond the
 * CS limit (the branch faults, not the fetch at the target). A flat CS has
 * limit 0xffffffff, so this never fires there. Returns false after raising.
 */
export function nearTargetOk(c: Cpu, eip: number): boolean {
  if ((eip >>> 0) > (c.r[R.SEG + SEG_CS * 4 + 2] >>> 0)) { raiseGP(c, 0); return false; }
  return true;
}

/** Call-gate parameters read from the caller's stack (at most 31). */
const params = new Int32Array(32);
const DATA_SEGS = [SEG_ES, SEG_DS, SEG_FS, SEG_GS];

// ---- Far JMP and CALL ----

/** Far JMP (call = false) or CALL to sel:off with the instruction's operand size. */
function farJmpCall(c: Cpu, sel: number, off: number, o16: boolean, call: boolean): void {
  const cpl = c.r[R.CPL];
  sel &= 0xffff;
  if ((sel & 0xfffc) === 0) return raiseGP(c, 0);
  if (!fetchDescriptor(c, sel, GP)) return;
  const lo = c.descLo, hi = c.descHi, addr = c.descAddr;
  const dpl = descDpl(hi), rpl = sel & 3, err = sel & 0xfffc;
  if (hi & D_S) {
    if (!(hi & D_CODE)) return raiseGP(c, err);
    // Conforming: DPL <= CPL. Non-conforming: RPL <= CPL and DPL == CPL.
    if (hi & D_EC ? dpl > cpl : rpl > cpl || dpl !== cpl) return raiseGP(c, err);
    if (!(hi & D_P)) return raise(c, NP, err);
    return toCode(c, sel, lo, hi, addr, o16 ? off & 0xffff : off, call ? (o16 ? 2 : 4) : 0);
  }
  const type = (hi >> 8) & 0xf;
  if (type === 0x4 || type === 0xc) return throughGate(c, sel, lo, hi, call);
  if (type === 0x5 || type === 0x1 || type === 0x9) {
    // Task gate or available TSS: checked, then #GP(0) instead of a task switch.
    if (dpl < cpl || dpl < rpl) return raiseGP(c, err);
    if (!(hi & D_P)) return raise(c, NP, err);
    return raiseGP(c, 0);
  }
  return raiseGP(c, err);
}

/**
 * Same-privilege transfer to the code segment (lo, hi at addr): CS's RPL
 * becomes CPL. `w` = 0 for JMP, else the width of the CS and EIP slots that
 * CALL pushes on the current stack (#SS(0) when they do not fit).
 */
function toCode(c: Cpu, sel: number, lo: number, hi: number, addr: number, eip: number, w: number): void {
  const r = c.r, ss = R.SEG + SEG_SS * 4;
  if (w) {
    frameVals[0] = r[R.SEG + SEG_CS * 4];
    frameVals[1] = c.nextEip;
    if (!frameFits(2, w, r[R.ESP], r[ss + 2], r[ss + 3])) return raise(c, SS_, 0);
  }
  if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
  let sp = r[R.ESP];
  if (w) { sp = writeFrame(c, 2, w, sp, r[ss + 1], r[ss + 3], false); if (c.fault) return; }
  const h = markAccessed(c, addr, hi); if (c.fault) return;
  r[R.ESP] = sp;
  setSegDesc(c, SEG_CS, (sel & 0xfffc) | r[R.CPL], lo, h);
  c.nextEip = eip;
}

/** Far JMP or CALL through the call gate (glo, ghi) named by selector gsel. */
function throughGate(c: Cpu, gsel: number, glo: number, ghi: number, call: boolean): void {
  const r = c.r, cpl = r[R.CPL];
  const gerr = gsel & 0xfffc, gdpl = descDpl(ghi);
  if (gdpl < cpl || gdpl < (gsel & 3)) return raiseGP(c, gerr);
  if (!(ghi & D_P)) return raise(c, NP, gerr);
  const gate32 = (ghi & 0x800) !== 0;
  const sel = glo >>> 16;
  const eip = gate32 ? (glo & 0xffff) | (ghi & 0xffff0000) : glo & 0xffff;
  if ((sel & 0xfffc) === 0) return raiseGP(c, 0);
  if (!fetchDescriptor(c, sel, GP)) return;
  const lo = c.descLo, hi = c.descHi, addr = c.descAddr, dpl = descDpl(hi), err = sel & 0xfffc;
  if ((hi & (D_S | D_CODE)) !== (D_S | D_CODE)) return raiseGP(c, err);
  // CALL may go to any DPL <= CPL; JMP stays at CPL (conforming DPL <= CPL, else DPL == CPL).
  if (call || hi & D_EC ? dpl > cpl : dpl !== cpl) return raiseGP(c, err);
  if (!(hi & D_P)) return raise(c, NP, err);
  const w = gate32 ? 4 : 2;
  if (!call || hi & D_EC || dpl === cpl) return toCode(c, sel, lo, hi, addr, eip, call ? w : 0);

  // CALL to a more privileged non-conforming segment: new stack from the TSS,
  // then old SS, old ESP, the parameters (same order as on the caller's
  // stack), old CS and the return EIP, in slots of the gate's size.
  const count = ghi & 0x1f;
  if (!readTssStack(c, dpl, 0)) return;
  const ss = tssStack.ss, sLo = c.descLo, sAddr = c.descAddr, sHi = c.descHi;
  const ssBase = descBase(sLo, sHi), ssLimit = descLimit(sLo, sHi), ssAttr = descAttr(sHi);
  const n = 4 + count;
  if (!frameFits(n, w, tssStack.sp, ssLimit, ssAttr)) return raise(c, SS_, ss & 0xfffc);
  if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
  // The parameters are read at the caller's privilege (#SS(0) or #PF on its stack).
  for (let k = 0; k < count; k++) {
    params[k] = w === 4 ? peek32(c, k * 4) : peek16(c, k * 2);
    if (c.fault) return;
  }
  frameVals[0] = r[R.SEG + SEG_SS * 4];
  frameVals[1] = r[R.ESP];
  for (let k = 0; k < count; k++) frameVals[2 + k] = params[count - 1 - k];
  frameVals[2 + count] = r[R.SEG + SEG_CS * 4];
  frameVals[3 + count] = c.nextEip;
  const sp = writeFrame(c, n, w, tssStack.sp, ssBase, ssAttr, true); if (c.fault) return;
  const sh = markAccessed(c, sAddr, sHi); if (c.fault) return;
  const h = markAccessed(c, addr, hi); if (c.fault) return;
  setSegDesc(c, SEG_SS, ss, sLo, sh);
  r[R.ESP] = sp;
  setSegDesc(c, SEG_CS, (sel & 0xfffc) | dpl, lo, h);
  c.setCpl(dpl);
  c.nextEip = eip;
}

// ---- Far RET and IRET ----

/**
 * Checks on the CS selector popped by RET or IRET: null #GP(0); outside its
 * table, not code, RPL < CPL, conforming with DPL > RPL or non-conforming with
 * DPL != RPL #GP(sel); not present #NP(sel). Leaves the descriptor in c.desc*.
 */
function checkReturnCs(c: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) { raiseGP(c, 0); return false; }
  if (!fetchDescriptor(c, sel, GP)) return false;
  const hi = c.descHi, dpl = descDpl(hi), rpl = sel & 3, err = sel & 0xfffc;
  if ((hi & (D_S | D_CODE)) !== (D_S | D_CODE) || rpl < c.r[R.CPL] || (hi & D_EC ? dpl > rpl : dpl !== rpl)) {
    raiseGP(c, err); return false;
  }
  if (!(hi & D_P)) { raise(c, NP, err); return false; }
  return true;
}

/**
 * Checks on the SS selector popped by a return to outer level `rpl`: null
 * #GP(0); outside its table, RPL != rpl, not writable data or DPL != rpl
 * #GP(sel); not present #SS(sel). Leaves the descriptor in c.desc*.
 */
function checkReturnSs(c: Cpu, ss: number, rpl: number): boolean {
  if ((ss & 0xfffc) === 0) { raiseGP(c, 0); return false; }
  if (!fetchDescriptor(c, ss, GP)) return false;
  const hi = c.descHi, err = ss & 0xfffc;
  if ((ss & 3) !== rpl || (hi & (D_S | D_CODE | D_RW)) !== (D_S | D_RW) || descDpl(hi) !== rpl) {
    raiseGP(c, err); return false;
  }
  if (!(hi & D_P)) { raise(c, SS_, err); return false; }
  return true;
}

/**
 * Commit a return to outer privilege level `cpl` (the CS selector's RPL): load
 * CS and SS (descriptors already checked and marked accessed), ESP = `esp`,
 * and null ES/DS/FS/GS that hold data or non-conforming code with DPL < the
 * new CPL (and, for RET, ones already null, whose selector becomes 0).
 * A 16-bit SS takes only SP; ESP's upper half keeps the inner stack's value,
 * as on hardware (the leak Linux's espfix works around).
 */
function commitOuter(c: Cpu, cs: number, lo: number, hi: number, ss: number, sLo: number, sHi: number,
  esp: number, nullNulls: boolean): void {
  const r = c.r, cpl = cs & 3;
  setSegDesc(c, SEG_CS, cs, lo, hi);
  c.setCpl(cpl);
  r[R.ESP] = sHi & D_DB ? esp : (r[R.ESP] & ~0xffff) | (esp & 0xffff);
  setSegDesc(c, SEG_SS, ss, sLo, sHi);
  for (let k = 0; k < 4; k++) {
    const s = DATA_SEGS[k], attr = r[R.SEG + s * 4 + 3];
    const usable = (attr & 0x10) !== 0 && ((attr & 8) === 0 || (attr & 4) === 0);
    if ((usable && ((attr >> 5) & 3) < cpl) || (nullNulls && (r[R.SEG + s * 4] & 0xfffc) === 0)) loadNullSeg(c, s, 0);
  }
}

/** Far RET (CB, and CA Iw, which then releases `imm` bytes of parameters). */
function retFar(c: Cpu, o16: boolean, imm: number): void {
  const r = c.r, cpl = r[R.CPL], w = o16 ? 2 : 4;
  const eip = o16 ? peek16(c, 0) : peek32(c, 0); if (c.fault) return;
  const sel = (o16 ? peek16(c, 2) : peek32(c, 4)) & 0xffff; if (c.fault) return;
  if (!checkReturnCs(c, sel)) return;
  const lo = c.descLo, hi = c.descHi, addr = c.descAddr, rpl = sel & 3;
  if (rpl === cpl) {
    if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
    const h = markAccessed(c, addr, hi); if (c.fault) return;
    r[R.ESP] = spAdd(c, r[R.ESP], 2 * w + imm);
    setSegDesc(c, SEG_CS, sel, lo, h);
    c.nextEip = eip;
    return;
  }
  const esp = o16 ? peek16(c, 2 * w + imm) : peek32(c, 2 * w + imm); if (c.fault) return;
  const ss = (o16 ? peek16(c, 3 * w + imm) : peek32(c, 3 * w + imm)) & 0xffff; if (c.fault) return;
  if (!checkReturnSs(c, ss, rpl)) return;
  const sLo = c.descLo, sHi = c.descHi, sAddr = c.descAddr;
  if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
  const h = markAccessed(c, addr, hi); if (c.fault) return;
  const sh = markAccessed(c, sAddr, sHi); if (c.fault) return;
  commitOuter(c, sel, lo, h, ss, sLo, sh, (esp + imm) | 0, true);
  c.nextEip = eip;
}

/**
 * EFLAGS from an IRET image `fl`, at the CPL before the return: the
 * arithmetic flags, TF, DF and NT always; RF, AC and ID with a 32-bit operand
 * size; IF only when CPL <= IOPL; IOPL (and VIF, VIP for 32 bits) only at CPL 0.
 */
function iretFlags(c: Cpu, fl: number, o16: boolean, cpl: number): void {
  const r = c.r, cur = getEflags(r);
  let mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT;
  if (!o16) mask |= RF | AC | ID;
  if (cpl <= ((cur >> 12) & 3)) mask |= IF;
  if (cpl === 0) mask |= o16 ? IOPL : IOPL | VIF | VIP;
  r[R.EFLAGS] = (cur & ~mask) | (fl & mask) | FLAGS_FIXED;
  r[R.LF_OP] = 0;
}

function iret(c: Cpu, o16: boolean): void {
  const r = c.r, cpl = r[R.CPL], w = o16 ? 2 : 4;
  if (r[R.EFLAGS] & NT) return raiseGP(c, 0); // task return: not modelled
  let eip = o16 ? peek16(c, 0) : peek32(c, 0); if (c.fault) return;
  const sel = (o16 ? peek16(c, 2) : peek32(c, 4)) & 0xffff; if (c.fault) return;
  const fl = o16 ? peek16(c, 4) : peek32(c, 8); if (c.fault) return;
  if (o16) eip &= 0xffff;
  if (!o16 && (fl & VM) && cpl === 0) return raiseGP(c, 0); // return to virtual-8086 mode: not modelled
  if (!checkReturnCs(c, sel)) return;
  const lo = c.descLo, hi = c.descHi, addr = c.descAddr, rpl = sel & 3;
  if (rpl === cpl) {
    if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
    const h = markAccessed(c, addr, hi); if (c.fault) return;
    r[R.ESP] = spAdd(c, r[R.ESP], 3 * w);
    setSegDesc(c, SEG_CS, sel, lo, h);
    iretFlags(c, fl, o16, cpl);
    c.nextEip = eip;
    return;
  }
  const esp = o16 ? peek16(c, 3 * w) : peek32(c, 3 * w); if (c.fault) return;
  const ss = (o16 ? peek16(c, 4 * w) : peek32(c, 4 * w)) & 0xffff; if (c.fault) return;
  if (!checkReturnSs(c, ss, rpl)) return;
  const sLo = c.descLo, sHi = c.descHi, sAddr = c.descAddr;
  if ((eip >>> 0) > (descLimit(lo, hi) >>> 0)) return raiseGP(c, 0);
  const h = markAccessed(c, addr, hi); if (c.fault) return;
  const sh = markAccessed(c, sAddr, sHi); if (c.fault) return;
  iretFlags(c, fl, o16, cpl);
  commitOuter(c, sel, lo, h, ss, sLo, sh, esp, false);
  c.nextEip = eip;
}

// ---- Handlers ----

/** FF /3 and FF /5: the far pointer m16:16 or m16:32 (offset, then selector); the register form is #UD. */
function farMem(c: Cpu, i: number, o16: boolean, call: boolean): void {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  const seg = c.dSeg[i], a = ea(c, i);
  const off = o16 ? rd16(c, seg, a) : rd32(c, seg, a); if (c.fault) return;
  const sel = rd16(c, seg, (a + (o16 ? 2 : 4)) | 0); if (c.fault) return;
  farJmpCall(c, sel, off, o16, call);
}

const jmp_Ap: Handler = (c, i) => farJmpCall(c, c.dImm2[i], c.dImm[i], false, false);
const jmp_Ap16: Handler = (c, i) => farJmpCall(c, c.dImm2[i], c.dImm[i], true, false);
const call_Ap: Handler = (c, i) => farJmpCall(c, c.dImm2[i], c.dImm[i], false, true);
const call_Ap16: Handler = (c, i) => farJmpCall(c, c.dImm2[i], c.dImm[i], true, true);

const X = { ends: true, diff: 'skip' } as const;
export const rows: OpRow[] = [
  { op: 0xea, name: 'jmp_Ap', h: jmp_Ap, h16: jmp_Ap16, ...X },
  { op: 0x9a, name: 'call_Ap', h: call_Ap, h16: call_Ap16, ...X },
  { op: 0xff, reg: 3, name: 'call_Mp', h: (c, i) => farMem(c, i, false, true), h16: (c, i) => farMem(c, i, true, true), ...X },
  { op: 0xff, reg: 5, name: 'jmp_Mp', h: (c, i) => farMem(c, i, false, false), h16: (c, i) => farMem(c, i, true, false), ...X },
  { op: 0xcb, name: 'retf', h: (c) => retFar(c, false, 0), h16: (c) => retFar(c, true, 0), ...X },
  { op: 0xca, name: 'retf_Iw', h: (c, i) => retFar(c, false, c.dImm[i]), h16: (c, i) => retFar(c, true, c.dImm[i]), ...X },
  { op: 0xcf, name: 'iret', h: (c) => iret(c, false), h16: (c) => iret(c, true), ...X },
];
