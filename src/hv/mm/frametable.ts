// The frame table (Xen's page_info array) and the machine-to-phys table.
//
// One record per machine frame lives in shared memory (src/shared/layout.ts F):
// owner, type word (PGT_* | PGF_*), type count, general reference count. The UI
// reads it live. Everything here is a plain accessor or bookkeeping; the rules
// of references and types are in refs.ts and tables.ts.
//
// Allocation is deterministic: the lowest free frame first. An allocated frame
// holds one general reference, the allocation reference (Xen's PGC_allocated),
// so REF_COUNT of an unused allocated frame is 1; the frame returns to the free
// pool when its count drops to 0. Frames the hypervisor keeps for itself are
// owned by DOMID_XEN, which no guest can take a reference to.
//
// The M2P: a read-only array of uint32 guest PFNs indexed by MFN, kept in
// Xen-owned frames of RAM and mapped for every guest at 0xF5800000 through one
// (or more) Xen-owned L1 tables; entries for frames the guest does not own read
// INVALID (0xFFFFFFFF). The engine puts those L1s into slots 428.. of every
// guest L2 that sits in an L3's slot 3.
import { DOMID_XEN } from '../../abi/xen';
import type { MachineMemory } from '../../mem/memory';
import { HypervisorBug } from '../../shared/bugs';
import { F, FRAME_FREE, PGF_VALIDATED, PGT_L1, PGT_MASK, PGT_NONE, PGT_WRITABLE } from '../../shared/layout';
import { PTE_A, PTE_P } from './pte';

const SLOTS = 4; // Int32 slots per frame record (FRAME_BYTES / 4)
/** Entries per page-table frame. */
export const PT_ENTRIES = 512;
/** Xen's own L1s map the M2P with Present|Accessed: read-only, supervisor-only. */
const M2P_PTE_FLAGS = PTE_P | PTE_A;

export class FrameTable {
  readonly frames: number;
  /** The shared frame table, FRAME_BYTES/4 slots per frame. */
  readonly t: Int32Array;
  /** RAM, as int32 (index = physical address / 4) and as bytes. */
  readonly ram32: Int32Array;
  readonly ram8: Uint8Array;
  /** Frames holding the M2P array, in order. */
  readonly m2pFrames: number[] = [];
  /** Xen-owned L1 tables mapping the M2P frames, in VA order (slot 428 first). */
  readonly m2pL1s: number[] = [];

  /** The allocation reference (PGC_allocated) is still held. Engine-private. */
  private readonly allocated: Uint8Array;
  /** Frames shared by Xen with a guest (shared_info, grant frames): permanently typed. */
  private readonly xenShared: Uint8Array;
  private readonly perDomain = new Map<number, number>();
  private lowestFree = 0;

  constructor(mem: MachineMemory) {
    this.frames = mem.layout.frames;
    this.t = mem.frameTable();
    this.ram32 = mem.i32;
    this.ram8 = mem.u8;
    this.allocated = new Uint8Array(this.frames);
    this.xenShared = new Uint8Array(this.frames);
    for (let m = 0; m < this.frames; m++) this.clearRecord(m);
    this.buildM2p();
  }

  isFrame(mfn: number): boolean {
    return Number.isInteger(mfn) && mfn >= 0 && mfn < this.frames;
  }

  owner(mfn: number): number { return this.t[mfn * SLOTS + F.OWNER]; }
  typeWord(mfn: number): number { return this.t[mfn * SLOTS + F.TYPE]; }
  type(mfn: number): number { return this.t[mfn * SLOTS + F.TYPE] & PGT_MASK; }
  typeCount(mfn: number): number { return this.t[mfn * SLOTS + F.TYPE_COUNT]; }
  refCount(mfn: number): number { return this.t[mfn * SLOTS + F.REF_COUNT]; }
  setTypeWord(mfn: number, v: number): void { this.t[mfn * SLOTS + F.TYPE] = v; }
  setTypeCount(mfn: number, v: number): void { this.t[mfn * SLOTS + F.TYPE_COUNT] = v; }
  setRefCount(mfn: number, v: number): void { this.t[mfn * SLOTS + F.REF_COUNT] = v; }
  isAllocated(mfn: number): boolean { return this.allocated[mfn] === 1; }
  isXenShared(mfn: number): boolean { return this.xenShared[mfn] === 1; }

  /** The engine-private bookkeeping beside the shared records, for snapshots (snapshot.ts). */
  sideState(): { allocated: Uint8Array; xenShared: Uint8Array; lowestFree: number } {
    return { allocated: this.allocated, xenShared: this.xenShared, lowestFree: this.lowestFree };
  }

  /**
   * Restore that bookkeeping over a restored frame table; the per-domain counts
   * are recounted from the owners in the shared records.
   */
  restoreSide(allocated: Uint8Array, xenShared: Uint8Array, lowestFree: number): void {
    this.allocated.set(allocated);
    this.xenShared.set(xenShared);
    this.lowestFree = lowestFree;
    this.perDomain.clear();
    for (let m = 0; m < this.frames; m++) {
      const o = this.owner(m);
      if (o !== FRAME_FREE) this.perDomain.set(o, (this.perDomain.get(o) ?? 0) + 1);
    }
  }

  /** Frames owned by `dom` (allocated or still referenced). */
  pagesOf(dom: number): number { return this.perDomain.get(dom) ?? 0; }

  /** Allocate the lowest free frame to `dom`; -1 when RAM is exhausted. */
  allocate(dom: number): number {
    for (let m = this.lowestFree; m < this.frames; m++) {
      if (this.owner(m) === FRAME_FREE) {
        this.take(m, dom);
        return m;
      }
    }
    this.lowestFree = this.frames;
    return -1;
  }

  /** Allocate a specific free frame to `dom`; false if it is not free. */
  allocateAt(mfn: number, dom: number): boolean {
    if (!this.isFrame(mfn) || this.owner(mfn) !== FRAME_FREE) return false;
    this.take(mfn, dom);
    return true;
  }

  /**
   * Drop the allocation reference (the guest or the toolstack gives the frame
   * back). The frame is freed now if nothing else references it, else when the
   * last reference goes. Returns false if the reference was already dropped,
   * or if the frame is one Xen shared with the guest (its permanent type
   * reference goes only with the domain: releaseDomain passes `force`).
   */
  dropAllocation(mfn: number, force = false): boolean {
    if (!this.isFrame(mfn) || !this.allocated[mfn] || (this.xenShared[mfn] && !force)) return false;
    this.allocated[mfn] = 0;
    this.xenShared[mfn] = 0;
    const rc = this.refCount(mfn) - 1;
    if (rc < 0) throw new HypervisorBug(`frame ${mfn}: allocation reference without a count`);
    this.setRefCount(mfn, rc);
    if (rc === 0) this.release(mfn);
    return true;
  }

  /**
   * Xen gives `dom` a frame of its own (shared_info, grant-table frames): the
   * guest owns it, its M2P entry is INVALID, and it carries a permanent type
   * reference, writable (or none, when shared read-only) so it can never become
   * a page table or descriptor page. `mfn` must be a fresh DOMID_XEN frame.
   */
  shareWithGuest(mfn: number, dom: number, readonly: boolean): void {
    if (!this.isFrame(mfn) || this.owner(mfn) !== DOMID_XEN || this.refCount(mfn) !== 1 || this.typeCount(mfn) !== 0) {
      throw new HypervisorBug(`frame ${mfn} cannot be shared with d${dom}`);
    }
    this.count(DOMID_XEN, -1);
    this.count(dom, 1);
    this.t[mfn * SLOTS + F.OWNER] = dom;
    this.setTypeWord(mfn, (readonly ? PGT_NONE : PGT_WRITABLE) | PGF_VALIDATED);
    this.setTypeCount(mfn, 1);
    this.xenShared[mfn] = 1;
    this.m2pSet(mfn, 0xffffffff);
  }

  /** Called when a frame's last general reference is gone: back to the free pool. */
  release(mfn: number): void {
    if (this.refCount(mfn) !== 0 || this.typeCount(mfn) !== 0) {
      throw new HypervisorBug(`frame ${mfn} freed with ref ${this.refCount(mfn)} type ${this.typeCount(mfn)}`);
    }
    const owner = this.owner(mfn);
    if (owner === FRAME_FREE) throw new HypervisorBug(`frame ${mfn} freed twice`);
    this.count(owner, -1);
    this.clearRecord(mfn);
    this.allocated[mfn] = 0;
    this.xenShared[mfn] = 0;
    this.m2pSet(mfn, 0xffffffff);
    if (mfn < this.lowestFree) this.lowestFree = mfn;
  }

  /** M2P entry for `mfn` (a uint32 guest PFN, or 0xFFFFFFFF). */
  m2pGet(mfn: number): number {
    return this.ram32[this.m2pIndex(mfn)] >>> 0;
  }

  /** Set the M2P entry for `mfn`; returns the byte address written (for code-cache notification). */
  m2pSet(mfn: number, pfn: number): number {
    const i = this.m2pIndex(mfn);
    this.ram32[i] = pfn | 0;
    return i * 4;
  }

  private m2pIndex(mfn: number): number {
    if (!this.isFrame(mfn)) throw new HypervisorBug(`M2P index ${mfn} out of range`);
    const page = this.m2pFrames[mfn >>> 10];
    return page * 1024 + (mfn & 1023);
  }

  private take(mfn: number, dom: number): void {
    this.t[mfn * SLOTS + F.OWNER] = dom;
    this.setTypeWord(mfn, 0);
    this.setTypeCount(mfn, 0);
    this.setRefCount(mfn, 1);
    this.allocated[mfn] = 1;
    this.count(dom, 1);
    if (mfn === this.lowestFree) this.lowestFree++;
  }

  private clearRecord(mfn: number): void {
    const b = mfn * SLOTS;
    this.t[b + F.OWNER] = FRAME_FREE;
    this.t[b + F.TYPE] = 0;
    this.t[b + F.TYPE_COUNT] = 0;
    this.t[b + F.REF_COUNT] = 0;
  }

  private count(dom: number, delta: number): void {
    const n = (this.perDomain.get(dom) ?? 0) + delta;
    if (n < 0) throw new HypervisorBug(`d${dom} owns a negative number of frames`);
    if (n === 0) this.perDomain.delete(dom);
    else this.perDomain.set(dom, n);
  }

  /** The M2P frames (1024 entries each), then the L1s that map them, all Xen's. */
  private buildM2p(): void {
    const m2pPages = Math.ceil(this.frames / 1024);
    const l1s = Math.ceil(m2pPages / PT_ENTRIES);
    for (let i = 0; i < m2pPages; i++) this.m2pFrames.push(this.xenFrame());
    for (let i = 0; i < l1s; i++) this.m2pL1s.push(this.xenFrame());
    for (const page of this.m2pFrames) this.ram32.fill(-1, page * 1024, page * 1024 + 1024);
    for (let k = 0; k < l1s; k++) {
      const l1 = this.m2pL1s[k];
      this.ram32.fill(0, l1 * 1024, l1 * 1024 + 1024);
      for (let e = 0; e < PT_ENTRIES; e++) {
        const page = this.m2pFrames[k * PT_ENTRIES + e];
        if (page === undefined) break;
        this.ram32[l1 * 1024 + e * 2] = (page << 12) | M2P_PTE_FLAGS;
      }
      // Shown as a validated L1 in the UI; no guest can take a reference to it.
      this.setTypeWord(l1, PGT_L1 | PGF_VALIDATED);
      this.setTypeCount(l1, 1);
    }
  }

  private xenFrame(): number {
    const m = this.allocate(DOMID_XEN);
    if (m < 0) throw new HypervisorBug('no RAM left for the M2P table');
    return m;
  }
}
