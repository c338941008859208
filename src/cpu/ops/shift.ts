// Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR by 1, by CL
// and by an immediate, C0/C1 D0-D3) and the double shifts SHLD/SHRD. Flags
// are computed eagerly, following the Intel SDM's operation sections:
//
// - The count is masked to 5 bits. A masked count of 0 changes nothing, not
//   even flags (a memory operand is still translated for writing, so it can
//   fault, as the read-modify-write it is).
// - ROL/ROR rotate by count mod size but set CF whenever the masked count is
//   non-zero (ROL AL by 8 leaves AL and sets CF = bit 0). RCL/RCR of 8/16-bit
//   operands rotate through CF modulo 9/17. Rotates leave SF ZF AF PF alone.
// - OF is defined only for a count of 1; AF is undefined for any shift with
//   a non-zero count (we clear it). For SHL/SHR, CF is undefined when the
//   count is >= the operand size (8- and 16-bit operands only, since the count
//   is at most 31); we give the SDM pseudo-code's bit-at-a-time value.
// - SHLD/SHRD of 16-bit operands by 17..31: the result and every flag are
//   undefined (see shld16/shrd16).
//
// `undef` masks cannot depend on the count, so the by-CL and by-Ib rows mask
// OF (and CF for SHL/SHR) conservatively; the by-1 rows are exact.
import type { Cpu } from '../cpu';
import { AF, CF, OF, PF, SF, ZF } from '../defs';
import { getCF, K_RES, PARITY, S16, S32, S8, setArith, setLazy } from '../flags';
import { R } from '../../shared/layout';
import type { Handler, OpRow } from '../table';
import { commitE16, commitE32, commitE8, getR16, regField, rmwE16, rmwE32, rmwE8 } from './helpers';

export const ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;
const NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];

/** SF, ZF and PF of a result of `n` bits. */
function szp(res: number, n: number): number {
  const m = n === 32 ? -1 : (1 << n) - 1, v = res & m;
  return (v === 0 ? ZF : 0) | ((v >>> (n - 1)) & 1 ? SF : 0) | PARITY[v & 0xff];
}

/**
 * Shift or rotate `a` (an n-bit value, n = 8/16/32) by `count` (already
 * masked to 5 bits, non-zero) and set the flags. Returns the result.
 */
export function shiftOp(r: Int32Array, op: number, n: number, a: number, count: number): number {
  const m = n === 32 ? -1 : (1 << n) - 1;
  const msb = n - 1;
  a &= m;
  let res: number, cf: number, of: number;
  switch (op) {
    case ROL: {
      const k = count % n;
      res = k === 0 ? a : ((a << k) | (a >>> (n - k))) & m;
      cf = res & 1;
      of = ((res >>> msb) ^ cf) & 1;
      setArith(r, CF | OF, cf | (of << 11));
      return res;
    }
    case ROR: {
      const k = count % n;
      res = k === 0 ? a : ((a >>> k) | (a << (n - k))) & m;
      cf = (res >>> msb) & 1;
      of = ((res >>> msb) ^ (res >>> (msb - 1))) & 1;
      setArith(r, CF | OF, cf | (of << 11));
      return res;
    }
    case RCL: {
      // Rotate the (n+1)-bit value CF:a left by count mod (n+1).
      const k = n === 32 ? count : count % (n + 1);
      cf = getCF(r);
      res = a;
      if (k !== 0) {
        // Bits leaving at the top re-enter at the bottom through CF.
        const hi = k === 1 ? 0 : a >>> (n + 1 - k);
        res = ((a << k) | (cf << (k - 1)) | hi) & m;
        cf = (a >>> (n - k)) & 1;
      }
      of = ((res >>> msb) ^ cf) & 1;
      setArith(r, CF | OF, cf | (of << 11));
      return res;
    }
    case RCR: {
      const k = n === 32 ? count : count % (n + 1);
      cf = getCF(r);
      // OF (count 1) is MSB(DEST) XOR CF, taken before the rotate.
      of = ((a >>> msb) ^ cf) & 1;
      res = a;
      if (k !== 0) {
        const lo = k === 1 ? 0 : a << (n + 1 - k);
        res = ((a >>> k) | (cf << (n - k)) | lo) & m;
        cf = (a >>> (k - 1)) & 1;
      }
      setArith(r, CF | OF, cf | (of << 11));
      return res;
    }
    case SHL: case SAL:
      // Bit-at-a-time: counts past the size shift out only zeros.
      res = count >= n ? 0 : (a << count) & m;
      cf = count > n ? 0 : (a >>> (n - count)) & 1;
      of = ((res >>> msb) ^ cf) & 1;
      break;
    case SHR:
      res = count >= n ? 0 : a >>> count;
      cf = count > n ? 0 : (a >>> (count - 1)) & 1;
      of = (a >>> msb) & 1;
      break;
    default: { // SAR
      const s = (a << (32 - n)) >> (32 - n);
      res = (s >> (count >= n ? n - 1 : count)) & m;
      cf = (s >> (count > n ? n - 1 : count - 1)) & 1;
      of = 0;
      break;
    }
  }
  // Every arithmetic flag is defined here (AF as 0), so nothing needs
  // materialising: CF, OF and AF go to EFLAGS, ZF/SF/PF stay lazy on the result.
  r[R.EFLAGS] = (r[R.EFLAGS] & ~(CF | OF | SF | ZF | PF | AF)) | cf | (of << 11);
  setLazy(r, (K_RES << 2) | (n === 8 ? S8 : n === 16 ? S16 : S32), 0, 0, res);
  return res;
}

function group2(op: number, countOf: (c: Cpu, i: number) => number): [Handler, Handler, Handler] {
  const eb: Handler = (c, i) => {
    const a = rmwE8(c, i); if (c.fault) return;
    const k = countOf(c, i) & 31;
    if (k !== 0) commitE8(c, shiftOp(c.r, op, 8, a, k));
  };
  const ev: Handler = (c, i) => {
    const a = rmwE32(c, i); if (c.fault) return;
    const k = countOf(c, i) & 31;
    if (k !== 0) commitE32(c, shiftOp(c.r, op, 32, a, k));
  };
  const ew: Handler = (c, i) => {
    const a = rmwE16(c, i); if (c.fault) return;
    const k = countOf(c, i) & 31;
    if (k !== 0) commitE16(c, shiftOp(c.r, op, 16, a, k));
  };
  return [eb, ev, ew];
}

const byImm = (c: Cpu, i: number): number => c.dImm[i];
const byOne = (): number => 1;
const byCL = (c: Cpu): number => c.r8[4];

/** Flags the SDM leaves undefined for group-2 op `op` when the count may be anything but 1. */
function undefAnyCount(op: number): number {
  if (op <= RCR) return OF;
  if (op === SAR) return OF | AF;
  return OF | AF | CF; // SHL/SAL/SHR: CF undefined for count >= size (8/16-bit)
}

const groupRows: OpRow[] = [];
for (let op = 0; op < 8; op++) {
  const n = NAMES[op];
  const [ibB, ibV, ibW] = group2(op, byImm);
  const [oneB, oneV, oneW] = group2(op, byOne);
  const [clB, clV, clW] = group2(op, byCL);
  const u = undefAnyCount(op), u1 = op <= RCR ? 0 : AF;
  groupRows.push(
    { op: 0xc0, reg: op, name: `${n}_Eb_Ib`, h: ibB, undef: u },
    { op: 0xc1, reg: op, name: `${n}_Ev_Ib`, h: ibV, h16: ibW, undef: u },
    { op: 0xd0, reg: op, name: `${n}_Eb_1`, h: oneB, undef: u1 },
    { op: 0xd1, reg: op, name: `${n}_Ev_1`, h: oneV, h16: oneW, undef: u1 },
    { op: 0xd2, reg: op, name: `${n}_Eb_CL`, h: clB, undef: u },
    { op: 0xd3, reg: op, name: `${n}_Ev_CL`, h: clV, h16: clW, undef: u },
  );
}

// ---- SHLD / SHRD ----
//
// The count is masked to 5 bits for both operand sizes. 32-bit: counts 1..31
// are all defined. 16-bit: counts 1..16 are defined (16 moves the source in
// whole); 17..31 leave the result and all six flags undefined — the
// differential tests must not generate them. For those we shift through the
// 48-bit value DEST:SRC:DEST (a deterministic choice, nothing more).

function shld32(r: Int32Array, d: number, s: number, k: number): number {
  const res = (d << k) | (s >>> (32 - k));
  const cf = (d >>> (32 - k)) & 1;
  const of = ((res ^ d) >>> 31) & 1; // sign change (count 1)
  setArith(r, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(res, 32));
  return res;
}
function shrd32(r: Int32Array, d: number, s: number, k: number): number {
  const res = (d >>> k) | (s << (32 - k));
  const cf = (d >>> (k - 1)) & 1;
  const of = ((res ^ d) >>> 31) & 1;
  setArith(r, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(res, 32));
  return res;
}
function shld16(r: Int32Array, d: number, s: number, k: number): number {
  d &= 0xffff; s &= 0xffff;
  let res: number, cf: number;
  if (k <= 16) {
    const t = (d << 16) | s; // DEST:SRC
    res = (t << k) >>> 16 & 0xffff;
    cf = (t >>> (32 - k)) & 1;
  } else {
    const t = (s << 16) | d; // the low 32 bits of DEST:SRC:DEST (undefined case)
    res = (t >>> (32 - k)) & 0xffff;
    cf = (t >>> (48 - k)) & 1;
  }
  const of = ((res ^ d) >>> 15) & 1;
  setArith(r, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(res, 16));
  return res;
}
function shrd16(r: Int32Array, d: number, s: number, k: number): number {
  d &= 0xffff; s &= 0xffff;
  let res: number, cf: number;
  if (k <= 16) {
    const t = (s << 16) | d; // SRC:DEST
    res = (t >>> k) & 0xffff;
    cf = (t >>> (k - 1)) & 1;
  } else {
    const t = (d << 16) | s; // the high 32 bits of DEST:SRC:DEST (undefined case)
    res = (t >>> (k - 16)) & 0xffff;
    cf = (t >>> (k - 17)) & 1;
  }
  const of = ((res ^ d) >>> 15) & 1;
  setArith(r, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(res, 16));
  return res;
}

function dshift(left: boolean, countOf: (c: Cpu, i: number) => number): [Handler, Handler] {
  const f32 = left ? shld32 : shrd32, f16 = left ? shld16 : shrd16;
  return [
    (c, i) => {
      const d = rmwE32(c, i); if (c.fault) return;
      const k = countOf(c, i) & 31;
      if (k !== 0) commitE32(c, f32(c.r, d, c.r[regField(c, i)], k));
    },
    (c, i) => {
      const d = rmwE16(c, i); if (c.fault) return;
      const k = countOf(c, i) & 31;
      if (k !== 0) commitE16(c, f16(c.r, d, getR16(c, regField(c, i)), k));
    },
  ];
}
const [shldI, shldI16] = dshift(true, byImm);
const [shldC, shldC16] = dshift(true, byCL);
const [shrdI, shrdI16] = dshift(false, byImm);
const [shrdC, shrdC16] = dshift(false, byCL);

export const rows: OpRow[] = [
  ...groupRows,
  // OF is defined only for a count of 1, AF never: mask both. 16-bit counts
  // 17..31 are wholly undefined (see above).
  { op: 0x0fa4, name: 'shld_Ev_Gv_Ib', h: shldI, h16: shldI16, undef: OF | AF },
  { op: 0x0fa5, name: 'shld_Ev_Gv_CL', h: shldC, h16: shldC16, undef: OF | AF },
  { op: 0x0fac, name: 'shrd_Ev_Gv_Ib', h: shrdI, h16: shrdI16, undef: OF | AF },
  { op: 0x0fad, name: 'shrd_Ev_Gv_CL', h: shrdC, h16: shrdC16, undef: OF | AF },
];
