// Multiplication and division: MUL/IMUL/DIV/IDIV with the accumulator (F6/F7
// /4-/7: AX, DX:AX, EDX:EAX) and the two- and three-operand IMUL forms.
//
// 32x32->64 products are exact without BigInt: Math.imul gives the low half,
// the high half comes from 16-bit partial products (mulHi). The 64/32 divide
// runs as two 48/32 steps in doubles, each exact (div64).
//
// Flags, per the SDM: MUL and IMUL set CF = OF = "the upper half is
// significant"; SF ZF AF PF are undefined (left unchanged here). DIV and IDIV
// leave all six undefined (unchanged here). #DE on a zero divisor or a
// quotient that does not fit, IDIV of -2^(n-1) by -1 included; it is raised
// before any register changes.
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { ARITH, AF, CF, DE, OF, PF, SF, ZF } from '../defs';
import { NOERR, raise } from '../exceptions';
import { setArith } from '../flags';
import type { Handler, OpRow } from '../table';
import { readE16, readE32, readE8, regField, setR16 } from './helpers';

/** The high half of the last mulU32 / mulS32 product (a scratch register: no allocation). */
let mulHi = 0;

/** Unsigned 32x32 product: returns the low 32 bits, leaves the high 32 in mulHi. */
export function mulU32(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const p0 = al * bl, p1 = al * bh, p2 = ah * bl;
  const mid = (p0 >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  mulHi = (ah * bh + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) | 0;
  return Math.imul(a, b);
}

/** Signed 32x32 product: low 32 bits returned, high 32 in mulHi. */
export function mulS32(a: number, b: number): number {
  const lo = mulU32(a, b);
  // Unsigned high half minus the two's-complement corrections.
  mulHi = (mulHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  return lo;
}

export function lastMulHi(): number {
  return mulHi;
}

/** Remainder of the last div64 (scratch, as mulHi). */
let divRem = 0;

/**
 * Unsigned (hi:lo) / d for hi < d (so the quotient fits in 32 bits), d != 0.
 * Returns the quotient (as a signed int32 bit pattern); remainder in divRem.
 * Each step divides a value below 2^48 by d; the quotient of a step is below
 * 2^16, so the double division is exact to far better than 1/d and the
 * correction steps only guard against the last ulp.
 */
function div64(hi: number, lo: number, d: number): number {
  d = d >>> 0;
  let rem = hi >>> 0;
  let n = rem * 65536 + (lo >>> 16);
  let q1 = Math.floor(n / d);
  rem = n - q1 * d;
  if (rem < 0) { q1--; rem += d; } else if (rem >= d) { q1++; rem -= d; }
  n = rem * 65536 + (lo & 0xffff);
  let q0 = Math.floor(n / d);
  rem = n - q0 * d;
  if (rem < 0) { q0--; rem += d; } else if (rem >= d) { q0++; rem -= d; }
  divRem = rem | 0;
  return (q1 * 65536 + q0) | 0;
}

function de(c: Cpu): void {
  raise(c, DE, NOERR);
}

// ---- One-operand forms ----

const mul_Eb: Handler = (c, i) => {
  const b = readE8(c, i); if (c.fault) return;
  const p = c.r8[0] * b;
  c.r16[0] = p;
  setArith(c.r, CF | OF, p > 0xff ? CF | OF : 0);
};
const mul_Ew: Handler = (c, i) => {
  const b = readE16(c, i); if (c.fault) return;
  const p = c.r16[0] * b; // < 2^32, exact
  c.r16[0] = p;
  c.r16[4] = p >>> 16;
  setArith(c.r, CF | OF, p > 0xffff ? CF | OF : 0);
};
const mul_Ed: Handler = (c, i) => {
  const b = readE32(c, i); if (c.fault) return;
  c.r[R.EAX] = mulU32(c.r[R.EAX], b);
  c.r[R.EDX] = mulHi;
  setArith(c.r, CF | OF, mulHi !== 0 ? CF | OF : 0);
};
const imul_Eb: Handler = (c, i) => {
  const b = readE8(c, i); if (c.fault) return;
  const p = ((c.r8[0] << 24) >> 24) * ((b << 24) >> 24);
  c.r16[0] = p;
  setArith(c.r, CF | OF, p !== (p << 24) >> 24 ? CF | OF : 0);
};
const imul_Ew: Handler = (c, i) => {
  const b = readE16(c, i); if (c.fault) return;
  const p = ((c.r16[0] << 16) >> 16) * ((b << 16) >> 16); // |p| <= 2^30, exact
  c.r16[0] = p;
  c.r16[4] = p >> 16;
  setArith(c.r, CF | OF, p !== (p << 16) >> 16 ? CF | OF : 0);
};
const imul_Ed: Handler = (c, i) => {
  const b = readE32(c, i); if (c.fault) return;
  const lo = mulS32(c.r[R.EAX], b);
  c.r[R.EAX] = lo;
  c.r[R.EDX] = mulHi;
  setArith(c.r, CF | OF, mulHi !== lo >> 31 ? CF | OF : 0);
};

const div_Eb: Handler = (c, i) => {
  const d = readE8(c, i); if (c.fault) return;
  if (d === 0) return de(c);
  const n = c.r16[0], q = Math.floor(n / d);
  if (q > 0xff) return de(c);
  c.r8[0] = q;
  c.r8[1] = n - q * d;
};
const div_Ew: Handler = (c, i) => {
  const d = readE16(c, i); if (c.fault) return;
  if (d === 0) return de(c);
  const n = (c.r16[4] * 65536) + c.r16[0], q = Math.floor(n / d);
  if (q > 0xffff) return de(c);
  c.r16[0] = q;
  c.r16[4] = n - q * d;
};
const div_Ed: Handler = (c, i) => {
  const d = readE32(c, i); if (c.fault) return;
  if (d === 0) return de(c);
  const hi = c.r[R.EDX];
  if ((hi >>> 0) >= (d >>> 0)) return de(c);
  c.r[R.EAX] = div64(hi, c.r[R.EAX], d);
  c.r[R.EDX] = divRem;
};
const idiv_Eb: Handler = (c, i) => {
  const d = (readE8(c, i) << 24) >> 24; if (c.fault) return;
  if (d === 0) return de(c);
  const n = (c.r16[0] << 16) >> 16, q = Math.trunc(n / d);
  if (q > 127 || q < -128) return de(c);
  c.r8[0] = q;
  c.r8[1] = n - q * d; // the remainder has the dividend's sign
};
const idiv_Ew: Handler = (c, i) => {
  const d = (readE16(c, i) << 16) >> 16; if (c.fault) return;
  if (d === 0) return de(c);
  const n = (c.r16[4] << 16) | c.r16[0], q = Math.trunc(n / d);
  if (q > 32767 || q < -32768) return de(c);
  c.r16[0] = q;
  c.r16[4] = n - q * d;
};
const idiv_Ed: Handler = (c, i) => {
  const d = readE32(c, i); if (c.fault) return;
  if (d === 0) return de(c);
  let hi = c.r[R.EDX], lo = c.r[R.EAX];
  const negN = hi < 0, negD = d < 0;
  if (negN) { lo = (-lo) | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; } // 64-bit negate
  const ad = negD ? (-d) >>> 0 : d >>> 0; // |-2^31| = 2^31 as unsigned
  // |quotient| >= 2^32 certainly overflows; otherwise check the signed range below.
  if ((hi >>> 0) >= ad) return de(c);
  const q = div64(hi, lo, ad) >>> 0;
  const neg = negN !== negD;
  if (neg ? q > 0x80000000 : q > 0x7fffffff) return de(c);
  c.r[R.EAX] = neg ? -q | 0 : q | 0;
  c.r[R.EDX] = negN ? -divRem | 0 : divRem;
};

// ---- Two- and three-operand IMUL: the product truncated to the operand size ----

function imul32(c: Cpu, g: number, a: number, b: number): void {
  const lo = mulS32(a, b);
  c.r[g] = lo;
  setArith(c.r, CF | OF, mulHi !== lo >> 31 ? CF | OF : 0);
}
function imul16(c: Cpu, g: number, a: number, b: number): void {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  setR16(c, g, p);
  setArith(c.r, CF | OF, p !== (p << 16) >> 16 ? CF | OF : 0);
}

const imul_Gv_Ev: Handler = (c, i) => {
  const b = readE32(c, i); if (c.fault) return;
  const g = regField(c, i);
  imul32(c, g, c.r[g], b);
};
const imul_Gw_Ew: Handler = (c, i) => {
  const b = readE16(c, i); if (c.fault) return;
  const g = regField(c, i);
  imul16(c, g, c.r16[g << 1], b);
};
// 69 /r Iz and 6B /r Ib: the decoder has sign-extended the immediate.
const imul_Gv_Ev_I: Handler = (c, i) => {
  const a = readE32(c, i); if (c.fault) return;
  imul32(c, regField(c, i), a, c.dImm[i]);
};
const imul_Gw_Ew_I: Handler = (c, i) => {
  const a = readE16(c, i); if (c.fault) return;
  imul16(c, regField(c, i), a, c.dImm[i]);
};

const MUL_UNDEF = SF | ZF | AF | PF;

export const rows: OpRow[] = [
  { op: 0xf6, reg: 4, name: 'mul_Eb', h: mul_Eb, undef: MUL_UNDEF },
  { op: 0xf7, reg: 4, name: 'mul_Ev', h: mul_Ed, h16: mul_Ew, undef: MUL_UNDEF },
  { op: 0xf6, reg: 5, name: 'imul_Eb', h: imul_Eb, undef: MUL_UNDEF },
  { op: 0xf7, reg: 5, name: 'imul_Ev', h: imul_Ed, h16: imul_Ew, undef: MUL_UNDEF },
  // DIV/IDIV raise #DE on a zero divisor or an overflowing quotient: the
  // differential tests must give them operands that do not (or expect #DE).
  { op: 0xf6, reg: 6, name: 'div_Eb', h: div_Eb, undef: ARITH },
  { op: 0xf7, reg: 6, name: 'div_Ev', h: div_Ed, h16: div_Ew, undef: ARITH },
  { op: 0xf6, reg: 7, name: 'idiv_Eb', h: idiv_Eb, undef: ARITH },
  { op: 0xf7, reg: 7, name: 'idiv_Ev', h: idiv_Ed, h16: idiv_Ew, undef: ARITH },
  { op: 0x0faf, name: 'imul_Gv_Ev', h: imul_Gv_Ev, h16: imul_Gw_Ew, undef: MUL_UNDEF },
  { op: 0x69, name: 'imul_Gv_Ev_Iz', h: imul_Gv_Ev_I, h16: imul_Gw_Ew_I, undef: MUL_UNDEF },
  { op: 0x6b, name: 'imul_Gv_Ev_Ib', h: imul_Gv_Ev_I, h16: imul_Gw_Ew_I, undef: MUL_UNDEF },
];
