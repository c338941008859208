// Bit instructions: BT/BTS/BTR/BTC, BSF/BSR, BSWAP, and the atomic exchanges
// XADD, CMPXCHG and CMPXCHG8B.
//
// BT* with a register bit offset and a memory operand address memory outside
// the operand: the offset is signed (-2^31..2^31-1, or -2^15..2^15-1 for
// 16-bit operands) and selects the operand-size word at ea + 4 * (offset >> 5)
// (2 * (offset >> 4) for 16 bits). With an immediate, or a register operand,
// the offset is taken modulo the operand size.
//
// Flags (SDM): BT* set CF to the selected bit, leave ZF unchanged and OF SF AF
// PF undefined (unchanged here). BSF/BSR set ZF = (source == 0); CF OF SF AF
// PF undefined (unchanged here). XADD and CMPXCHG set the flags of ADD and CMP.
// CMPXCHG8B sets only ZF.
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { prd16, prd32, pwr16, pwr32, rd16, rd32, rmw } from '../access';
import { AF, CF, OF, P_A16, PF, SF, ZF } from '../defs';
import { raiseUD } from '../exceptions';
import { setArith } from '../flags';
import type { Handler, OpRow } from '../table';
import { alu, ADD, CMP } from './alu';
import {
  commitE16, commitE32, commitE8, ea, getR16, getR8, readE16, readE32, regField, rmwE16, rmwE32,
  rmwE8, setR16, setR8,
} from './helpers';

// ---- BT, BTS, BTR, BTC ----

const BT = 0, BTS = 1, BTR = 2, BTC = 3;
const NAMES = ['bt', 'bts', 'btr', 'btc'];

/** The new value of a word after op on bit `b`, with CF set from the old bit. */
function btApply(c: Cpu, op: number, v: number, b: number): number {
  const bit = (v >>> b) & 1;
  setArith(c.r, CF, bit);
  switch (op) {
    case BTS: return v | (1 << b);
    case BTR: return v & ~(1 << b);
    case BTC: return v ^ (1 << b);
    default: return v;
  }
}

/** Offset of the addressed word: ea + displacement, wrapped to the address size. */
function btAddr(c: Cpu, i: number, disp: number): number {
  const a = (ea(c, i) + disp) | 0;
  return c.dPfx[i] & P_A16 ? a & 0xffff : a;
}

/** op on bit `off` of the r/m operand. `reg`: the offset came from a register (may leave the operand). */
function bt32(c: Cpu, i: number, op: number, off: number, reg: boolean): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) {
    const v = c.r[m & 7], nv = btApply(c, op, v, off & 31);
    if (op !== BT) c.r[m & 7] = nv;
    return;
  }
  const addr = reg ? btAddr(c, i, (off >> 5) << 2) : ea(c, i);
  if (op === BT) {
    const v = rd32(c, c.dSeg[i], addr); if (c.fault) return;
    btApply(c, op, v, off & 31);
    return;
  }
  const p = rmw(c, c.dSeg[i], addr, 4); if (p === -1) return;
  pwr32(c, p, btApply(c, op, prd32(c, p), off & 31));
}
function bt16(c: Cpu, i: number, op: number, off: number, reg: boolean): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) {
    const v = getR16(c, m & 7), nv = btApply(c, op, v, off & 15);
    if (op !== BT) setR16(c, m & 7, nv);
    return;
  }
  const so = (off << 16) >> 16; // the 16-bit offset is signed
  const addr = reg ? btAddr(c, i, (so >> 4) << 1) : ea(c, i);
  if (op === BT) {
    const v = rd16(c, c.dSeg[i], addr); if (c.fault) return;
    btApply(c, op, v, off & 15);
    return;
  }
  const p = rmw(c, c.dSeg[i], addr, 2); if (p === -1) return;
  pwr16(c, p, btApply(c, op, prd16(c, p), off & 15));
}

const btRows: OpRow[] = [];
for (const op of [BT, BTS, BTR, BTC]) {
  const n = NAMES[op], lock = op !== BT, undef = OF | SF | AF | PF;
  btRows.push(
    {
      op: [0x0fa3, 0x0fab, 0x0fb3, 0x0fbb][op], name: `${n}_Ev_Gv`, lock, undef,
      h: (c, i) => bt32(c, i, op, c.r[regField(c, i)], true),
      h16: (c, i) => bt16(c, i, op, getR16(c, regField(c, i)), true),
    },
    {
      op: 0x0fba, reg: 4 + op, name: `${n}_Ev_Ib`, lock, undef,
      h: (c, i) => bt32(c, i, op, c.dImm[i] & 31, false),
      h16: (c, i) => bt16(c, i, op, c.dImm[i] & 15, false),
    },
  );
}

// ---- BSF, BSR ----
// A zero source sets ZF and leaves the destination unchanged. Intel documents
// the destination as undefined in that case; AMD documents it as unchanged,
// and Intel processors keep it too. We keep it (the differential test can
// compare it).

const bsf_Gv_Ev: Handler = (c, i) => {
  const v = readE32(c, i); if (c.fault) return;
  if (v === 0) { setArith(c.r, ZF, ZF); return; }
  c.r[regField(c, i)] = 31 - Math.clz32(v & -v);
  setArith(c.r, ZF, 0);
};
const bsf_Gw_Ew: Handler = (c, i) => {
  const v = readE16(c, i); if (c.fault) return;
  if (v === 0) { setArith(c.r, ZF, ZF); return; }
  setR16(c, regField(c, i), 31 - Math.clz32(v & -v));
  setArith(c.r, ZF, 0);
};
const bsr_Gv_Ev: Handler = (c, i) => {
  const v = readE32(c, i); if (c.fault) return;
  if (v === 0) { setArith(c.r, ZF, ZF); return; }
  c.r[regField(c, i)] = 31 - Math.clz32(v);
  setArith(c.r, ZF, 0);
};
const bsr_Gw_Ew: Handler = (c, i) => {
  const v = readE16(c, i); if (c.fault) return;
  if (v === 0) { setArith(c.r, ZF, ZF); return; }
  setR16(c, regField(c, i), 31 - Math.clz32(v));
  setArith(c.r, ZF, 0);
};

// ---- BSWAP ----
// With a 16-bit operand the result is undefined (SDM); we clear the low word,
// which is what current processors do. The differential test skips the rows.

const bswapRows: OpRow[] = [];
const REGS = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
for (let n = 0; n < 8; n++) {
  bswapRows.push({
    op: 0x0fc8 + n, name: `bswap_${REGS[n]}`, diff: 'skip',
    h: (c) => {
      const v = c.r[n];
      c.r[n] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
    },
    h16: (c) => { c.r16[n << 1] = 0; },
  });
}

// ---- XADD ----
// TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. With the same register for both,
// the sum wins (written last).

const xadd_Eb_Gb: Handler = (c, i) => {
  const d = rmwE8(c, i); if (c.fault) return;
  const g = regField(c, i), s = getR8(c, g);
  const sum = alu(c.r, ADD, 0, d, s);
  setR8(c, g, d);
  commitE8(c, sum);
};
const xadd_Ev_Gv: Handler = (c, i) => {
  const d = rmwE32(c, i); if (c.fault) return;
  const g = regField(c, i), s = c.r[g];
  const sum = alu(c.r, ADD, 2, d, s);
  c.r[g] = d;
  commitE32(c, sum);
};
const xadd_Ew_Gw: Handler = (c, i) => {
  const d = rmwE16(c, i); if (c.fault) return;
  const g = regField(c, i), s = getR16(c, g);
  const sum = alu(c.r, ADD, 1, d, s);
  setR16(c, g, d);
  commitE16(c, sum);
};

// ---- CMPXCHG ----
// Compare the accumulator with DEST (flags of CMP acc, DEST). Equal: DEST =
// SRC. Otherwise: acc = DEST, and a memory DEST is written back with its own
// value (the SDM: the destination always receives a write cycle).

const cmpxchg_Eb_Gb: Handler = (c, i) => {
  const d = rmwE8(c, i); if (c.fault) return;
  const a = c.r8[0];
  alu(c.r, CMP, 0, a, d);
  if (a === d) commitE8(c, getR8(c, regField(c, i)));
  else { commitE8(c, d); c.r8[0] = d; }
};
const cmpxchg_Ev_Gv: Handler = (c, i) => {
  const d = rmwE32(c, i); if (c.fault) return;
  const a = c.r[R.EAX];
  alu(c.r, CMP, 2, a, d);
  if (a === d) commitE32(c, c.r[regField(c, i)]);
  else { commitE32(c, d); c.r[R.EAX] = d; }
};
const cmpxchg_Ew_Gw: Handler = (c, i) => {
  const d = rmwE16(c, i); if (c.fault) return;
  const a = c.r16[0];
  alu(c.r, CMP, 1, a, d);
  if (a === d) commitE16(c, getR16(c, regField(c, i)));
  else { commitE16(c, d); c.r16[0] = d; }
};

// ---- CMPXCHG8B m64 ----
// Compare EDX:EAX with m64. Equal: ZF = 1, m64 = ECX:EBX. Otherwise ZF = 0,
// EDX:EAX = m64 (and m64 is written back unchanged). Both halves are translated
// for writing before anything changes. A register operand is #UD.

const cmpxchg8b: Handler = (c, i) => {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  const seg = c.dSeg[i], off = ea(c, i);
  // Of the two 4-byte halves at most one crosses a page, and only a crossing
  // translation sets the split state that half's accesses then use.
  const p0 = rmw(c, seg, off, 4); if (p0 === -1) return;
  const p1 = rmw(c, seg, (off + 4) | 0, 4); if (p1 === -1) return;
  const lo = prd32(c, p0), hi = prd32(c, p1);
  if (lo === c.r[R.EAX] && hi === c.r[R.EDX]) {
    pwr32(c, p0, c.r[R.EBX]);
    pwr32(c, p1, c.r[R.ECX]);
    setArith(c.r, ZF, ZF);
  } else {
    pwr32(c, p0, lo);
    pwr32(c, p1, hi);
    c.r[R.EAX] = lo;
    c.r[R.EDX] = hi;
    setArith(c.r, ZF, 0);
  }
};

export const rows: OpRow[] = [
  ...btRows,
  // With F3, BC/BD are TZCNT/LZCNT on processors that have them (not P6): the
  // differential tests must not put a REP prefix on these.
  { op: 0x0fbc, name: 'bsf_Gv_Ev', h: bsf_Gv_Ev, h16: bsf_Gw_Ew, undef: CF | OF | SF | AF | PF },
  { op: 0x0fbd, name: 'bsr_Gv_Ev', h: bsr_Gv_Ev, h16: bsr_Gw_Ew, undef: CF | OF | SF | AF | PF },
  ...bswapRows,
  { op: 0x0fc0, name: 'xadd_Eb_Gb', h: xadd_Eb_Gb, lock: true },
  { op: 0x0fc1, name: 'xadd_Ev_Gv', h: xadd_Ev_Gv, h16: xadd_Ew_Gw, lock: true },
  { op: 0x0fb0, name: 'cmpxchg_Eb_Gb', h: cmpxchg_Eb_Gb, lock: true },
  { op: 0x0fb1, name: 'cmpxchg_Ev_Gv', h: cmpxchg_Ev_Gv, h16: cmpxchg_Ew_Gw, lock: true },
  { op: 0x0fc7, reg: 1, name: 'cmpxchg8b_Mq', h: cmpxchg8b, lock: true },
];
