// What the grant-table engine needs from the rest of the hypervisor, as one injected object.
// The engine owns grant state (entries' GTF_reading/GTF_writing, pin counts, maptrack); it does
// not own the frame table or page tables. Xen's map path asks the page-type code questions
// whose answers decide the GNTST status (may this frame be referenced? typed writable?), so
// these are explicit get/put calls rather than after-the-fact notifications:
//   a mapping holds one general reference on the granted frame per map call (two when it is
//   both a host and a device mapping) plus one writable type reference per writable kind;
//   a copy holds them only for the duration of the copy.
// Every reference the engine takes it puts back: on unmap, on a failed op, or when the mapping
// domain is destroyed. It also holds one reference on each of a table's own grant frames until
// the table is gone. A frame with references must not be freed or retyped (the page-type
// engine's rule, which is how a granting domain's frames, and its grant frames, outlive it
// while others still map its grants). mmhooks.ts implements all this over src/hv/mm.
import type { GrantEvent } from './events';

/** Reference counting on machine frames (implemented by the page-type engine, src/hv/mm). */
export interface FrameRefs {
  /** Xen's get_page: if `mfn` is a valid frame owned by `owner`, take a general reference. */
  getPage(mfn: number, owner: number): boolean;
  putPage(mfn: number): void;
  /** get_page_type(PGT_writable_page): false when the frame is in use as another type. */
  getWritableType(mfn: number): boolean;
  putWritableType(mfn: number): void;
}

/**
 * Page-table writes for GNTMAP_host_map (Xen's create_grant_pv_mapping and
 * replace_grant_pv_mapping, done by the page-type engine). How the PTE itself is accounted
 * is the page-type engine's business (ours counts it like any present entry, which also
 * covers tearing down a dying domain's tables); the grant engine's own references are
 * separate and dropped by unmap or by destroyDomain.
 */
export interface GrantMapper {
  /**
   * Point a PTE of `dom`'s current address space (as seen by `vcpu`) at `mfn`: `hostAddr` is a
   * linear address, or with GNTMAP_contains_pte the machine address of the PTE (8-byte
   * aligned, in an L1 page table the domain owns). PTE flags: Present|Accessed|Dirty|NX, +RW
   * unless GNTMAP_readonly, +User with GNTMAP_application_map, GNTMAP guest_avail bits (16+) in
   * PTE bits 9-11. Returns GNTST.okay or a GNTST error (general_error when there is no L1 there).
   */
  installHostMapping(dom: number, vcpu: number, hostAddr: number, mfn: number, flags: number, cacheFlags: number): number;
  /**
   * Clear the PTE at `hostAddr` (same two address forms), which must map `mfn` with Present and
   * RW as the mapping's flags imply, else GNTST.general_error. With `newAddr` != 0 (only
   * GNTTABOP_unmap_and_replace, linear form) the PTE mapping `newAddr` is moved there instead.
   */
  removeHostMapping(dom: number, vcpu: number, hostAddr: number, mfn: number, newAddr: number, flags: number): number;
  /** gnttab_flush_tlb: after unmapping and before the frame's references are dropped. */
  flushTlb?(dom: number): void;
}

/**
 * Grant frames: Xen heap pages shared with the domain (owned by it, writable-typed for good),
 * which it maps by their MFNs. They are released with the rest of the domain's memory; the
 * engine's own reference keeps each one until the table is gone.
 */
export interface GrantFrameAllocator {
  /** A frame for `dom`'s grant table, or -1 when out of memory. The engine zeroes it. */
  allocGrantFrame(dom: number): number;
  /** Undo allocGrantFrame for a frame never used (a table growth that failed part-way). */
  freeGrantFrame(dom: number, mfn: number): void;
}

export interface GrantHooks extends FrameRefs, GrantMapper, GrantFrameAllocator {
  /** GNTTABOP_copy wrote bytes of this frame (drop decoded code cached from it). */
  frameWritten?(mfn: number): void;
  /** A destroyed domain's grant table is gone: nobody maps its grants any more. */
  tableReleased?(dom: number): void;
  /** Maps, unmaps, copies and table growth, for the trace ring. */
  onEvent?(e: GrantEvent): void;
}
