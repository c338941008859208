// String instructions: MOVS CMPS STOS LODS SCAS (byte, word, dword; 16- and
// 32-bit address size) with REP/REPE/REPNE, and XLAT.
//
// The source is c.dSeg[i]:eSI (DS unless overridden); the destination is
// always ES:eDI. The address size picks SI/DI/CX (16-bit, wrapping, the upper
// halves kept) or ESI/EDI/ECX. DF = 1 walks downwards. MOVS/STOS/LODS treat
// F2 and F3 alike (REP); CMPS/SCAS stop early on ZF = 0 (F3, REPE) or ZF = 1
// (F2, REPNE).
//
// Counting (exec.ts): a REP instruction counts once per iteration, and once
// when it starts with a zero count. The run loop adds 1 for a handler that
// completes, so a call that performs n >= 1 iterations adds n - 1 itself. A
// call never goes past the instruction budget (c.limit - c.icount, this
// instruction included) nor past CHUNK iterations; if iterations remain it
// leaves c.nextEip on the instruction, which then resumes with the updated
// registers (ends: true makes it the last of its block, so the run loop gets
// to check the budget and interrupts in between). If an iteration faults
// after k completed in this call, the k are counted here and the registers
// describe exactly those k iterations: the instruction restarts where it was.
import { R, SEG_ES } from '../../shared/layout';
import { rd16, rd32, rd8, rtr, wr16, wr32, wr8, wtr } from '../access';
import type { Cpu } from '../cpu';
import { ATTR_DB, ATTR_P, DF, P_A16, P_REP, P_REPNE } from '../defs';
import type { Handler, OpRow } from '../table';
import { alu, SUB } from './alu';

const MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4;
/** Iterations per handler call at most, so a long REP leaves room for interrupts and slices. */
export const CHUNK = 4096;

/** Set by one iteration of CMPS/SCAS: the operands were equal (ZF). */
let lastEq = false;

function rdN(c: Cpu, seg: number, off: number, sz: number): number {
  return sz === 1 ? rd8(c, seg, off) : sz === 2 ? rd16(c, seg, off) : rd32(c, seg, off);
}
function wrN(c: Cpu, seg: number, off: number, sz: number, v: number): void {
  if (sz === 1) wr8(c, seg, off, v); else if (sz === 2) wr16(c, seg, off, v); else wr32(c, seg, off, v);
}
function accGet(c: Cpu, sz: number): number {
  return sz === 1 ? c.r8[0] : sz === 2 ? c.r16[0] : c.r[R.EAX];
}
function accSet(c: Cpu, sz: number, v: number): void {
  if (sz === 1) c.r8[0] = v; else if (sz === 2) c.r16[0] = v; else c.r[R.EAX] = v;
}

/** Advance index register n by d (16-bit address size: SI/DI wrap, the upper half stays). */
function adv(c: Cpu, n: number, a16: boolean, d: number): void {
  if (a16) c.r16[n << 1] = c.r16[n << 1] + d;
  else c.r[n] = (c.r[n] + d) | 0;
}

/** One iteration (no count change). Returns false after a fault, with nothing changed. */
function once(c: Cpu, i: number, kind: number, sz: number, a16: boolean, d: number): boolean {
  const si = a16 ? c.r16[R.ESI << 1] : c.r[R.ESI];
  const di = a16 ? c.r16[R.EDI << 1] : c.r[R.EDI];
  const sizeIdx = sz === 4 ? 2 : sz - 1;
  switch (kind) {
    case MOVS: {
      const v = rdN(c, c.dSeg[i], si, sz); if (c.fault) return false;
      wrN(c, SEG_ES, di, sz, v); if (c.fault) return false;
      adv(c, R.ESI, a16, d); adv(c, R.EDI, a16, d);
      return true;
    }
    case CMPS: {
      const a = rdN(c, c.dSeg[i], si, sz); if (c.fault) return false;
      const b = rdN(c, SEG_ES, di, sz); if (c.fault) return false;
      lastEq = a === b;
      alu(c.r, SUB, sizeIdx, a, b);
      adv(c, R.ESI, a16, d); adv(c, R.EDI, a16, d);
      return true;
    }
    case STOS:
      wrN(c, SEG_ES, di, sz, accGet(c, sz)); if (c.fault) return false;
      adv(c, R.EDI, a16, d);
      return true;
    case LODS: {
      const v = rdN(c, c.dSeg[i], si, sz); if (c.fault) return false;
      accSet(c, sz, v);
      adv(c, R.ESI, a16, d);
      return true;
    }
    default: { // SCAS
      const b = rdN(c, SEG_ES, di, sz); if (c.fault) return false;
      const a = accGet(c, sz);
      lastEq = a === b;
      alu(c.r, SUB, sizeIdx, a, b);
      adv(c, R.EDI, a16, d);
      return true;
    }
  }
}

// ---- The fast path for REP MOVS / REP STOS ----
//
// Within one page of source and one of destination, a run of iterations is a
// typed-array copy or fill after one translation of each page. It skips the
// per-element segment checks (the whole run is checked at once, without
// raising: a run that would fault goes element by element, which then faults
// at the right element) and the per-element TLB lookups (a page's translation
// cannot change during the run). Writes translate through wtr(), which
// invalidates decoded code on the page first, as any write does. Overlapping
// runs are copied only when memmove order equals element order.

/** Linear address of seg:[off, off+bytes) when the whole range passes the segment checks, else -1 (no fault raised). */
function segRange(c: Cpu, seg: number, off: number, bytes: number, write: boolean): number {
  const bit = 1 << seg;
  if ((write ? c.flatW : c.flatR) & bit) return off;
  const o = R.SEG + seg * 4, attr = c.r[o + 3], limit = c.r[o + 2] >>> 0;
  if (!(attr & ATTR_P)) return -1;
  const type = attr & 0xf;
  if (type & 8 ? write || !(type & 2) : write && !(type & 2)) return -1;
  const lo = off >>> 0, hi = lo + bytes - 1;
  if (!(type & 8) && (type & 4)) {
    if (lo <= limit || hi > (attr & ATTR_DB ? 0xffffffff : 0xffff)) return -1;
  } else if (hi > limit) {
    return -1;
  }
  return (c.r[o + 1] + off) | 0;
}

/** Elements of size sz from linear `lin` in direction d that stay in lin's page. */
function pageRoom(lin: number, sz: number, d: number): number {
  const o = lin & 0xfff;
  if (o + sz > 4096) return 0;
  return d > 0 ? ((4096 - o) / sz) | 0 : ((o / sz) | 0) + 1;
}

/**
 * Up to `max` iterations of REP MOVS (kind MOVS) or REP STOS with a 32-bit
 * address size, as a bulk operation. Returns how many were done (0: use the
 * element path). Registers are updated for the iterations done.
 */
function bulk(c: Cpu, i: number, kind: number, sz: number, d: number, max: number): number {
  const r = c.r, di = r[R.EDI];
  const dBase = r[R.SEG + SEG_ES * 4 + 1];
  const dLin = (dBase + di) | 0;
  let n = pageRoom(dLin, sz, d);
  if (n > max) n = max;
  let sLin = 0;
  const si = r[R.ESI], sSeg = c.dSeg[i];
  if (kind === MOVS) {
    sLin = (r[R.SEG + sSeg * 4 + 1] + si) | 0;
    const ns = pageRoom(sLin, sz, d);
    if (ns < n) n = ns;
  }
  if (n < 2) return 0;
  const bytes = n * sz, back = d < 0 ? (n - 1) * sz : 0;
  if (segRange(c, SEG_ES, (di - back) | 0, bytes, true) === -1) return 0;
  if (kind === MOVS && segRange(c, sSeg, (si - back) | 0, bytes, false) === -1) return 0;
  // Translate in element order (source, then destination), at the first
  // element's addresses: a fault here is the one its first iteration raises.
  let ps = 0;
  if (kind === MOVS) {
    ps = rtr(c, sLin, sz);
    if (ps < 0) return 0; // fault (raised: the caller sees c.fault), or unbacked
  }
  const pd = wtr(c, dLin, sz);
  if (pd < 0) return 0;
  const lowD = pd - back, m8 = c.m8;
  if (kind === MOVS) {
    const lowS = ps - back;
    // Element order equals memmove order unless the destination overlaps the
    // source on the side the elements walk towards.
    const overlap = lowD < lowS + bytes && lowS < lowD + bytes;
    if (overlap && (d > 0 ? lowD > lowS : lowD < lowS)) return 0;
    m8.copyWithin(lowD, lowS, lowS + bytes);
    r[R.ESI] = (si + n * d) | 0;
  } else if (sz === 1) {
    m8.fill(r[R.EAX] & 0xff, lowD, lowD + bytes);
  } else if (sz === 4 && (lowD & 3) === 0) {
    c.m32.fill(r[R.EAX], lowD >> 2, (lowD + bytes) >> 2);
  } else {
    const v = r[R.EAX];
    for (let p = lowD; p < lowD + bytes; p += sz) {
      m8[p] = v; m8[p + 1] = v >> 8;
      if (sz === 4) { m8[p + 2] = v >> 16; m8[p + 3] = v >> 24; }
    }
  }
  r[R.EDI] = (di + n * d) | 0;
  return n;
}

/** One string instruction, repeated or not. */
function str(c: Cpu, i: number, kind: number, sz: number): void {
  const pfx = c.dPfx[i];
  const a16 = (pfx & P_A16) !== 0;
  const d = c.r[R.EFLAGS] & DF ? -sz : sz;
  if (!(pfx & (P_REP | P_REPNE))) { once(c, i, kind, sz, a16, d); return; }
  let count = a16 ? c.r16[R.ECX << 1] : c.r[R.ECX] >>> 0;
  if (count === 0) return; // counts once, as a completed instruction
  let budget = c.limit - c.icount;
  if (budget > CHUNK) budget = CHUNK;
  if (budget < 1) budget = 1;
  const cond = kind === CMPS || kind === SCAS;
  const stopEq = (pfx & P_REPNE) !== 0; // REPNE stops on equal, REPE on not equal
  const canBulk = !a16 && (kind === MOVS || kind === STOS);
  let done = 0, stopped = false;
  while (done < budget && count !== 0) {
    if (canBulk) {
      const max = budget - done < count ? budget - done : count;
      const n = bulk(c, i, kind, sz, d, max);
      if (c.fault) break;
      if (n > 0) {
        count -= n;
        c.r[R.ECX] = count | 0;
        done += n;
        continue;
      }
    }
    if (!once(c, i, kind, sz, a16, d)) break;
    count--;
    if (a16) c.r16[R.ECX << 1] = count; else c.r[R.ECX] = count | 0;
    done++;
    if (cond && lastEq === stopEq) { stopped = true; break; }
  }
  if (c.fault) { c.icount += done; return; }
  c.icount += done - 1;
  if (count !== 0 && !stopped) c.nextEip = c.r[R.EIP];
}

/** XLAT: AL = [seg:eBX + AL]. */
const xlat: Handler = (c, i) => {
  const a16 = (c.dPfx[i] & P_A16) !== 0;
  const off = a16 ? (c.r16[R.EBX << 1] + c.r8[0]) & 0xffff : (c.r[R.EBX] + c.r8[0]) | 0;
  const v = rd8(c, c.dSeg[i], off); if (c.fault) return;
  c.r8[0] = v;
};

function h(kind: number, sz: number): Handler {
  return (c, i) => str(c, i, kind, sz);
}

export const rows: OpRow[] = [
  { op: 0xa4, name: 'movsb_Yb_Xb', h: h(MOVS, 1), ends: true },
  { op: 0xa5, name: 'movs_Yv_Xv', h: h(MOVS, 4), h16: h(MOVS, 2), ends: true },
  { op: 0xa6, name: 'cmpsb_Xb_Yb', h: h(CMPS, 1), ends: true },
  { op: 0xa7, name: 'cmps_Xv_Yv', h: h(CMPS, 4), h16: h(CMPS, 2), ends: true },
  { op: 0xaa, name: 'stosb_Yb_AL', h: h(STOS, 1), ends: true },
  { op: 0xab, name: 'stos_Yv_eAX', h: h(STOS, 4), h16: h(STOS, 2), ends: true },
  { op: 0xac, name: 'lodsb_AL_Xb', h: h(LODS, 1), ends: true },
  { op: 0xad, name: 'lods_eAX_Xv', h: h(LODS, 4), h16: h(LODS, 2), ends: true },
  { op: 0xae, name: 'scasb_AL_Yb', h: h(SCAS, 1), ends: true },
  { op: 0xaf, name: 'scas_eAX_Yv', h: h(SCAS, 4), h16: h(SCAS, 2), ends: true },
  { op: 0xd7, name: 'xlat', h: xlat },
];
