// One virtual CPU: architectural state in its shared-memory register file (see
// src/shared/layout.ts), plus host-side caches (software TLB, decode arrays)
// that are derived from that state and rebuilt on restore.
//
// The instruction semantics live in ops/ as free functions (c: Cpu, i: slot)
// and the run loop in exec.ts; this file holds state and its invariants.
import { R, SEG_CS, SEG_SS } from '../shared/layout';
import type { MachineMemory } from '../mem/memory';
import type { CodeCache, CodeWatcher } from './codecache';
import { PendingException } from './exceptions';
import {
  ATTR_DB, ATTR_P, ATTR_S, CR0_ET, CR0_PE, FLAGS_FIXED, TLB_GLOBAL, TLB_SUP_W, TLB_USER_R,
  TLB_USER_W, TLB_VALID, TLB_X,
} from './defs';

const TLB_LIST_CAP = 8192;

/** fetch's results: the descriptor is in c.descLo / c.descHi; outside its table; an exception was raised. */
export const DESC_OK = 0, DESC_OUTSIDE = 1, DESC_RAISED = 2;

/**
 * An embedder's descriptor tables (see Cpu.descHook). fetch fills c.descLo,
 * c.descHi and c.descAddr (a token the embedder chooses) for `sel`;
 * setAccessed stores `hi` (the accessed bit now set) at the descriptor `addr`
 * names. The selector checks and faults stay the CPU's.
 */
export interface DescHook {
  fetch(c: Cpu, sel: number): number;
  setAccessed(c: Cpu, addr: number, hi: number): void;
}

export class Cpu implements CodeWatcher {
  readonly id: number;
  readonly mem: MachineMemory;
  readonly m8: Uint8Array;
  readonly m32: Int32Array;
  readonly ramBytes: number;
  /** The register file, in shared memory. */
  readonly r: Int32Array;
  /** Byte view of the register file: AL = 0, CL = 4, AH = 1 ... (see ops/helpers.ts R8). */
  readonly r8: Uint8Array;
  /** 16-bit view of the register file: AX = 0, CX = 2, DX = 4 ... (register n at n << 1). */
  readonly r16: Uint16Array;
  private readonly f64: Float64Array;
  readonly code: CodeCache;

  // Decoded-instruction arrays (the shared cache's, held here for short access paths).
  readonly dOp: Uint16Array;
  readonly dLen: Uint8Array;
  readonly dModrm: Uint8Array;
  readonly dBase: Uint8Array;
  readonly dIndex: Uint8Array;
  readonly dScale: Uint8Array;
  readonly dSeg: Uint8Array;
  readonly dPfx: Uint8Array;
  readonly dDisp: Int32Array;
  readonly dImm: Int32Array;
  readonly dImm2: Int32Array;

  /** Software TLB: linear page number -> physical page address | TLB_* bits. */
  readonly tlb = new Int32Array(1 << 20);
  /** Pages filled since the last full clear, so that a flush touches only those. */
  private readonly tlbList = new Int32Array(TLB_LIST_CAP);
  private tlbCount = 0;
  private tlbOverflow = false;
  /** TLB bits an access needs at the current CPL. */
  needR = TLB_VALID;
  needW = TLB_VALID | TLB_SUP_W;
  needX = TLB_VALID | TLB_X;

  /**
   * Walk the PAE top level as a long-mode PDPT (R/W, U/S, NX honoured) the way
   * 64-bit Xen runs a 32-bit PV guest's L3, instead of legacy PAE PDPTEs.
   */
  pdpteLong = false;

  /** Segments (bit per SEG_*) with base 0, limit 4 GiB, present, readable / writable, not expand-down. */
  flatR = 0;
  flatW = 0;
  /** SS is 32-bit (ESP) rather than 16-bit (SP); mirrors SS.B. */
  ss32 = true;

  // Run-loop state (host side, valid only inside run()).
  icount = 0;
  limit = 0;
  /** EIP after the current instruction; control transfers overwrite it. */
  nextEip = 0;
  /** Non-zero: leave the current block after this instruction (see exec.ts). */
  exit = 0;
  /** Set by an access that raised an exception: the handler must return at once. */
  fault = 0;
  /** The last descriptor fetched by segments.ts (no allocation per load). */
  descLo = 0;
  descHi = 0;
  descAddr = 0;
  /** The exception raised by the current instruction, when fault is set. */
  readonly pending = new PendingException();
  /** Physical page of the block being run, for self-modifying-code detection. */
  curPage = -1;
  /** Physical addresses of the two halves of a page-crossing access (access.ts). */
  split0 = 0;
  split1 = 0;
  /** Handle of the read-modify-write in progress (ops/helpers.ts rmwE*). */
  rmwP = 0;

  // Embedder configuration.
  /** INT_* bits: which events leave run() instead of being handled natively. */
  intercept = 0;
  /** Exceptions (bit per vector 0..31) that leave run() instead of going through the IDT. */
  interceptExc = 0;
  /** Software-interrupt vectors (INT n) that leave run(). */
  readonly interceptInt = new Uint8Array(256);
  /**
   * Where descriptors come from when the embedder keeps the descriptor tables
   * outside the guest's linear space (a paravirtualized guest's GDT); null: the
   * GDTR/LDTR tables in linear memory, as on hardware.
   */
  descHook: DescHook | null = null;

  constructor(mem: MachineMemory, code: CodeCache, id = 0) {
    this.id = id;
    this.mem = mem;
    this.m8 = mem.u8;
    this.m32 = mem.i32;
    this.ramBytes = mem.ramBytes;
    this.r = mem.regFile(id);
    this.r8 = new Uint8Array(this.r.buffer, this.r.byteOffset, this.r.byteLength);
    this.r16 = new Uint16Array(this.r.buffer, this.r.byteOffset, this.r.byteLength >>> 1);
    this.f64 = new Float64Array(this.r.buffer, this.r.byteOffset, this.r.length >>> 1);
    this.code = code;
    this.dOp = code.dOp; this.dLen = code.dLen; this.dModrm = code.dModrm;
    this.dBase = code.dBase; this.dIndex = code.dIndex; this.dScale = code.dScale;
    this.dSeg = code.dSeg; this.dPfx = code.dPfx; this.dDisp = code.dDisp;
    this.dImm = code.dImm; this.dImm2 = code.dImm2;
    code.watch(this);
  }

  /** Retired instructions (exact; see docs/cpu.md for what counts). */
  get instructions(): number {
    return this.f64[R.ICOUNT_F64 >> 1];
  }
  set instructions(n: number) {
    this.f64[R.ICOUNT_F64 >> 1] = n;
  }
  get tscOffset(): number {
    return this.f64[R.TSC_OFFSET_F64 >> 1];
  }
  set tscOffset(n: number) {
    this.f64[R.TSC_OFFSET_F64 >> 1] = n;
  }

  /** The time-stamp counter: retired instructions plus an offset. Exact inside run(). */
  tsc(): number {
    return this.icount + this.tscOffset;
  }

  get cpl(): number {
    return this.r[R.CPL];
  }

  /** Change CPL and the TLB permission masks that depend on it. */
  setCpl(cpl: number): void {
    this.r[R.CPL] = cpl;
    this.code.epoch++;
    if (cpl === 3) {
      this.needR = TLB_VALID | TLB_USER_R;
      this.needW = TLB_VALID | TLB_USER_W;
      this.needX = TLB_VALID | TLB_USER_R | TLB_X;
    } else {
      this.needR = TLB_VALID;
      this.needW = TLB_VALID | TLB_SUP_W;
      this.needX = TLB_VALID | TLB_X;
    }
  }

  /** Load a segment register's hidden part directly (after checks, or by an embedder). */
  setSeg(seg: number, sel: number, base: number, limit: number, attr: number): void {
    const o = R.SEG + seg * 4;
    this.r[o] = sel & 0xffff;
    this.r[o + 1] = base;
    this.r[o + 2] = limit;
    this.r[o + 3] = attr;
    this.updateFlat(seg);
    if (seg === SEG_CS) this.code.epoch++;
  }

  /** Recompute the flat-segment fast-path bits of one segment from its cached descriptor. */
  updateFlat(seg: number): void {
    const o = R.SEG + seg * 4, attr = this.r[o + 3], bit = 1 << seg;
    const flatBase = this.r[o + 1] === 0 && this.r[o + 2] === -1 && (attr & (ATTR_P | ATTR_S)) === (ATTR_P | ATTR_S);
    const type = attr & 0xf;
    const code = (type & 8) !== 0;
    // Data: expand-down is bit 2, writable bit 1. Code: readable is bit 1, never writable.
    const readable = flatBase && (code ? (type & 2) !== 0 : (type & 4) === 0);
    const writable = flatBase && !code && (type & 6) === 2;
    this.flatR = readable ? this.flatR | bit : this.flatR & ~bit;
    this.flatW = writable ? this.flatW | bit : this.flatW & ~bit;
    if (seg === SEG_SS) this.ss32 = (attr & ATTR_DB) !== 0;
  }

  /** Decode mode of the current code segment: 1 when CS is 32-bit. */
  get codeMode(): number {
    return this.r[R.SEG + SEG_CS * 4 + 3] & ATTR_DB ? 1 : 0;
  }

  // ---- Software TLB ----

  tlbSet(vpn: number, entry: number): void {
    if (this.tlb[vpn] === 0) {
      if (this.tlbCount < TLB_LIST_CAP) this.tlbList[this.tlbCount++] = vpn;
      else this.tlbOverflow = true;
    }
    this.tlb[vpn] = entry;
  }

  /** Flush the TLB; global entries survive unless `all` (CR4.PGE semantics). */
  tlbFlush(all: boolean): void {
    this.code.epoch++;
    if (this.tlbOverflow) {
      if (all) this.tlb.fill(0);
      else for (let v = 0; v < this.tlb.length; v++) if (!(this.tlb[v] & TLB_GLOBAL)) this.tlb[v] = 0;
      this.tlbOverflow = false;
      this.tlbCount = 0;
      if (!all) for (let v = 0; v < this.tlb.length && this.tlbCount < TLB_LIST_CAP; v++) if (this.tlb[v]) this.tlbList[this.tlbCount++] = v;
      return;
    }
    let kept = 0;
    for (let k = 0; k < this.tlbCount; k++) {
      const v = this.tlbList[k];
      if (!all && this.tlb[v] & TLB_GLOBAL) this.tlbList[kept++] = v;
      else this.tlb[v] = 0;
    }
    this.tlbCount = kept;
  }

  tlbFlushPage(lin: number): void {
    this.code.epoch++;
    this.tlb[lin >>> 12] = 0;
  }

  dropWriteFast(ppn: number): void {
    const want = ppn << 12;
    if (this.tlbOverflow) {
      for (let v = 0; v < this.tlb.length; v++) {
        if (this.tlb[v] && (this.tlb[v] & ~0xfff) === want) this.tlb[v] &= ~(TLB_SUP_W | TLB_USER_W);
      }
      return;
    }
    for (let k = 0; k < this.tlbCount; k++) {
      const v = this.tlbList[k], e = this.tlb[v];
      if (e && (e & ~0xfff) === want) this.tlb[v] = e & ~(TLB_SUP_W | TLB_USER_W);
    }
  }

  /**
   * Protected mode, paging off, flat 4 GiB code and data segments, at the given
   * CPL: the state a multiboot-style loader hands over, and what tests start from.
   */
  resetFlat(cpl = 0): void {
    const r = this.r;
    r.fill(0);
    r[R.EFLAGS] = FLAGS_FIXED;
    r[R.CR0] = CR0_PE | CR0_ET | 0x4; // EM: no FPU (x87 faults with #NM, MMX/SSE with #UD)
    r[R.PENDING_IRQ] = -1;
    r[R.GDTR_LIMIT] = 0xffff;
    r[R.IDTR_LIMIT] = 0xffff;
    r[R.TR + 2] = 0xffff;
    r[R.TR + 3] = 0x8b; // busy 32-bit TSS, present
    r[R.LDTR + 3] = 0x82;
    const dpl = cpl << 5;
    // Code: execute/read, accessed, 32-bit, 4 KiB granular. Data: read/write, accessed.
    const codeAttr = 0x9b | dpl | ATTR_DB | 0x8000;
    const dataAttr = 0x93 | dpl | ATTR_DB | 0x8000;
    const cs = 0x08 | cpl, ds = 0x10 | cpl;
    this.setSeg(SEG_CS, cs, 0, -1, codeAttr);
    for (const s of [0, 2, 3, 4, 5]) this.setSeg(s, ds, 0, -1, dataAttr);
    this.setCpl(cpl);
    this.tlbFlush(true);
  }

  /** Rebuild host-side caches from the register file (after a snapshot restore). */
  refresh(): void {
    for (let s = 0; s < 6; s++) this.updateFlat(s);
    this.setCpl(this.r[R.CPL]);
    this.tlbFlush(true);
  }
}
