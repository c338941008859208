// Operand access shared by the instruction families: effective addresses,
// 8/16/32-bit registers, and the r/m operand of a ModRM byte (register when
// mod = 3, memory otherwise).
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { NOREG, P_A16 } from '../defs';
import { prd16, prd32, prd8, pwr16, pwr32, pwr8, rd16, rd32, rd8, rmw, wr16, wr32, wr8 } from '../access';

/** Byte offset in the register file of 8-bit register n: AL CL DL BL AH CH DH BH. */
export const R8 = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

/** Effective address (offset within the segment) of slot i's memory operand. */
export function ea(c: Cpu, i: number): number {
  const b = c.dBase[i], x = c.dIndex[i];
  let a = c.dDisp[i];
  if (b !== NOREG) a = (a + c.r[b]) | 0;
  if (x !== NOREG) a = (a + (c.r[x] << c.dScale[i])) | 0;
  return c.dPfx[i] & P_A16 ? a & 0xffff : a;
}

export function isReg(c: Cpu, i: number): boolean {
  return c.dModrm[i] >= 0xc0;
}
export function regField(c: Cpu, i: number): number {
  return (c.dModrm[i] >> 3) & 7;
}
export function rmField(c: Cpu, i: number): number {
  return c.dModrm[i] & 7;
}

// General registers by number.
export function getR8(c: Cpu, n: number): number {
  return c.r8[R8[n]];
}
export function setR8(c: Cpu, n: number, v: number): void {
  c.r8[R8[n]] = v;
}
export function getR16(c: Cpu, n: number): number {
  return c.r16[n << 1];
}
export function setR16(c: Cpu, n: number, v: number): void {
  c.r16[n << 1] = v;
}

// The r/m operand, read and written. Reads return 0 after a fault (check c.fault).
export function readE8(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  return m >= 0xc0 ? c.r8[R8[m & 7]] : rd8(c, c.dSeg[i], ea(c, i));
}
export function readE16(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  return m >= 0xc0 ? c.r16[(m & 7) << 1] : rd16(c, c.dSeg[i], ea(c, i));
}
export function readE32(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  return m >= 0xc0 ? c.r[m & 7] : rd32(c, c.dSeg[i], ea(c, i));
}
export function writeE8(c: Cpu, i: number, v: number): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) c.r8[R8[m & 7]] = v;
  else wr8(c, c.dSeg[i], ea(c, i), v);
}
export function writeE16(c: Cpu, i: number, v: number): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) c.r16[(m & 7) << 1] = v;
  else wr16(c, c.dSeg[i], ea(c, i), v);
}
export function writeE32(c: Cpu, i: number, v: number): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) c.r[m & 7] = v;
  else wr32(c, c.dSeg[i], ea(c, i), v);
}

/**
 * Read-modify-write of the r/m operand in two steps: rmwE* checks and
 * translates once (for writing) and returns the old value; commitE* stores
 * the result. The handle lives in c.rmwP between the two (-1 after a fault).
 * For a register operand the handle is -4 - regnum.
 */
export function rmwE8(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  if (m >= 0xc0) { c.rmwP = -4 - (m & 7); return c.r8[R8[m & 7]]; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 1);
  c.rmwP = p;
  return p === -1 ? 0 : prd8(c, p);
}
export function rmwE16(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  if (m >= 0xc0) { c.rmwP = -4 - (m & 7); return c.r16[(m & 7) << 1]; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 2);
  c.rmwP = p;
  return p === -1 ? 0 : prd16(c, p);
}
export function rmwE32(c: Cpu, i: number): number {
  const m = c.dModrm[i];
  if (m >= 0xc0) { c.rmwP = -4 - (m & 7); return c.r[m & 7]; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 4);
  c.rmwP = p;
  return p === -1 ? 0 : prd32(c, p);
}
export function commitE8(c: Cpu, v: number): void {
  const p = c.rmwP;
  if (p <= -4) c.r8[R8[-4 - p]] = v; else pwr8(c, p, v);
}
export function commitE16(c: Cpu, v: number): void {
  const p = c.rmwP;
  if (p <= -4) c.r16[(-4 - p) << 1] = v; else pwr16(c, p, v);
}
export function commitE32(c: Cpu, v: number): void {
  const p = c.rmwP;
  if (p <= -4) c.r[-4 - p] = v; else pwr32(c, p, v);
}

/** Relative branch: the target is the next EIP plus the displacement, wrapped to the operand size. */
export function jumpRel(c: Cpu, i: number, o16: boolean): void {
  const t = (c.nextEip + c.dImm[i]) | 0;
  c.nextEip = o16 ? t & 0xffff : t;
}

export { R };
