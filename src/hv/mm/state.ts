// The page-type engine's state: the frame table, the hooks the hypervisor wires
// in, and the two pieces of Xen's page_info that are not in the shared frame
// table (the linear page-table counter and the vcpus' current L3s). Every
// engine function takes this object first; engine.ts wraps them as methods.
import { PGF_LINEAR_DST, PGF_LINEAR_SRC } from '../../shared/layout';
import type { FrameTable } from './frametable';

/** Why the engine asks for a TLB flush of every vcpu of a domain. */
export type FlushKind =
  /** A validated L2 or L3 entry changed (Xen flushes after such mmu_updates). */
  | 'pagetable'
  /** A frame stopped being a writable page: stale writable translations must go. */
  | 'retype';

export interface MmHooks {
  /** Flush the TLBs of every vcpu of `dom` (the hypervisor wires this to Cpu.tlbFlush). */
  onFlushNeeded?(dom: number, kind: FlushKind): void;
  /** The engine wrote guest RAM outside any CPU: decoded code there must be dropped. */
  notifyWrite?(phys: number, len: number): void;
}

export class MmState {
  readonly ft: FrameTable;
  readonly hooks: MmHooks;
  /**
   * Xen's linear_pt_count per frame: > 0 = how many linear entries this L2
   * holds; < 0 = how many other L2s map it linearly. Mirrored into the type word
   * as PGF_LINEAR_SRC / PGF_LINEAR_DST for the UI.
   */
  readonly linear: Int32Array;
  /** Current L3 of each vcpu (key dom * 65536 + vcpu), each holding an L3 type reference. */
  readonly bases = new Map<number, number>();

  constructor(ft: FrameTable, hooks: MmHooks) {
    this.ft = ft;
    this.hooks = hooks;
    this.linear = new Int32Array(ft.frames);
  }

  entryLo(mfn: number, i: number): number { return this.ft.ram32[mfn * 1024 + i * 2]; }
  entryHi(mfn: number, i: number): number { return this.ft.ram32[mfn * 1024 + i * 2 + 1]; }

  writeEntry(mfn: number, i: number, lo: number, hi: number): void {
    const k = mfn * 1024 + i * 2;
    this.ft.ram32[k] = lo;
    this.ft.ram32[k + 1] = hi;
    this.hooks.notifyWrite?.(k * 4, 8);
  }

  /** Add `delta` to a frame's linear counter and refresh its role flags. */
  addLinear(mfn: number, delta: number): void {
    const n = this.linear[mfn] + delta;
    this.linear[mfn] = n;
    const w = this.ft.typeWord(mfn) & ~(PGF_LINEAR_SRC | PGF_LINEAR_DST);
    this.ft.setTypeWord(mfn, w | (n > 0 ? PGF_LINEAR_SRC : n < 0 ? PGF_LINEAR_DST : 0));
  }

  flush(dom: number, kind: FlushKind): void {
    this.hooks.onFlushNeeded?.(dom, kind);
  }
}
