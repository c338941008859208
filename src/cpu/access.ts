// Guest memory as instructions see it: segment checks, then the software TLB,
// then RAM. Every function here may raise an exception; callers test c.fault
// right after and return at once.
//
// Fast paths: a flat segment (base 0, 4 GiB limit) skips the limit check; a
// TLB entry with the needed permission bits skips the page walk; an access that
// stays in one page and is 4-byte aligned is a single typed-array load.
import { R, SEG_SS } from '../shared/layout';
import type { Cpu } from './cpu';
import { ACC_READ, ACC_WRITE, ATTR_DB, ATTR_P, GP, SS_ } from './defs';
import { raise } from './exceptions';
import { translateSlow, UNBACKED } from './paging';

/** Physical-address value meaning "this access crosses a page": see c.split0 / c.split1. */
export const SPLIT = -3;

// ---- Segmentation ----

/**
 * Linear address of seg:off for a `size`-byte access, after the limit and type
 * checks the manuals require (#SS for SS, #GP otherwise, error code 0).
 */
export function segCheck(c: Cpu, seg: number, off: number, size: number, write: boolean): number {
  const r = c.r, o = R.SEG + seg * 4;
  const attr = r[o + 3], limit = r[o + 2] >>> 0;
  const vec = seg === SEG_SS ? SS_ : GP;
  if (!(attr & ATTR_P)) { raise(c, vec, 0); return 0; }
  const type = attr & 0xf;
  if (type & 8) {
    // Code segment: never writable, readable only with the R bit.
    if (write || !(type & 2)) { raise(c, vec, 0); return 0; }
  } else if (write && !(type & 2)) {
    raise(c, vec, 0); return 0;
  }
  const o0 = off >>> 0, last = o0 + size - 1;
  if (!(type & 8) && (type & 4)) {
    // Expand-down: valid offsets are limit+1 .. 0xffff or 0xffffffff.
    const top = attr & ATTR_DB ? 0xffffffff : 0xffff;
    if (o0 <= limit || last > top) { raise(c, vec, 0); return 0; }
  } else if (last > limit) {
    raise(c, vec, 0); return 0;
  }
  return (r[o + 1] + off) | 0;
}

export function linR(c: Cpu, seg: number, off: number, size: number): number {
  return (c.flatR >> seg) & 1 ? off : segCheck(c, seg, off, size, false);
}
export function linW(c: Cpu, seg: number, off: number, size: number): number {
  return (c.flatW >> seg) & 1 ? off : segCheck(c, seg, off, size, true);
}

// ---- Translation ----

function user(c: Cpu): boolean {
  return c.r[R.CPL] === 3;
}

/** Write-translate one page: invalidate decoded code there first (self-modifying code). */
function wslow(c: Cpu, lin: number, usr: boolean): number {
  const p = translateSlow(c, lin, ACC_WRITE, usr);
  if (p >= 0) {
    const ppn = p >>> 12;
    if (c.code.codeMark[ppn]) {
      c.code.invalidatePage(ppn);
      if (ppn === c.curPage) c.exit |= 4; // X_BLOCK: the running block may be stale
    }
  }
  return p;
}

/** Physical address for reading `size` bytes at linear `lin`, or SPLIT / UNBACKED, or -1 after a fault. */
export function rtr(c: Cpu, lin: number, size: number): number {
  const e = c.tlb[lin >>> 12];
  if ((e & c.needR) === c.needR && (lin & 0xfff) <= 4096 - size) return (e & ~0xfff) | (lin & 0xfff);
  return rtrSlow(c, lin, size, user(c));
}

function rtrSlow(c: Cpu, lin: number, size: number, usr: boolean): number {
  const p0 = translateSlow(c, lin, ACC_READ, usr);
  if (p0 === -1) return -1;
  if ((lin & 0xfff) <= 4096 - size) return p0;
  const p1 = translateSlow(c, (lin + size - 1) & ~0xfff, ACC_READ, usr);
  if (p1 === -1) return -1;
  c.split0 = p0; c.split1 = p1;
  return SPLIT;
}

/** Physical address for writing (or read-modify-writing) `size` bytes at `lin`. */
export function wtr(c: Cpu, lin: number, size: number): number {
  const e = c.tlb[lin >>> 12];
  if ((e & c.needW) === c.needW && (lin & 0xfff) <= 4096 - size) return (e & ~0xfff) | (lin & 0xfff);
  return wtrSlow(c, lin, size, user(c));
}

function wtrSlow(c: Cpu, lin: number, size: number, usr: boolean): number {
  const p0 = wslow(c, lin, usr);
  if (p0 === -1) return -1;
  if ((lin & 0xfff) <= 4096 - size) return p0;
  const p1 = wslow(c, (lin + size - 1) & ~0xfff, usr);
  if (p1 === -1) return -1;
  c.split0 = p0; c.split1 = p1;
  return SPLIT;
}

// ---- Physical access through a translated address ----

function byteAt(c: Cpu, p: number, k: number): number {
  // A split access: bytes before the page end come from split0, the rest from split1's page.
  const a = p === SPLIT ? splitAddr(c, k) : p + k;
  return a < 0 || a >= c.ramBytes ? 0xff : c.m8[a];
}
function setByteAt(c: Cpu, p: number, k: number, v: number): void {
  const a = p === SPLIT ? splitAddr(c, k) : p + k;
  if (a >= 0 && a < c.ramBytes) c.m8[a] = v;
}
function splitAddr(c: Cpu, k: number): number {
  const first = 4096 - (c.split0 & 0xfff);
  if (k < first) return c.split0 < 0 ? -1 : c.split0 + k;
  return c.split1 < 0 ? -1 : (c.split1 & ~0xfff) + (k - first);
}

export function prd8(c: Cpu, p: number): number {
  return p >= 0 ? c.m8[p] : 0xff;
}
export function prd16(c: Cpu, p: number): number {
  if (p >= 0) return c.m8[p] | (c.m8[p + 1] << 8);
  return byteAt(c, p, 0) | (byteAt(c, p, 1) << 8);
}
export function prd32(c: Cpu, p: number): number {
  if (p >= 0) {
    if ((p & 3) === 0) return c.m32[p >> 2];
    return c.m8[p] | (c.m8[p + 1] << 8) | (c.m8[p + 2] << 16) | (c.m8[p + 3] << 24);
  }
  if (p === UNBACKED) return -1;
  return byteAt(c, p, 0) | (byteAt(c, p, 1) << 8) | (byteAt(c, p, 2) << 16) | (byteAt(c, p, 3) << 24);
}
export function pwr8(c: Cpu, p: number, v: number): void {
  if (p >= 0) c.m8[p] = v;
}
export function pwr16(c: Cpu, p: number, v: number): void {
  if (p >= 0) { c.m8[p] = v; c.m8[p + 1] = v >> 8; return; }
  setByteAt(c, p, 0, v); setByteAt(c, p, 1, v >> 8);
}
export function pwr32(c: Cpu, p: number, v: number): void {
  if (p >= 0) {
    if ((p & 3) === 0) { c.m32[p >> 2] = v; return; }
    c.m8[p] = v; c.m8[p + 1] = v >> 8; c.m8[p + 2] = v >> 16; c.m8[p + 3] = v >> 24;
    return;
  }
  for (let k = 0; k < 4; k++) setByteAt(c, p, k, v >> (8 * k));
}

// ---- Segmented reads and writes: what most instructions use ----

export function rd8(c: Cpu, seg: number, off: number): number {
  const l = linR(c, seg, off, 1); if (c.fault) return 0;
  const p = rtr(c, l, 1); if (p === -1) return 0;
  return prd8(c, p);
}
export function rd16(c: Cpu, seg: number, off: number): number {
  const l = linR(c, seg, off, 2); if (c.fault) return 0;
  const p = rtr(c, l, 2); if (p === -1) return 0;
  return prd16(c, p);
}
export function rd32(c: Cpu, seg: number, off: number): number {
  const l = linR(c, seg, off, 4); if (c.fault) return 0;
  const p = rtr(c, l, 4); if (p === -1) return 0;
  return prd32(c, p);
}
export function wr8(c: Cpu, seg: number, off: number, v: number): void {
  const l = linW(c, seg, off, 1); if (c.fault) return;
  const p = wtr(c, l, 1); if (p === -1) return;
  pwr8(c, p, v);
}
export function wr16(c: Cpu, seg: number, off: number, v: number): void {
  const l = linW(c, seg, off, 2); if (c.fault) return;
  const p = wtr(c, l, 2); if (p === -1) return;
  pwr16(c, p, v);
}
export function wr32(c: Cpu, seg: number, off: number, v: number): void {
  const l = linW(c, seg, off, 4); if (c.fault) return;
  const p = wtr(c, l, 4); if (p === -1) return;
  pwr32(c, p, v);
}

/**
 * Start a read-modify-write of `size` bytes at seg:off: checks and translates
 * for writing once; returns the physical handle for prd* / pwr*, or -1 after a fault.
 */
export function rmw(c: Cpu, seg: number, off: number, size: number): number {
  const l = linW(c, seg, off, size); if (c.fault) return -1;
  return wtr(c, l, size);
}

// ---- System-structure accesses (GDT, LDT, IDT, TSS): supervisor, linear ----

export function sysRd32(c: Cpu, lin: number): number {
  const e = c.tlb[lin >>> 12];
  const p = (e & 1) && (lin & 0xfff) <= 4092 ? (e & ~0xfff) | (lin & 0xfff) : rtrSlow(c, lin, 4, false);
  if (p === -1) return 0;
  return prd32(c, p);
}
export function sysRd16(c: Cpu, lin: number): number {
  const p = rtrSlow(c, lin, 2, false);
  if (p === -1) return 0;
  return prd16(c, p);
}
export function sysRd8(c: Cpu, lin: number): number {
  const p = rtrSlow(c, lin, 1, false);
  if (p === -1) return 0;
  return prd8(c, p);
}
export function sysWr32(c: Cpu, lin: number, v: number): void {
  const p = wtrSlow(c, lin, 4, false);
  if (p !== -1) pwr32(c, p, v);
}
export function sysWr16(c: Cpu, lin: number, v: number): void {
  const p = wtrSlow(c, lin, 2, false);
  if (p !== -1) pwr16(c, p, v);
}

// ---- Stack ----

/** Stack-pointer arithmetic honouring SS.B: 16-bit stacks wrap SP and keep ESP's high half. */
export function spAdd(c: Cpu, sp: number, delta: number): number {
  return c.ss32 ? (sp + delta) | 0 : (sp & ~0xffff) | ((sp + delta) & 0xffff);
}
function spOff(c: Cpu, sp: number): number {
  return c.ss32 ? sp : sp & 0xffff;
}

export function push32(c: Cpu, v: number): void {
  const sp = spAdd(c, c.r[R.ESP], -4);
  wr32(c, SEG_SS, spOff(c, sp), v);
  if (!c.fault) c.r[R.ESP] = sp;
}
export function push16(c: Cpu, v: number): void {
  const sp = spAdd(c, c.r[R.ESP], -2);
  wr16(c, SEG_SS, spOff(c, sp), v);
  if (!c.fault) c.r[R.ESP] = sp;
}
export function pop32(c: Cpu): number {
  const sp = c.r[R.ESP];
  const v = rd32(c, SEG_SS, spOff(c, sp));
  if (!c.fault) c.r[R.ESP] = spAdd(c, sp, 4);
  return v;
}
export function pop16(c: Cpu): number {
  const sp = c.r[R.ESP];
  const v = rd16(c, SEG_SS, spOff(c, sp));
  if (!c.fault) c.r[R.ESP] = spAdd(c, sp, 2);
  return v;
}
/** Read the stack at ESP + k without moving it (for instructions that pop only after all checks). */
export function peek32(c: Cpu, k: number): number {
  return rd32(c, SEG_SS, spOff(c, spAdd(c, c.r[R.ESP], k)));
}
export function peek16(c: Cpu, k: number): number {
  return rd16(c, SEG_SS, spOff(c, spAdd(c, c.r[R.ESP], k)));
}
