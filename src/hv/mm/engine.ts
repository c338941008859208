// The page-type engine as one object: what the hypercall adapters (mmu_update,
// mmuext_op, update_va_mapping, set_gdt, update_descriptor, grant maps, memory
// ops, domain destruction) call. It owns the frame table and the M2P; every
// operation returns 0 or Xen's negative errno (grant helpers: a GNTST status)
// and never throws for anything a guest can do. What each operation checks is
// described in the file that implements it (refs, tables, update, ptwr, pin,
// hostmap, release). The engine never touches a CPU: TLB flushes it needs are
// requested through hooks.onFlushNeeded, and RAM it writes is reported through
// hooks.notifyWrite so decoded code there is dropped.
import type { MachineMemory } from '../../mem/memory';
import { FrameTable } from './frametable';
import { auditFrames, type ExtraHolds } from './audit';
import { type PteTarget, hostMap, hostUnmap } from './hostmap';
import {
  acquireGdtFrames, clearBaseptr, clearPage, copyPage, currentBase, getSegDescPage, newBaseptr,
  pinTable, putSegDescPage, unpinTable, updateDescriptor,
} from './pin';
import { ptwrUpdate } from './ptwr';
import { getPage, getPageAndType, getPageType, putPage, putPageAndType, putPageType } from './refs';
import { type ReleaseResult, releaseDomain } from './release';
import { type MmHooks, MmState } from './state';
import { mmuUpdate, updateVaMapping } from './update';
import { type L1Slot, findL1Slot } from './walk';

export class MmEngine {
  readonly ft: FrameTable;
  private readonly s: MmState;

  constructor(mem: MachineMemory, hooks: MmHooks = {}) {
    this.ft = new FrameTable(mem);
    this.s = new MmState(this.ft, hooks);
  }

  // --- references -------------------------------------------------------
  getPage(mfn: number, dom: number): boolean { return getPage(this.s, mfn, dom); }
  putPage(mfn: number): void { putPage(this.s, mfn); }
  /** 0 or -errno; the caller must already hold a general reference. */
  getPageType(mfn: number, type: number): number { return getPageType(this.s, mfn, type); }
  putPageType(mfn: number): void { putPageType(this.s, mfn); }
  getPageAndType(mfn: number, type: number, dom: number): number { return getPageAndType(this.s, mfn, type, dom); }
  putPageAndType(mfn: number): void { putPageAndType(this.s, mfn); }

  // --- mmu_update / update_va_mapping / writable page tables --------------
  /** One mmu_update request (the adapter loops, counts `done`, resolves foreigndom). */
  mmuUpdate(caller: number, ptOwner: number, pgOwner: number, ptrLo: number, ptrHi: number,
    valLo: number, valHi: number): number {
    return mmuUpdate(this.s, caller, ptOwner, pgOwner, ptrLo, ptrHi, valLo, valHi);
  }

  /** The L1 entry for `va` under the L3 `l3mfn` becomes lo:hi (no flush). */
  updateVaMapping(dom: number, pgOwner: number, l3mfn: number, va: number, lo: number, hi: number): number {
    return updateVaMapping(this.s, dom, pgOwner, l3mfn, va, lo, hi);
  }

  /** An emulated store of `bytes` at byte `offset` of `dom`'s L1: PTWR_OK / PTWR_UNHANDLEABLE. */
  ptwrWrite(dom: number, l1mfn: number, offset: number, bytes: number, lo: number, hi: number): number {
    return ptwrUpdate(this.s, dom, l1mfn, offset, bytes, lo, hi, null);
  }

  /** An emulated CMPXCHG: PTWR_OK, PTWR_CMPXCHG_FAILED (read the entry back) or PTWR_UNHANDLEABLE. */
  ptwrCmpxchg(dom: number, l1mfn: number, offset: number, bytes: number, oldLo: number, oldHi: number,
    lo: number, hi: number): number {
    return ptwrUpdate(this.s, dom, l1mfn, offset, bytes, lo, hi, { lo: oldLo, hi: oldHi });
  }

  // --- mmuext_op ----------------------------------------------------------
  /** PIN_L1/L2/L3 (type PGT_L1..PGT_L3); PGT_L4 is accepted and ignored. */
  pin(dom: number, mfn: number, type: number): number { return pinTable(this.s, dom, mfn, type); }
  unpin(dom: number, mfn: number): number { return unpinTable(this.s, dom, mfn); }
  /** NEW_BASEPTR / MOV CR3 / vcpu context: `vcpu` now runs on L3 `mfn`. */
  newBaseptr(dom: number, vcpu: number, mfn: number): number { return newBaseptr(this.s, dom, vcpu, mfn); }
  /** The L3 a vcpu runs on, or -1. */
  baseptr(dom: number, vcpu: number): number { return currentBase(this.s, dom, vcpu); }
  clearBaseptr(dom: number, vcpu: number): void { clearBaseptr(this.s, dom, vcpu); }
  clearPage(dom: number, mfn: number): number { return clearPage(this.s, dom, mfn); }
  copyPage(dom: number, dst: number, src: number): number { return copyPage(this.s, dom, dst, src); }

  // --- descriptor tables ----------------------------------------------------
  getSegDescPage(dom: number, mfn: number): number { return getSegDescPage(this.s, dom, mfn); }
  putSegDescPage(mfn: number): void { putSegDescPage(this.s, mfn); }
  acquireGdtFrames(dom: number, frames: readonly number[], entries: number): number {
    return acquireGdtFrames(this.s, dom, frames, entries);
  }
  /** update_descriptor at machine address `addr`. */
  updateDescriptor(dom: number, addr: number, lo: number, hi: number): number {
    return updateDescriptor(this.s, dom, addr, lo, hi);
  }

  // --- grant host mappings ----------------------------------------------------
  installHostMapping(dom: number, target: PteTarget, lo: number, hi: number): number {
    return hostMap(this.s, dom, target, lo, hi);
  }
  removeHostMapping(dom: number, target: PteTarget, mfn: number, lo: number): number {
    return hostUnmap(this.s, dom, target, mfn, lo);
  }

  // --- helpers ---------------------------------------------------------------
  findL1Slot(l3mfn: number, va: number): L1Slot | null { return findL1Slot(this.s, l3mfn, va); }
  /** Entry `i` of frame `mfn` as [lo, hi] (signed 32-bit halves). */
  readEntry(mfn: number, i: number): [number, number] { return [this.s.entryLo(mfn, i), this.s.entryHi(mfn, i)]; }
  /** Xen's linear page-table counter of a frame (> 0 holds linear entries, < 0 is a target). */
  linearCount(mfn: number): number { return this.s.linear[mfn]; }

  /** Destroy `dom`'s memory: see release.ts. */
  releaseDomain(dom: number): ReleaseResult { return releaseDomain(this.s, dom); }

  /** The engine's state object (linear counters, base pointers), for snapshots (snapshot.ts). */
  internals(): MmState { return this.s; }

  /** Recount everything; a list of inconsistencies (empty when sound). */
  audit(extra?: ExtraHolds): string[] { return auditFrames(this.s, extra); }
}
