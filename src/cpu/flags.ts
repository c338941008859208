// Lazy arithmetic flags. An ALU instruction stores its operands, result and a
// code for what it did (LF_OP = kind << 2 | size) instead of computing six
// flags; a flag is computed only when something reads it. Flags that the
// current kind does not cover are taken from R.EFLAGS, so an instruction that
// sets only some flags eagerly (shifts, multiplies) writes those into EFLAGS and
// uses a kind whose mask leaves them out.
import { R } from '../shared/layout';
import {
  AF, CF, K_LOGIC, K_SUB, KIND_MASK, OF, PARITY, PF, S32, SF, SIGN_SHIFT, SIZE_MASK, ZF, cfOf, cfOfKind,
  eflagsOf, ofOfKind,
} from '../shared/eflags';

// The encoding, its tables and the value forms live in src/shared/eflags.ts (the
// UI shows a vcpu's flags with them); this file adds the register-file forms.
export { K_NONE, K_ADD, K_ADC, K_SUB, K_SBB, K_LOGIC, K_INC, K_DEC, K_RES, S8, S16, S32 } from '../shared/eflags';
export { PARITY, SIZE_MASK, SIGN_SHIFT, cfOf, eflagsOf };

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

