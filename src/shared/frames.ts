// Reading the frame table (layout.ts F) the way a view of page types needs it:
// one machine frame's record, and the class a map colours it by. Pure reads of
// shared memory; the hypervisor's rules for these fields are in src/hv/mm/.
import {
  F, FRAME_BYTES, FRAME_FREE, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_L4, PGT_MASK, PGT_NAMES,
  PGT_SEG_DESC, PGT_SHARED, PGT_WRITABLE,
} from './layout';

/** The owner of frames the hypervisor keeps for itself (Xen's DOMID_XEN, as src/abi/xen.ts has it). */
export const OWNER_XEN = 0x7ff2;
/** Int32 slots per frame record. */
export const FRAME_SLOTS = FRAME_BYTES / 4;

/** What a frame is used as, for a map: its page type while it holds type references, else who has it. */
export const FC = {
  FREE: 0,
  /** The hypervisor's own (the M2P table and the tables that map it). */
  XEN: 1,
  /** A domain's, holding no type reference: ordinary memory not mapped writable. */
  RAM: 2,
  WRITABLE: 3,
  L1: 4,
  L2: 5,
  L3: 6,
  L4: 7,
  DESC: 8,
  /** Xen's shared page type (memory sharing); kept apart so nothing is misnamed. */
  SHARED_PAGE: 9,
} as const;
/** Classes from the frame table alone; views add their own above this (shared_info, grant frames). */
export const FC_COUNT = 10;

/** The frame table of a shared machine buffer as Int32 slots (FRAME_SLOTS per frame). */
export function frameTableView(buffer: ArrayBufferLike, frameTableOffset: number, frames: number): Int32Array {
  return new Int32Array(buffer, frameTableOffset, frames * FRAME_SLOTS);
}

/**
 * The class of frame `mfn`. A type counts only while references of it are held:
 * Xen leaves the last type in the record when the count drops to 0, and such a
 * frame may take any type next.
 */
export function frameClass(ft: Int32Array, mfn: number): number {
  const b = mfn * FRAME_SLOTS;
  const owner = ft[b + F.OWNER];
  if (owner === FRAME_FREE) return FC.FREE;
  const type = ft[b + F.TYPE_COUNT] > 0 ? ft[b + F.TYPE] & PGT_MASK : 0;
  switch (type) {
    case PGT_L1: return FC.L1;
    case PGT_L2: return FC.L2;
    case PGT_L3: return FC.L3;
    case PGT_L4: return FC.L4;
    case PGT_SEG_DESC: return FC.DESC;
    case PGT_SHARED: return FC.SHARED_PAGE;
    case PGT_WRITABLE: return FC.WRITABLE;
    default: return owner === OWNER_XEN ? FC.XEN : FC.RAM;
  }
}

export function framePinned(ft: Int32Array, mfn: number): boolean {
  return (ft[mfn * FRAME_SLOTS + F.TYPE] & PGF_PINNED) !== 0;
}

export function frameOwner(ft: Int32Array, mfn: number): number {
  return ft[mfn * FRAME_SLOTS + F.OWNER];
}

/** One frame's record, decoded. */
export interface FrameRecord {
  mfn: number;
  /** Domain id, FRAME_FREE or OWNER_XEN. */
  owner: number;
  /** The type in the record (PGT_NAMES), even when no reference of it is held. */
  type: string;
  typeCount: number;
  refCount: number;
  pinned: boolean;
  validated: boolean;
  /** The raw type word (PGT_* | PGF_*). */
  typeWord: number;
}

export function frameRecord(ft: Int32Array, mfn: number): FrameRecord {
  const b = mfn * FRAME_SLOTS;
  const w = ft[b + F.TYPE];
  return {
    mfn,
    owner: ft[b + F.OWNER],
    type: PGT_NAMES[w & PGT_MASK] ?? `type ${w & PGT_MASK}`,
    typeCount: ft[b + F.TYPE_COUNT],
    refCount: ft[b + F.REF_COUNT],
    pinned: (w & PGF_PINNED) !== 0,
    validated: (w & PGF_VALIDATED) !== 0,
    typeWord: w,
  };
}

/** A page-table entry (or grant mapping) that maps a machine frame: src/machine/framemap.ts finds them. */
export interface FrameMapping {
  domid: number;
  /** The page-table frame holding the entry, its level (1..3) and index; level 0 for a grant mapping. */
  tableMfn: number;
  level: number;
  index: number;
  writable: boolean;
}
