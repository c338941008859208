// Descriptor tables: fetching 8-byte descriptors from the GDT/LDT, the checks
// the manuals list for loading a data or stack segment register (Intel SDM
// vol. 2, MOV/POP/LDS pseudo-code), the accessed bit, and building frames on a
// stack segment that is not (yet) the current one. Far transfers (ops/far.ts)
// and interrupt delivery (deliver.ts) load CS and SS with their own checks and
// use the helpers here.
//
// Error codes for selector faults are the selector with its RPL bits replaced
// by EXT (bit 0) and IDT (bit 1): `sel & 0xfffc | ext`.
import { R, SEG_SS } from '../shared/layout';
import { type Cpu, DESC_OK, DESC_OUTSIDE } from './cpu';
import { pwr16, pwr32, sysRd16, sysRd32, sysWr16, sysWr32, wtr } from './access';
import { ATTR_DB, GP, NP, SS_, TS } from './defs';
import { raise } from './exceptions';

// Bits of a descriptor's high dword.
export const D_ACCESSED = 0x100;
/** Data: writable. Code: readable. */
export const D_RW = 0x200;
/** Data: expand-down. Code: conforming. */
export const D_EC = 0x400;
export const D_CODE = 0x800;
/** Code or data (clear for system descriptors and gates). */
export const D_S = 0x1000;
export const D_P = 0x8000;
export const D_DB = 0x400000;

export function descDpl(hi: number): number {
  return (hi >> 13) & 3;
}

/**
 * Fetch the descriptor for selector `sel` into c.descLo / c.descHi. When the
 * selector lies outside its table, raise `vec` with error code `sel & ~3 | ext`
 * and return false. Page faults on the table itself are raised as they are.
 */
export function fetchDescriptor(c: Cpu, sel: number, vec: number, ext = 0): boolean {
  const r = c.r;
  if (c.descHook !== null) {
    const rc = c.descHook.fetch(c, sel);
    if (rc === DESC_OUTSIDE) raise(c, vec, (sel & 0xfffc) | ext);
    return rc === DESC_OK && !c.fault;
  }
  const ldt = (sel & 4) !== 0;
  const base = ldt ? r[R.LDTR + 1] : r[R.GDTR_BASE];
  const limit = ldt ? r[R.LDTR + 2] : r[R.GDTR_LIMIT];
  const index = sel & ~7 & 0xffff;
  if ((ldt && !(r[R.LDTR + 3] & 0x80)) || index + 7 > (limit >>> 0)) {
    raise(c, vec, (sel & 0xfffc) | ext);
    return false;
  }
  c.descAddr = (base + index) | 0;
  c.descLo = sysRd32(c, c.descAddr);
  if (c.fault) return false;
  c.descHi = sysRd32(c, (c.descAddr + 4) | 0);
  return !c.fault;
}

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

/** Byte-granular limit (G scales by 4 KiB). */
export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((raw << 12) | 0xfff) : raw;
}

/** The attribute word kept in a segment cache: descriptor bits 40..47 and 52..55. */
export function descAttr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

/** Load segment register `seg` from the descriptor just fetched (checks already done). */
export function loadSegFromDesc(c: Cpu, seg: number, sel: number): void {
  c.setSeg(seg, sel, descBase(c.descLo, c.descHi), descLimit(c.descLo, c.descHi), descAttr(c.descHi));
}

/** Load segment register `seg` from a descriptor held in locals (checks already done). */
export function setSegDesc(c: Cpu, seg: number, sel: number, lo: number, hi: number): void {
  c.setSeg(seg, sel, descBase(lo, hi), descLimit(lo, hi), descAttr(hi));
}

/** A null selector in DS/ES/FS/GS: loads fine, faults on use (present bit clear). */
export function loadNullSeg(c: Cpu, seg: number, sel: number): void {
  c.setSeg(seg, sel, 0, 0, 0);
}

/**
 * Set the accessed bit of a descriptor in memory (the processor does this on
 * every segment load that finds it clear). `addr` is the descriptor's linear
 * address; the write is a supervisor write to the GDT/LDT and may fault (#PF on
 * a read-only mapping with CR0.WP). Returns the high dword with the bit set.
 */
export function markAccessed(c: Cpu, addr: number, hi: number): number {
  if (hi & D_ACCESSED) return hi;
  if (c.descHook !== null) {
    c.descHook.setAccessed(c, addr, hi | D_ACCESSED);
    return hi | D_ACCESSED;
  }
  sysWr16(c, (addr + 4) | 0, (hi | D_ACCESSED) & 0xffff);
  return hi | D_ACCESSED;
}

/**
 * The checks for loading `sel` into ES, DS, FS or GS (SDM MOV Sreg): a null
 * selector is fine; otherwise the index must be inside its table (#GP(sel)),
 * the segment data or readable code (#GP(sel)), and for data or non-conforming
 * code RPL <= DPL and CPL <= DPL (#GP(sel)); then present (#NP(sel)). Sets the
 * accessed bit. On success the descriptor is in c.descLo / c.descHi (unless
 * null) and nothing architectural has changed; commit with commitDataSeg.
 */
export function checkDataSeg(c: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return true;
  if (!fetchDescriptor(c, sel, GP)) return false;
  const hi = c.descHi, err = sel & 0xfffc, dpl = descDpl(hi);
  const privOk = (sel & 3) <= dpl && c.r[R.CPL] <= dpl;
  if (!(hi & D_S)) { raise(c, GP, err); return false; }
  if (hi & D_CODE) {
    if (!(hi & D_RW) || (!(hi & D_EC) && !privOk)) { raise(c, GP, err); return false; }
  } else if (!privOk) {
    raise(c, GP, err); return false;
  }
  if (!(hi & D_P)) { raise(c, NP, err); return false; }
  c.descHi = markAccessed(c, c.descAddr, hi);
  return !c.fault;
}

/** Load ES/DS/FS/GS after checkDataSeg succeeded for `sel`. */
export function commitDataSeg(c: Cpu, seg: number, sel: number): void {
  if ((sel & 0xfffc) === 0) loadNullSeg(c, seg, sel);
  else loadSegFromDesc(c, seg, sel);
}

/** checkDataSeg, then commitDataSeg. Returns false after raising. */
export function loadDataSeg(c: Cpu, seg: number, sel: number): boolean {
  if (!checkDataSeg(c, sel)) return false;
  commitDataSeg(c, seg, sel);
  return true;
}

/**
 * The checks for loading `sel` into SS (SDM MOV/POP/LSS): null is #GP(0);
 * outside its table, RPL != CPL, DPL != CPL or not a writable data segment is
 * #GP(sel); not present is #SS(sel). Sets the accessed bit. On success the
 * descriptor is in c.descLo / c.descHi; commit with loadSegFromDesc.
 */
export function checkStackSeg(c: Cpu, sel: number): boolean {
  const cpl = c.r[R.CPL];
  if ((sel & 0xfffc) === 0) { raise(c, GP, 0); return false; }
  if (!fetchDescriptor(c, sel, GP)) return false;
  const hi = c.descHi, err = sel & 0xfffc;
  if ((sel & 3) !== cpl || descDpl(hi) !== cpl || (hi & (D_S | D_CODE | D_RW)) !== (D_S | D_RW)) {
    raise(c, GP, err); return false;
  }
  if (!(hi & D_P)) { raise(c, SS_, err); return false; }
  c.descHi = markAccessed(c, c.descAddr, hi);
  return !c.fault;
}

/** checkStackSeg, then load SS. Returns false after raising. */
export function loadStackSeg(c: Cpu, sel: number): boolean {
  if (!checkStackSeg(c, sel)) return false;
  loadSegFromDesc(c, SEG_SS, sel);
  return true;
}

// ---- Frames on a stack segment given by its cached parts ----

/**
 * Whether offsets off .. off+size-1 lie inside a data segment with byte limit
 * `limit` and cache attributes `attr`: below the limit for expand-up, above it
 * (and below 64 KiB or 4 GiB by the B bit) for expand-down.
 */
export function segRangeOk(limit: number, attr: number, off: number, size: number): boolean {
  const o = off >>> 0, last = o + size - 1, lim = limit >>> 0;
  if ((attr & 0x1c) === 0x14) {
    const top = attr & ATTR_DB ? 0xffffffff : 0xffff;
    return o > lim && last <= top;
  }
  return last <= lim;
}

/** Values to push, in push order, for writeFrame (module scratch: no allocation per transfer). */
export const frameVals = new Int32Array(48);

function spDown(s: number, w: number, b32: boolean): number {
  return b32 ? (s - w) | 0 : (s & ~0xffff) | ((s - w) & 0xffff);
}

/**
 * Whether `n` slots of `w` bytes (2 or 4) fit below stack pointer `sp` in a
 * stack segment with this limit and these attributes. Raises nothing: the
 * caller raises #SS with the error code its pseudo-code gives.
 */
export function frameFits(n: number, w: number, sp: number, limit: number, attr: number): boolean {
  const b32 = (attr & ATTR_DB) !== 0;
  let s = sp;
  for (let k = 0; k < n; k++) {
    s = spDown(s, w, b32);
    if (!segRangeOk(limit, attr, b32 ? s : s & 0xffff, w)) return false;
  }
  return true;
}

/**
 * Push frameVals[0 .. n) as `w`-byte slots below `sp` on the stack segment with
 * this base and these attributes (checked by frameFits first): as supervisor
 * writes when `sup` (the stack of a more privileged level), else at the
 * current CPL. Returns the new stack pointer (a 16-bit stack wraps SP and keeps
 * the upper half); after a fault (#PF), `sp` with c.fault set.
 */
export function writeFrame(c: Cpu, n: number, w: number, sp: number, base: number, attr: number, sup: boolean): number {
  const b32 = (attr & ATTR_DB) !== 0;
  let s = sp;
  for (let k = 0; k < n; k++) {
    s = spDown(s, w, b32);
    const lin = (base + (b32 ? s : s & 0xffff)) | 0, v = frameVals[k];
    if (sup) {
      if (w === 4) sysWr32(c, lin, v); else sysWr16(c, lin, v);
    } else {
      const p = wtr(c, lin, w);
      if (p !== -1) { if (w === 4) pwr32(c, p, v); else pwr16(c, p, v); }
    }
    if (c.fault) return sp;
  }
  return s;
}

// ---- The inner stacks in the TSS ----

/** What readTssStack found: the new SS selector and stack pointer. */
export const tssStack = { ss: 0, sp: 0 };

/**
 * Read the stack for privilege level `dpl` from the current TSS (32- or
 * 16-bit by the TR type) and check it as the SDM's CALL and INT pseudo-code
 * do: TSS too short for the entry is #TS(TR | ext); a null SS is #TS(ext); an
 * SS outside its table, with RPL or DPL != dpl, or not a writable data segment
 * is #TS(ss | ext); not present is #SS(ss | ext). On success the result is in
 * tssStack and the SS descriptor in c.descLo / c.descHi / c.descAddr.
 */
export function readTssStack(c: Cpu, dpl: number, ext: number): boolean {
  const r = c.r;
  const tss32 = (r[R.TR + 3] & 0x8) !== 0;
  const trBase = r[R.TR + 1], trLimit = r[R.TR + 2] >>> 0;
  const at = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (at + (tss32 ? 5 : 3) > trLimit) { raise(c, TS, (r[R.TR] & 0xfffc) | ext); return false; }
  const sp = tss32 ? sysRd32(c, (trBase + at) | 0) : sysRd16(c, (trBase + at) | 0);
  if (c.fault) return false;
  const ss = sysRd16(c, (trBase + at + (tss32 ? 4 : 2)) | 0);
  if (c.fault) return false;
  if ((ss & 0xfffc) === 0) { raise(c, TS, ext); return false; }
  const err = (ss & 0xfffc) | ext;
  if ((ss & 3) !== dpl) { raise(c, TS, err); return false; }
  if (!fetchDescriptor(c, ss, TS, ext)) return false;
  const hi = c.descHi;
  if (descDpl(hi) !== dpl || (hi & (D_S | D_CODE | D_RW)) !== (D_S | D_RW)) { raise(c, TS, err); return false; }
  if (!(hi & D_P)) { raise(c, SS_, err); return false; }
  tssStack.ss = ss;
  tssStack.sp = sp;
  return true;
}
