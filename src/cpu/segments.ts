// Descriptor tables: fetching 8-byte descriptors from the GDT/LDT and turning
// them into the cached (hidden) part of a segment register.
import { R } from '../shared/layout';
import type { Cpu } from './cpu';
import { sysRd32 } from './access';
import { raise } from './exceptions';

/**
 * Fetch the descriptor for selector `sel` into c.descLo / c.descHi. When the
 * selector lies outside its table, raise `vec` with error code `sel & ~3 | ext`
 * and return false. Page faults on the table itself are raised as they are.
 */
export function fetchDescriptor(c: Cpu, sel: number, vec: number, ext = 0): boolean {
  const r = c.r;
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

/** A null selector in DS/ES/FS/GS: loads fine, faults on use (present bit clear). */
export function loadNullSeg(c: Cpu, seg: number, sel: number): void {
  c.setSeg(seg, sel, 0, 0, 0);
}
