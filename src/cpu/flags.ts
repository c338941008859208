// Lazy arithmetic flags. An ALU instruction stores its operands, result and a
// code for what it did (LF_OP = kind << 2 | size) instead of computing six
// flags; a flag is computed only when something reads it. Flags that the
// current kind does not cover are taken from R.EFLAGS, so an instruction that
// sets only some flags eagerly (shifts, multiplies) writes those into EFLAGS and
// uses a kind whose mask leaves them out.
import { R } from '../shared/layout';
import { AF, ARITH, CF, OF, PF, SF, ZF, FLAGS_FIXED } from './defs';

// Kinds. ADC and SBB are the carry-in = 1 forms; with carry-in 0 they are ADD and SUB.
export const K_NONE = 0, K_ADD = 1, K_ADC = 2, K_SUB = 3, K_SBB = 4, K_LOGIC = 5, K_INC = 6,
  K_DEC = 7, K_RES = 8;
/** Size index: 0 = 8 bits, 1 = 16 bits, 2 = 32 bits. */
export const S8 = 0, S16 = 1, S32 = 2;

/** Flags each kind holds lazily. K_RES holds only the result flags (ZF, SF, PF). */
const KIND_MASK = new Int32Array([0, ARITH, ARITH, ARITH, ARITH, ARITH, ARITH & ~CF, ARITH & ~CF, ZF | SF | PF]);
const SIZE_MASK = new Int32Array([0xff, 0xffff, -1]);
const SIGN_SHIFT = new Int32Array([7, 15, 31]);

export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, p = 1;
  while (b) { p ^= b & 1; b >>= 1; }
  PARITY[i] = p ? PF : 0;
}

export function lazyMask(r: Int32Array): number {
  return KIND_MASK[r[R.LF_OP] >> 2];
}

/** Record a lazy operation. Values may be unmasked; they are masked when flags are computed. */
export function setLazy(r: Int32Array, op: number, a: number, b: number, res: number): void {
  r[R.LF_A] = a;
  r[R.LF_B] = b;
  r[R.LF_R] = res;
  r[R.LF_OP] = op;
}

/** Before INC/DEC replace the lazy state: keep the current CF in EFLAGS. */
export function saveCF(r: Int32Array): void {
  if (KIND_MASK[r[R.LF_OP] >> 2] & CF) r[R.EFLAGS] = (r[R.EFLAGS] & ~CF) | computeCF(r);
}

function computeCF(r: Int32Array): number {
  return cfOfKind(r[R.LF_OP], r[R.LF_A], r[R.LF_B], r[R.LF_R]);
}

function computeOF(r: Int32Array): number {
  return ofOfKind(r[R.LF_OP], r[R.LF_A], r[R.LF_B], r[R.LF_R]);
}

// The flag computations on values: a lazy state held outside a register file
// (the block compiler keeps it in locals) gives what the functions below give
// for a register file holding it.
function cfOfKind(op: number, a: number, b: number, res: number): number {
  const m = SIZE_MASK[op & 3];
  a = (a & m) >>> 0; b = (b & m) >>> 0; res = (res & m) >>> 0;
  switch (op >> 2) {
    case K_ADD: return res < a ? 1 : 0;
    case K_ADC: return res <= a ? 1 : 0;
    case K_SUB: return a < b ? 1 : 0;
    case K_SBB: return a <= b ? 1 : 0;
    default: return 0;
  }
}

function ofOfKind(op: number, a: number, b: number, res: number): number {
  const sh = SIGN_SHIFT[op & 3];
  switch (op >> 2) {
    case K_ADD: case K_ADC: case K_INC: return (((a ^ res) & (b ^ res)) >>> sh) & 1;
    case K_SUB: case K_SBB: case K_DEC: return (((a ^ b) & (a ^ res)) >>> sh) & 1;
    default: return 0;
  }
}

/** getCF() of a register file whose EFLAGS, LF_OP, LF_A, LF_B, LF_R hold these values. */
export function cfOf(ef: number, op: number, a: number, b: number, res: number): number {
  return KIND_MASK[op >> 2] & CF ? cfOfKind(op, a, b, res) : ef & CF;
}

/** getEflags() of a register file whose EFLAGS, LF_OP, LF_A, LF_B, LF_R hold these values. */
export function eflagsOf(ef: number, op: number, a: number, b: number, res: number): number {
  const mask = KIND_MASK[op >> 2];
  let f = (ef & ~mask) | FLAGS_FIXED;
  if (mask === 0) return f;
  if (mask & CF) f |= cfOfKind(op, a, b, res);
  if (mask & PF) f |= PARITY[res & 0xff];
  if (mask & AF) f |= op >> 2 === K_LOGIC ? 0 : (a ^ b ^ res) & AF;
  if (mask & ZF) f |= (res & SIZE_MASK[op & 3]) === 0 ? ZF : 0;
  if (mask & SF) f |= ((res >>> SIGN_SHIFT[op & 3]) & 1) << 7;
  if (mask & OF) f |= ofOfKind(op, a, b, res) << 11;
  return f;
}

/** cond() of a register file whose EFLAGS, LF_OP, LF_A, LF_B, LF_R hold these values. */
export function condOf(ef: number, op: number, a: number, b: number, res: number, cc: number): boolean {
  if (op >> 2 === K_SUB && (op & 3) === S32) {
    switch (cc) {
      case 0x2: return (a >>> 0) < (b >>> 0);
      case 0x3: return (a >>> 0) >= (b >>> 0);
      case 0x4: return a === b;
      case 0x5: return a !== b;
      case 0x6: return (a >>> 0) <= (b >>> 0);
      case 0x7: return (a >>> 0) > (b >>> 0);
      case 0xc: return a < b;
      case 0xd: return a >= b;
      case 0xe: return a <= b;
      case 0xf: return a > b;
    }
  }
  const f = eflagsOf(ef, op, a, b, res);
  let v: boolean;
  switch (cc >> 1) {
    case 0: v = (f & OF) !== 0; break;
    case 1: v = (f & CF) !== 0; break;
    case 2: v = (f & ZF) !== 0; break;
    case 3: v = (f & (CF | ZF)) !== 0; break;
    case 4: v = (f & SF) !== 0; break;
    case 5: v = (f & PF) !== 0; break;
    case 6: v = ((f >> 7) & 1) !== ((f >> 11) & 1); break;
    default: v = (f & ZF) !== 0 || ((f >> 7) & 1) !== ((f >> 11) & 1); break;
  }
  return (cc & 1) ? !v : v;
}

function computeAF(r: Int32Array): number {
  const k = r[R.LF_OP] >> 2;
  if (k === K_LOGIC) return 0;
  return (r[R.LF_A] ^ r[R.LF_B] ^ r[R.LF_R]) & AF;
}

export function getCF(r: Int32Array): number {
  return KIND_MASK[r[R.LF_OP] >> 2] & CF ? computeCF(r) : r[R.EFLAGS] & CF;
}
export function getZF(r: Int32Array): number {
  const op = r[R.LF_OP];
  return KIND_MASK[op >> 2] & ZF ? ((r[R.LF_R] & SIZE_MASK[op & 3]) === 0 ? 1 : 0) : (r[R.EFLAGS] >> 6) & 1;
}
export function getSF(r: Int32Array): number {
  const op = r[R.LF_OP];
  return KIND_MASK[op >> 2] & SF ? (r[R.LF_R] >>> SIGN_SHIFT[op & 3]) & 1 : (r[R.EFLAGS] >> 7) & 1;
}
export function getOF(r: Int32Array): number {
  return KIND_MASK[r[R.LF_OP] >> 2] & OF ? computeOF(r) : (r[R.EFLAGS] >> 11) & 1;
}
export function getPF(r: Int32Array): number {
  return KIND_MASK[r[R.LF_OP] >> 2] & PF ? PARITY[r[R.LF_R] & 0xff] >> 2 : (r[R.EFLAGS] >> 2) & 1;
}
export function getAF(r: Int32Array): number {
  return KIND_MASK[r[R.LF_OP] >> 2] & AF ? computeAF(r) >> 4 : (r[R.EFLAGS] >> 4) & 1;
}

/** The architectural EFLAGS value, with every lazy flag computed. */
export function getEflags(r: Int32Array): number {
  return eflagsOf(r[R.EFLAGS], r[R.LF_OP], r[R.LF_A], r[R.LF_B], r[R.LF_R]);
}

/** Replace the arithmetic flags in `bits` with those of `value`, dropping lazy state first. */
export function setArith(r: Int32Array, bits: number, value: number): void {
  const f = getEflags(r);
  r[R.EFLAGS] = (f & ~bits) | (value & bits);
  r[R.LF_OP] = 0;
}

/**
 * Evaluate condition code cc (the low nibble of Jcc/SETcc/CMOVcc).
 * Fast path: after CMP/SUB (the usual case before a branch) the condition is
 * computed from the operands directly, skipping flag materialisation.
 */
export function cond(r: Int32Array, cc: number): boolean {
  return condOf(r[R.EFLAGS], r[R.LF_OP], r[R.LF_A], r[R.LF_B], r[R.LF_R], cc);
}

export { SIZE_MASK, SIGN_SHIFT };
