// System instructions: descriptor-table registers (LGDT LIDT SGDT SIDT),
// CR0's machine-status word (SMSW LMSW CLTS), MOV to and from the control and
// debug registers, INVLPG, the cache no-ops WBINVD/INVD, HLT and UD2; and the
// selector instructions SLDT STR LLDT LTR VERR VERW (0F 00), LAR LSL and ARPL.
//
// What the guest sees, and what we simplify:
// - privileged() is the one gate for CPL-0-only instructions. At CPL > 0 it
//   either exits to the embedder (INT_PRIV: a PV hypervisor emulating its
//   ring-1 kernel's privileged instructions; EIP stays on the instruction and
//   R.EXIT_NEXT_EIP says where the next one starts) or raises #GP(0).
// - MOV CR/DR ignore the ModRM mod field (always a register), as the SDM says.
//   The shared decoder reads a displacement for mod != 3, so the handlers give
//   those bytes back by moving c.nextEip (the rows end their block, so nothing
//   is decoded from the wrong offset).
// - CR0: reserved bits are ignored and read back as zero (legacy-mode rule), ET
//   is always 1, PG without PE and NW without CD are #GP(0). Clearing PE is
//   #GP(0) too: real mode is not supported. CR4 accepts TSD DE PSE PAE PGE PCE;
//   any other bit is #GP(0) (no VME/PVI, MCE, OSFXSR...).
// - PAE PDPTEs are not cached at a CR3/CR0/CR4 load as on hardware (the walker
//   reads them every walk), but a load that would cache a present PDPTE with
//   reserved bits set is #GP(0), as the SDM requires (not under c.pdpteLong).
// - Debug registers are stored (DR4/DR5 alias DR6/DR7 unless CR4.DE, which
//   makes them #UD; DR6/DR7 fixed bits read back as the SDM gives them) and
//   DR7.GD makes the next MOV DR a #DB with DR6.BD, but breakpoints themselves
//   never fire.
// - HLT at CPL 0 always leaves run() with EXIT_HLT, retired: with INT_HLT the
//   embedder decides what halting means; otherwise R.HALTED is set and the run
//   loop wakes on a pending interrupt when IF = 1.
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { rd16, rd32, rmw, sysWr32, wr16, wr32 } from '../access';
import {
  CR0_AM, CR0_EM, CR0_ET, CR0_MP, CR0_NE, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR4_DE, CR4_PAE, CR4_PGE,
  CR4_PSE, CR4_TSD, DB, EXIT_HLT, EXIT_PRIV, GP, INT_HLT, INT_PRIV, NOREG, NP, P_A16, ZF,
} from '../defs';
import { exitWith, NOERR, raise, raiseGP, raiseUD } from '../exceptions';
import type { Handler, OpRow } from '../table';
import { setArith } from '../flags';
import { descAttr, descBase, descLimit, fetchDescriptor } from '../segments';
import { commitE16, ea, getR16, readE16, regField, rmwE16, setR16 } from './helpers';

const CR0_NW = 0x20000000, CR0_CD = 0x40000000;
/** CR0 bits that exist on a P6; the others are reserved (ignored on write, read as 0). */
const CR0_BITS = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
const CR4_PCE = 0x100;
/** CR4 bits we implement; setting any other is #GP(0). */
export const CR4_VALID = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE;
// DR6/DR7: bits that hold state, and bits that always read as one.
const DR6_BITS = 0xe00f, DR6_ONES = 0xffff0ff0 | 0, DR6_BD = 0x2000;
const DR7_BITS = 0xffff23ff | 0, DR7_ONES = 0x400, DR7_GD = 0x2000;

/**
 * Gate for a CPL-0-only instruction: true to go on. At CPL > 0 exits to the
 * embedder (EXIT_PRIV, not retired) when INT_PRIV is set, else raises #GP(0).
 * Call it after the #UD checks of the encoding and before touching operands.
 */
export function privileged(c: Cpu): boolean {
  if (c.r[R.CPL] === 0) return true;
  if (c.intercept & INT_PRIV) exitWith(c, EXIT_PRIV);
  else raiseGP(c, 0);
  return false;
}

/** Offset `off + k` within a segment, wrapped to the address size of slot i. */
function offPlus(c: Cpu, i: number, off: number, k: number): number {
  return c.dPfx[i] & P_A16 ? (off + k) & 0xffff : (off + k) | 0;
}

// ---- Descriptor-table registers ----

function loadTable(c: Cpu, i: number, baseSlot: number, o16: boolean): void {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  if (!privileged(c)) return;
  const seg = c.dSeg[i], off = ea(c, i);
  const limit = rd16(c, seg, off); if (c.fault) return;
  const base = rd32(c, seg, offPlus(c, i, off, 2)); if (c.fault) return;
  // 16-bit operand size: only 24 bits of base are loaded, the top byte is zero.
  c.r[baseSlot] = o16 ? base & 0xffffff : base;
  c.r[baseSlot + 1] = limit;
}

/** SGDT/SIDT store the 16-bit limit and the full 32-bit base at either operand size (current SDM). */
function storeTable(c: Cpu, i: number, baseSlot: number): void {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  const seg = c.dSeg[i], off = ea(c, i);
  // Check and translate all six bytes before storing any.
  rmw(c, seg, off, 6); if (c.fault) return;
  wr16(c, seg, off, c.r[baseSlot + 1]); if (c.fault) return;
  wr32(c, seg, offPlus(c, i, off, 2), c.r[baseSlot]);
}

// ---- CR0's machine-status word ----

const smsw: Handler = (c, i) => {
  const m = c.dModrm[i];
  // To a 32-bit register: all of CR0 (P6 and later); to memory: 16 bits.
  if (m >= 0xc0) c.r[m & 7] = c.r[R.CR0];
  else wr16(c, c.dSeg[i], ea(c, i), c.r[R.CR0]);
};
const smsw16: Handler = (c, i) => {
  const m = c.dModrm[i];
  if (m >= 0xc0) setR16(c, m & 7, c.r[R.CR0]);
  else wr16(c, c.dSeg[i], ea(c, i), c.r[R.CR0]);
};

/** LMSW loads PE MP EM TS from the source; it can set PE but not clear it. */
const lmsw: Handler = (c, i) => {
  if (!privileged(c)) return;
  const v = readE16(c, i); if (c.fault) return;
  const old = c.r[R.CR0];
  c.r[R.CR0] = (old & ~0xf) | (v & 0xf) | (old & CR0_PE);
};

const clts: Handler = (c) => {
  if (!privileged(c)) return;
  c.r[R.CR0] &= ~CR0_TS;
};

// ---- INVLPG ----

const invlpg: Handler = (c, i) => {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  if (!privileged(c)) return;
  // No limit check: INVLPG never faults on its operand.
  const seg = c.dSeg[i];
  const lin = (c.r[R.SEG + seg * 4 + 1] + ea(c, i)) | 0;
  const cr4 = c.r[R.CR4];
  if (cr4 & (CR4_PSE | CR4_PAE)) {
    // The TLB holds large pages as 4 KiB pieces and does not know which ones
    // were large, so drop the whole aligned 4 MiB (or 2 MiB) region around the
    // address. Dropping extra entries is always allowed.
    const n = cr4 & CR4_PAE ? 512 : 1024;
    const first = (lin >>> 12) & ~(n - 1);
    c.tlb.fill(0, first, first + n);
  } else {
    c.tlbFlushPage(lin);
  }
};

// ---- MOV to and from control registers ----

/**
 * MOV CR/DR always name a register in ModRM.rm: give back the displacement
 * (and SIB) bytes that the decoder took for a mod != 3 encoding.
 */
function registerForm(c: Cpu, i: number): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) return;
  const mod = m >> 6, rm = m & 7;
  let extra: number;
  if (c.dPfx[i] & P_A16) extra = mod === 1 ? 1 : mod === 2 || rm === 6 ? 2 : 0;
  else extra = (rm === 4 ? 1 : 0) + (mod === 1 ? 1 : mod === 2 || c.dBase[i] === NOREG ? 4 : 0);
  const next = c.nextEip - extra;
  c.nextEip = c.codeMode ? next | 0 : next & 0xffff;
}

/**
 * A present legacy-PAE PDPTE with reserved bits set, among the four at cr3
 * (physical). Never with c.pdpteLong: that top level is walked like a
 * long-mode PDPT, which is not loaded into registers and has R/W, U/S and A.
 */
function pdptesBad(c: Cpu, cr3: number): boolean {
  if (c.pdpteLong) return false;
  const base = (cr3 & ~0x1f) >>> 0;
  for (let k = 0; k < 4; k++) {
    const a = base + k * 8;
    if (a + 8 > c.ramBytes) continue; // no RAM there: reads as zero, not present
    const lo = c.m32[a >>> 2], hi = c.m32[(a >>> 2) + 1];
    if ((lo & 1) && ((lo & 0x1e6) !== 0 || (hi & 0xfffffff0) !== 0)) return true;
  }
  return false;
}

function paePaging(cr0: number, cr4: number): boolean {
  return (cr0 & CR0_PG) !== 0 && (cr4 & CR4_PAE) !== 0;
}

const movFromCr: Handler = (c, i) => {
  registerForm(c, i);
  const m = c.dModrm[i], n = (m >> 3) & 7;
  if (n === 1 || n > 4) return raiseUD(c);
  if (!privileged(c)) return;
  c.r[m & 7] = n === 0 ? c.r[R.CR0] : n === 2 ? c.r[R.CR2] : n === 3 ? c.r[R.CR3] : c.r[R.CR4];
};

const movToCr: Handler = (c, i) => {
  registerForm(c, i);
  const m = c.dModrm[i], n = (m >> 3) & 7;
  if (n === 1 || n > 4) return raiseUD(c);
  if (!privileged(c)) return;
  const v = c.r[m & 7], r = c.r;
  switch (n) {
    case 0: {
      const nv = (v & CR0_BITS) | CR0_ET, old = r[R.CR0];
      if (!(nv & CR0_PE) || ((nv & CR0_NW) && !(nv & CR0_CD))) return raiseGP(c, 0);
      if ((nv & CR0_PG) && !(old & CR0_PG) && (r[R.CR4] & CR4_PAE) && pdptesBad(c, r[R.CR3])) return raiseGP(c, 0);
      r[R.CR0] = nv;
      if ((old ^ nv) & (CR0_PG | CR0_WP | CR0_PE)) c.tlbFlush(true);
      return;
    }
    case 2:
      r[R.CR2] = v;
      return;
    case 3:
      if (paePaging(r[R.CR0], r[R.CR4]) && pdptesBad(c, v)) return raiseGP(c, 0);
      r[R.CR3] = v;
      c.tlbFlush(false);
      return;
    default: {
      const old = r[R.CR4], changed = old ^ v;
      if (v & ~CR4_VALID) return raiseGP(c, 0);
      if (paePaging(r[R.CR0], v) && (changed & (CR4_PAE | CR4_PGE | CR4_PSE)) && pdptesBad(c, r[R.CR3])) return raiseGP(c, 0);
      r[R.CR4] = v;
      if (changed & (CR4_PAE | CR4_PGE | CR4_PSE)) c.tlbFlush(true);
    }
  }
};

// ---- MOV to and from debug registers ----

/** The DR slot for debug register n (DR4/DR5 alias DR6/DR7), or -1 after raising #UD/#GP/#DB. */
function drSlot(c: Cpu, i: number): number {
  registerForm(c, i);
  let n = (c.dModrm[i] >> 3) & 7;
  if (n === 4 || n === 5) {
    if (c.r[R.CR4] & CR4_DE) { raiseUD(c); return -1; }
    n += 2;
  }
  if (!privileged(c)) return -1;
  if (c.r[R.DR0 + 7] & DR7_GD) {
    // General detect: the access faults with DR6.BD set, and GD is cleared so the handler can use the registers.
    c.r[R.DR0 + 6] = drValue(c, 6) | DR6_BD;
    c.r[R.DR0 + 7] &= ~DR7_GD;
    raise(c, DB, NOERR);
    return -1;
  }
  return n;
}

function drValue(c: Cpu, n: number): number {
  const v = c.r[R.DR0 + n];
  if (n === 6) return (v & DR6_BITS) | DR6_ONES;
  if (n === 7) return (v & DR7_BITS) | DR7_ONES;
  return v;
}

const movFromDr: Handler = (c, i) => {
  const n = drSlot(c, i); if (n < 0) return;
  c.r[c.dModrm[i] & 7] = drValue(c, n);
};

const movToDr: Handler = (c, i) => {
  const n = drSlot(c, i); if (n < 0) return;
  const v = c.r[c.dModrm[i] & 7];
  c.r[R.DR0 + n] = n === 6 ? (v & DR6_BITS) | DR6_ONES : n === 7 ? (v & DR7_BITS) | DR7_ONES : v;
};

// ---- HLT and the rest ----

const hlt: Handler = (c) => {
  if (!privileged(c)) return;
  if (!(c.intercept & INT_HLT)) c.r[R.HALTED] = 1;
  exitWith(c, EXIT_HLT, 0, true);
};

const privNop: Handler = (c) => { privileged(c); };

// ---- Selector instructions: SLDT STR LLDT LTR VERR VERW, LAR LSL, ARPL ----

/** SLDT/STR: into a register zero-extended (16-bit operand size: the low word only), into memory 16 bits. */
function storeSel(c: Cpu, i: number, v: number, o16: boolean): void {
  const m = c.dModrm[i];
  if (m >= 0xc0) {
    if (o16) setR16(c, m & 7, v);
    else c.r[m & 7] = v & 0xffff;
  } else {
    wr16(c, c.dSeg[i], ea(c, i), v);
  }
}

const lldt: Handler = (c, i) => {
  if (!privileged(c)) return;
  const sel = readE16(c, i); if (c.fault) return;
  const r = c.r;
  if ((sel & 0xfffc) === 0) {
    // A null selector leaves the LDTR invalid: later references to the LDT fault.
    r[R.LDTR] = sel; r[R.LDTR + 1] = 0; r[R.LDTR + 2] = 0; r[R.LDTR + 3] = 0;
    return;
  }
  if (sel & 4) return raiseGP(c, sel & 0xfffc);
  if (!fetchDescriptor(c, sel, GP)) return;
  const lo = c.descLo, hi = c.descHi;
  if (((hi >> 8) & 0x1f) !== 0x02) return raiseGP(c, sel & 0xfffc); // S = 0, type 2: LDT
  if (!(hi & 0x8000)) return raise(c, NP, sel & 0xfffc);
  r[R.LDTR] = sel; r[R.LDTR + 1] = descBase(lo, hi); r[R.LDTR + 2] = descLimit(lo, hi); r[R.LDTR + 3] = descAttr(hi);
};

/** LTR: an available 16- or 32-bit TSS in the GDT; marks it busy there, then loads TR. */
const ltr: Handler = (c, i) => {
  if (!privileged(c)) return;
  const sel = readE16(c, i); if (c.fault) return;
  if ((sel & 0xfffc) === 0) return raiseGP(c, 0);
  if (sel & 4) return raiseGP(c, sel & 0xfffc);
  if (!fetchDescriptor(c, sel, GP)) return;
  const lo = c.descLo, hi = c.descHi, type = (hi >> 8) & 0x1f;
  if (type !== 0x01 && type !== 0x09) return raiseGP(c, sel & 0xfffc);
  if (!(hi & 0x8000)) return raise(c, NP, sel & 0xfffc);
  const busy = hi | 0x200;
  sysWr32(c, (c.descAddr + 4) | 0, busy); if (c.fault) return;
  const r = c.r;
  r[R.TR] = sel; r[R.TR + 1] = descBase(lo, hi); r[R.TR + 2] = descLimit(lo, hi); r[R.TR + 3] = descAttr(busy);
};

/**
 * Fetch the descriptor of `sel` for LAR/LSL/VERR/VERW, which report rather
 * than fault: 1 = in c.descLo/descHi, 0 = null or outside its table (ZF = 0),
 * -1 = the table read itself faulted (#PF).
 */
function probe(c: Cpu, sel: number): number {
  if ((sel & 0xfffc) === 0) return 0;
  const r = c.r, ldt = (sel & 4) !== 0;
  if (ldt && !(r[R.LDTR + 3] & 0x80)) return 0;
  const limit = (ldt ? r[R.LDTR + 2] : r[R.GDTR_LIMIT]) >>> 0;
  if ((sel | 7) > limit) return 0;
  return fetchDescriptor(c, sel, GP) ? 1 : -1;
}

/** The privilege rule of LAR/LSL/VERR/VERW: conforming code always, else DPL >= CPL and DPL >= RPL. */
function visible(c: Cpu, sel: number, hi: number): boolean {
  if ((hi & 0x1c00) === 0x1c00) return true; // S = 1, code, conforming
  const dpl = (hi >> 13) & 3;
  return dpl >= c.r[R.CPL] && dpl >= (sel & 3);
}

// System-descriptor types each instruction accepts (bit per type): LAR takes
// TSSs (16/32, available/busy), LDTs, call gates (16/32) and task gates; LSL
// only the ones with a limit (TSSs and LDTs). Code and data segments are all valid.
const LAR_TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12);
const LSL_TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11);

/**
 * LAR/LSL: ZF = 1 and the access rights (descriptor dword 1 masked with
 * 00FFFF00H, or FF00H at 16 bits; the SDM leaves bits 19:16 "X", real CPUs
 * give the limit bits) or the byte-granular limit; ZF = 0 and the destination
 * unchanged when the selector is not valid and visible.
 */
function larLsl(c: Cpu, i: number, lsl: boolean, o16: boolean): void {
  const sel = readE16(c, i); if (c.fault) return;
  const found = probe(c, sel); if (found < 0) return;
  const lo = c.descLo, hi = c.descHi;
  let ok = found === 1 && visible(c, sel, hi);
  if (ok && !(hi & 0x1000)) ok = (((lsl ? LSL_TYPES : LAR_TYPES) >> ((hi >> 8) & 0xf)) & 1) !== 0;
  if (!ok) { setArith(c.r, ZF, 0); return; }
  const v = lsl ? descLimit(lo, hi) : hi & (o16 ? 0xff00 : 0x00ffff00);
  if (o16) setR16(c, regField(c, i), v); else c.r[regField(c, i)] = v;
  setArith(c.r, ZF, ZF);
}

/** VERR/VERW: ZF = 1 when the segment is readable / writable from CPL with this RPL. No fault for bad selectors. */
function verify(c: Cpu, i: number, write: boolean): void {
  const sel = readE16(c, i); if (c.fault) return;
  const found = probe(c, sel); if (found < 0) return;
  let ok = false;
  if (found === 1) {
    const hi = c.descHi, type = (hi >> 8) & 0xf;
    // Type bit 3: code; bit 1: writable (data) or readable (code). Data is always readable.
    if ((hi & 0x1000) && visible(c, sel, hi)) ok = write ? (type & 0xa) === 0x2 : (type & 0xa) !== 0x8;
  }
  setArith(c.r, ZF, ok ? ZF : 0);
}

/** ARPL: raise the destination selector's RPL to the source's; ZF tells whether it changed. Always 16-bit. */
const arpl: Handler = (c, i) => {
  const d = rmwE16(c, i); if (c.fault) return;
  const s = getR16(c, regField(c, i));
  if ((d & 3) < (s & 3)) {
    commitE16(c, (d & ~3) | (s & 3));
    setArith(c.r, ZF, ZF);
  } else {
    setArith(c.r, ZF, 0);
  }
};

export const rows: OpRow[] = [
  { op: 0x0f00, reg: 0, name: 'sldt_Ew', h: (c, i) => storeSel(c, i, c.r[R.LDTR], false), h16: (c, i) => storeSel(c, i, c.r[R.LDTR], true), diff: 'skip' },
  { op: 0x0f00, reg: 1, name: 'str_Ew', h: (c, i) => storeSel(c, i, c.r[R.TR], false), h16: (c, i) => storeSel(c, i, c.r[R.TR], true), diff: 'skip' },
  { op: 0x0f00, reg: 2, name: 'lldt_Ew', h: lldt, ends: true, diff: 'skip' },
  { op: 0x0f00, reg: 3, name: 'ltr_Ew', h: ltr, ends: true, diff: 'skip' },
  { op: 0x0f00, reg: 4, name: 'verr_Ew', h: (c, i) => verify(c, i, false), diff: 'skip' },
  { op: 0x0f00, reg: 5, name: 'verw_Ew', h: (c, i) => verify(c, i, true), diff: 'skip' },
  { op: 0x0f02, name: 'lar_Gv_Ew', h: (c, i) => larLsl(c, i, false, false), h16: (c, i) => larLsl(c, i, false, true), diff: 'skip' },
  { op: 0x0f03, name: 'lsl_Gv_Ew', h: (c, i) => larLsl(c, i, true, false), h16: (c, i) => larLsl(c, i, true, true), diff: 'skip' },
  { op: 0x63, name: 'arpl_Ew_Gw', h: arpl, diff: 'skip' },
  { op: 0x0f01, reg: 0, name: 'sgdt_Ms', h: (c, i) => storeTable(c, i, R.GDTR_BASE), diff: 'skip' },
  { op: 0x0f01, reg: 1, name: 'sidt_Ms', h: (c, i) => storeTable(c, i, R.IDTR_BASE), diff: 'skip' },
  {
    op: 0x0f01, reg: 2, name: 'lgdt_Ms', h: (c, i) => loadTable(c, i, R.GDTR_BASE, false),
    h16: (c, i) => loadTable(c, i, R.GDTR_BASE, true), ends: true, diff: 'skip',
  },
  {
    op: 0x0f01, reg: 3, name: 'lidt_Ms', h: (c, i) => loadTable(c, i, R.IDTR_BASE, false),
    h16: (c, i) => loadTable(c, i, R.IDTR_BASE, true), ends: true, diff: 'skip',
  },
  { op: 0x0f01, reg: 4, name: 'smsw_Ew', h: smsw, h16: smsw16, diff: 'skip' },
  { op: 0x0f01, reg: 6, name: 'lmsw_Ew', h: lmsw, ends: true, diff: 'skip' },
  { op: 0x0f01, reg: 7, name: 'invlpg_M', h: invlpg, ends: true, diff: 'skip' },
  { op: 0x0f06, name: 'clts', h: clts, ends: true, diff: 'skip' },
  { op: 0x0f20, name: 'mov_Rd_Cd', h: movFromCr, ends: true, diff: 'skip' },
  { op: 0x0f22, name: 'mov_Cd_Rd', h: movToCr, ends: true, diff: 'skip' },
  { op: 0x0f21, name: 'mov_Rd_Dd', h: movFromDr, ends: true, diff: 'skip' },
  { op: 0x0f23, name: 'mov_Dd_Rd', h: movToDr, ends: true, diff: 'skip' },
  { op: 0x0f08, name: 'invd', h: privNop, diff: 'skip' },
  { op: 0x0f09, name: 'wbinvd', h: privNop, diff: 'skip' },
  { op: 0x0f0b, name: 'ud2', h: (c) => raiseUD(c), ends: true, diff: 'skip' },
  { op: 0xf4, name: 'hlt', h: hlt, ends: true, diff: 'skip' },
];
