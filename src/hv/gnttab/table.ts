// One domain's grant table, version 1: the shared frames in machine RAM that the guest writes
// (grant_entry_v1: flags u16 @0, domid u16 @2, frame u32 @4; 512 per frame) and Xen's private
// "active" shadow of each entry in use (pin counts, the mapping domain, the frame pinned).
// The guest may rewrite an entry at any time; while an entry is pinned Xen trusts the active
// copy and only reads the shared entry again to check GTF_readonly on a new writable use.
// GTF_reading / GTF_writing in the shared entry tell the granter its page is in use, so it can
// revoke safely (cmpxchg flags to 0 only while neither is set).
import { GTF, PAGE_SIZE } from '../../abi/xen';
import type { RamViews } from '../evtchn/memory';
import { Maptrack } from './maptrack';

export const ENTRIES_PER_FRAME = PAGE_SIZE / 8;

/** Pin counts: four 8-bit counters packed in a u32, as Xen's active_grant_entry.pin. */
export const PIN_HSTW = 1, PIN_HSTR = 1 << 8, PIN_DEVW = 1 << 16, PIN_DEVR = 1 << 24;
export const PIN_HSTW_MASK = 0xff, PIN_DEVW_MASK = 0xff << 16;
/** A counter at 128 or more refuses further increments (Xen's GNTPIN_incr2oflow_mask). */
export function pinWouldOverflow(pin: number, incr: number): boolean {
  return (pin & (incr << 7)) !== 0;
}

export class GrantTable {
  /** Machine frame numbers of the shared frames, in table order. */
  readonly frames: number[] = [];
  /** Active entries, indexed by ref. */
  pin = new Uint32Array(0);
  actDom = new Uint16Array(0);
  actMfn = new Int32Array(0);
  readonly maptrack: Maptrack;
  /** destroyDomain ran: kept only while others still pin its grants. */
  dying = false;

  constructor(private readonly ram: RamViews, readonly maxFrames: number, maxMaptrackFrames: number) {
    this.maptrack = new Maptrack(maxMaptrackFrames);
  }

  get nrEntries(): number {
    return this.frames.length * ENTRIES_PER_FRAME;
  }

  /** Append zeroed frames and grow the active shadow to match. */
  addFrames(mfns: number[]): void {
    for (const mfn of mfns) {
      this.ram.u8.fill(0, mfn * PAGE_SIZE, (mfn + 1) * PAGE_SIZE);
      this.frames.push(mfn);
    }
    const n = this.nrEntries;
    const pin = new Uint32Array(n), dom = new Uint16Array(n), mfn = new Int32Array(n);
    pin.set(this.pin);
    dom.set(this.actDom);
    mfn.set(this.actMfn);
    this.pin = pin;
    this.actDom = dom;
    this.actMfn = mfn;
  }

  /** Whether any other domain (or this one) still pins one of these grants. */
  anyPinned(): boolean {
    for (let i = 0; i < this.pin.length; i++) if (this.pin[i]) return true;
    return false;
  }

  // ---- The shared entry in RAM ----

  /** Int32 index of the entry's first word: flags in bits 0-15, domid in 16-31. */
  private word(ref: number): number {
    return ((this.frames[ref >>> 9]! * PAGE_SIZE) >>> 2) + (ref & (ENTRIES_PER_FRAME - 1)) * 2;
  }
  flags(ref: number): number {
    return Atomics.load(this.ram.i32, this.word(ref)) & 0xffff;
  }
  domid(ref: number): number {
    return Atomics.load(this.ram.i32, this.word(ref)) >>> 16;
  }
  frame(ref: number): number {
    return Atomics.load(this.ram.i32, this.word(ref) + 1) >>> 0;
  }
  setFlags(ref: number, bits: number): void {
    Atomics.or(this.ram.i32, this.word(ref), bits & 0xffff);
  }
  clearFlags(ref: number, bits: number): void {
    Atomics.and(this.ram.i32, this.word(ref), ~(bits & 0xffff));
  }
  /** Write a whole entry the way a guest must: domid and frame first, flags last. */
  writeEntry(ref: number, flags: number, domid: number, frame: number): void {
    const w = this.word(ref);
    Atomics.store(this.ram.i32, w + 1, frame | 0);
    Atomics.store(this.ram.i32, w, ((domid & 0xffff) << 16) | (flags & 0xffff));
  }

  /**
   * reduce_status_for_pin: after a use ends, clear GTF_reading when nothing pins the entry and
   * GTF_writing when no writable pin is left (a read-only use never touches GTF_writing).
   */
  reduceStatusForPin(ref: number, readonly: boolean): void {
    const pin = this.pin[ref]!;
    let clear = pin ? 0 : GTF.reading;
    if (!readonly && !(pin & (PIN_HSTW_MASK | PIN_DEVW_MASK))) clear |= GTF.writing;
    if (clear) this.clearFlags(ref, clear);
  }

  /**
   * _set_status_v1 for a new use by `ldom`: if the entry is not pinned it must be
   * permit_access (and not sub_page, for mappings) for `ldom`; a writable use needs the entry
   * not readonly. Sets GTF_reading, and GTF_writing for a writable use. Returns true if allowed.
   */
  setStatus(ref: number, readonly: boolean, forMapping: boolean, ldom: number): boolean {
    const flags = this.flags(ref);
    const mask = GTF.type_mask | (forMapping ? GTF.sub_page : 0);
    if (!this.pin[ref] && ((flags & mask) !== GTF.permit_access || this.domid(ref) !== ldom)) return false;
    if (!readonly && flags & GTF.readonly) return false;
    this.setFlags(ref, readonly ? GTF.reading : GTF.reading | GTF.writing);
    return true;
  }
}
