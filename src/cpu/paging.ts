// The page walker: the slow path behind the software TLB. It walks 2-level
// (with PSE 4 MiB pages) or PAE 3-level tables (64-bit entries, 2 MiB pages, NX
// under EFER.NXE), checks permissions, writes accessed and dirty bits back, and
// fills one 4 KiB TLB entry. A refusal raises #PF with the architectural error
// code and CR2.
import { R } from '../shared/layout';
import type { Cpu } from './cpu';
import {
  ACC_EXEC, ACC_WRITE, CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_PSE, EFER_NXE, PF_, TLB_GLOBAL,
  TLB_SUP_W, TLB_USER_R, TLB_USER_W, TLB_VALID, TLB_X,
} from './defs';
import { raise } from './exceptions';

// Page-table entry bits.
const P = 0x1, RW = 0x2, US = 0x4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
// #PF error-code bits.
export const PFE_P = 1, PFE_W = 2, PFE_U = 4, PFE_RSVD = 8, PFE_I = 16;

/** Physical address returned for memory that has no RAM behind it. */
export const UNBACKED = -2;

// PAE reserved bits in the high dword with a 36-bit physical address width: 62..36.
const PAE_HI_RSVD = 0x7ffffff0;
// Under long-mode paging (pdpteLong: how 64-bit Xen runs a 32-bit PV guest)
// bits 62..52 are free for software; only 51..36 are reserved.
const LONG_HI_RSVD = 0x000ffff0;

function rd32(c: Cpu, pa: number): number {
  return pa + 4 <= c.ramBytes ? c.m32[pa >>> 2] : 0;
}
function wr32(c: Cpu, pa: number, v: number): void {
  if (pa + 4 <= c.ramBytes) c.m32[pa >>> 2] = v;
}

function pageFault(c: Cpu, lin: number, err: number): number {
  c.r[R.CR2] = lin;
  raise(c, PF_, err);
  return -1;
}

/**
 * Translate linear address `lin` for an access of kind `acc` (ACC_*). `user` is
 * true for CPL-3 accesses other than implicit system-structure accesses.
 * Returns the physical address, UNBACKED, or -1 after raising #PF.
 */
export function translateSlow(c: Cpu, lin: number, acc: number, user: boolean): number {
  const r = c.r;
  const vpn = lin >>> 12;
  if (!(r[R.CR0] & CR0_PG)) {
    const phys = lin >>> 0;
    if (phys >= c.ramBytes) return UNBACKED;
    fill(c, vpn, phys >>> 12, true, true, true, true, false);
    return phys;
  }
  const write = acc === ACC_WRITE;
  const pae = (r[R.CR4] & CR4_PAE) !== 0;
  // Execute-disable exists only in PAE paging; EFER.NXE means nothing to 2-level tables.
  const nxe = pae && (r[R.EFER] & EFER_NXE) !== 0;
  // I/D is reported only when execute-disable is enabled, as on Intel processors.
  const errBase = (write ? PFE_W : 0) | (user ? PFE_U : 0) | (acc === ACC_EXEC && nxe ? PFE_I : 0);
  let writable = true, usr = true, nx = false, global = false;
  let entAddr: number, ent: number, entHi = 0, frame: number;

  if (pae) {
    const pdpteAddr = (r[R.CR3] & ~0x1f) + ((lin >>> 30) << 3);
    const pdpte = rd32(c, pdpteAddr >>> 0);
    if (!(pdpte & P)) return pageFault(c, lin, errBase);
    // Legacy-PAE PDPTEs have no R/W, U/S or NX bits.
    const pdpteHi = rd32(c, (pdpteAddr + 4) >>> 0);
    const hiRsvd = c.pdpteLong ? LONG_HI_RSVD : PAE_HI_RSVD;
    if (c.pdpteLong) {
      // 64-bit Xen runs a 32-bit guest's L3 as a long-mode PDPT: R/W, U/S, A and
      // NX take part in the walk, and PS (1 GiB pages) is reserved.
      if ((pdpteHi & LONG_HI_RSVD) || (!nxe && pdpteHi < 0) || (pdpte & PS)) return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
      writable = (pdpte & RW) !== 0; usr = (pdpte & US) !== 0; nx = pdpteHi < 0;
    } else if ((pdpteHi & 0xfffffff0) !== 0 || (pdpte & 0x1e6) !== 0) {
      return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
    }
    entAddr = ((pdpte & ~0xfff) >>> 0) + (((lin >>> 21) & 0x1ff) << 3);
    ent = rd32(c, entAddr); entHi = rd32(c, entAddr + 4);
    if (!(ent & P)) return pageFault(c, lin, errBase);
    if ((entHi & hiRsvd) || (!nxe && entHi < 0)) return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
    writable = writable && (ent & RW) !== 0; usr = usr && (ent & US) !== 0; nx = nx || entHi < 0;
    if (c.pdpteLong && !(pdpte & A)) wr32(c, pdpteAddr >>> 0, pdpte | A);
    if (ent & PS) {
      if (ent & 0x1fe000) return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
      if (entHi & 0xf) return UNBACKED;
      frame = ((ent & 0xffe00000) >>> 12) + ((lin >>> 12) & 0x1ff);
      global = (ent & G) !== 0;
    } else {
      const pdeAddr = entAddr;
      const pde = ent;
      entAddr = ((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x1ff) << 3);
      ent = rd32(c, entAddr); entHi = rd32(c, entAddr + 4);
      if (!(ent & P)) return pageFault(c, lin, errBase);
      if ((entHi & hiRsvd) || (!nxe && entHi < 0)) return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
      writable = writable && (ent & RW) !== 0; usr = usr && (ent & US) !== 0; nx = nx || entHi < 0;
      const err = check(c, acc, user, writable, usr, nx, nxe);
      if (err >= 0) return pageFault(c, lin, errBase | PFE_P | err);
      if (!(pde & A)) wr32(c, pdeAddr, pde | A);
      if (entHi & 0xf) return UNBACKED;
      frame = ent >>> 12;
      global = (ent & G) !== 0;
    }
  } else {
    const pdeAddr = (r[R.CR3] & ~0xfff) + ((lin >>> 22) << 2);
    ent = rd32(c, pdeAddr >>> 0);
    entAddr = pdeAddr >>> 0;
    if (!(ent & P)) return pageFault(c, lin, errBase);
    writable = (ent & RW) !== 0; usr = (ent & US) !== 0;
    if ((ent & PS) && (r[R.CR4] & CR4_PSE)) {
      // Without PSE-36, bits 21:13 of a 4 MiB PDE are reserved.
      if (ent & 0x3fe000) return pageFault(c, lin, errBase | PFE_P | PFE_RSVD);
      frame = ((ent & 0xffc00000) >>> 12) + ((lin >>> 12) & 0x3ff);
      global = (ent & G) !== 0;
    } else {
      const pde = ent;
      entAddr = ((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x3ff) << 2);
      ent = rd32(c, entAddr);
      if (!(ent & P)) return pageFault(c, lin, errBase);
      writable = writable && (ent & RW) !== 0; usr = usr && (ent & US) !== 0;
      const err = check(c, acc, user, writable, usr, false, false);
      if (err >= 0) return pageFault(c, lin, errBase | PFE_P | err);
      if (!(pde & A)) wr32(c, pdeAddr >>> 0, pde | A);
      frame = ent >>> 12;
      global = (ent & G) !== 0;
    }
  }
  const err = check(c, acc, user, writable, usr, nx, nxe);
  if (err >= 0) return pageFault(c, lin, errBase | PFE_P | err);
  // The final entry (PTE, or the large-page PDE): accessed, and dirty on a write.
  const upd = ent | A | (write ? D : 0);
  if (upd !== ent) wr32(c, entAddr, upd);
  const dirty = (upd & D) !== 0;
  const phys = frame * 4096 + (lin & 0xfff);
  if (phys >= c.ramBytes) return UNBACKED;
  const supW = (writable || !(r[R.CR0] & CR0_WP)) && dirty;
  const pge = (r[R.CR4] & CR4_PGE) !== 0;
  fill(c, vpn, frame, supW, usr, usr && writable && dirty, !(nxe && nx), global && pge);
  return phys;
}

/** Permission check: -1 when allowed, else 0 (a protection violation). */
function check(c: Cpu, acc: number, user: boolean, writable: boolean, usr: boolean, nx: boolean, nxe: boolean): number {
  if (user && !usr) return 0;
  if (acc === ACC_WRITE) {
    if (user ? !writable : !writable && (c.r[R.CR0] & CR0_WP) !== 0) return 0;
  } else if (acc === ACC_EXEC && nxe && nx) {
    return 0;
  }
  return -1;
}

function fill(c: Cpu, vpn: number, ppn: number, supW: boolean, userR: boolean, userW: boolean, exec: boolean, global: boolean): void {
  let e = (ppn << 12) | TLB_VALID;
  // Pages holding decoded code never get a fast write path (see codecache.ts).
  const code = c.code.codeMark[ppn] !== 0;
  if (supW && !code) e |= TLB_SUP_W;
  if (userR) e |= TLB_USER_R;
  if (userW && !code) e |= TLB_USER_W;
  if (exec) e |= TLB_X;
  if (global) e |= TLB_GLOBAL;
  c.tlbSet(vpn, e);
}
