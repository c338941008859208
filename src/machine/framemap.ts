// "Who maps this machine frame?" for the page-types panel: every present entry of
// every validated page table (L1, L2, L3, whoever owns it) that names the frame,
// plus every grant mapping of it. A pure function over the frame table and RAM, so
// it can be tested on hand-made tables and run between slices in the worker.
//
// Only validated tables count: a frame typed L1 whose type count fell to zero may
// still hold old entries, but the hardware walks it no more, so nothing maps
// through it. All 512 slots of an L3 are scanned: the hypervisor walks a 32-bit
// guest's L3 in long mode, where every slot is live (src/hv/mm/tables.ts).
import { F, PGF_VALIDATED, PGT_L1, PGT_L3, PGT_MASK } from '../shared/layout';
import { FRAME_SLOTS as SLOTS, type FrameMapping } from '../shared/frames';

const ENTRIES = 512;
const PTE_P = 0x1, PTE_RW = 0x2;
/** GNTMAP_readonly (xen/include/public/grant_table.h). */
const GNTMAP_READONLY = 4;

export type { FrameMapping };

/** One grant mapping as the grant engine lists it (src/hv/gnttab GrantTables.mappings). */
export interface GrantMappingOf {
  /** The domain holding the mapping. */
  domid: number;
  handle: number;
  mfn: number;
  flags: number;
}

export interface FrameMapInput {
  /** The shared frame table (FRAME_BYTES per frame). */
  frameTable: Int32Array;
  /** RAM as Int32 (index = physical address / 4). */
  ram32: Int32Array;
  frames: number;
  grants: readonly GrantMappingOf[];
}

/** Every page-table entry and grant mapping that maps `mfn`, tables in frame order. */
export function frameMappings(input: FrameMapInput, mfn: number): FrameMapping[] {
  const { frameTable: t, ram32, frames } = input;
  const out: FrameMapping[] = [];
  if (!Number.isInteger(mfn) || mfn < 0 || mfn >= frames) return out;
  // Entry frame bits 12..51: with RAM below 4 GiB the high half's frame bits are 0.
  const lo = mfn << 12;
  for (let table = 0; table < frames; table++) {
    const type = t[table * SLOTS + F.TYPE]!;
    const level = type & PGT_MASK;
    if (level < PGT_L1 || level > PGT_L3 || !(type & PGF_VALIDATED)) continue;
    const owner = t[table * SLOTS + F.OWNER]!;
    const base = table << 10;
    for (let i = 0; i < ENTRIES; i++) {
      const elo = ram32[base + i * 2]!;
      if (!(elo & PTE_P) || (elo & ~0xfff) !== lo || (ram32[base + i * 2 + 1]! & 0xfffff) !== 0) continue;
      out.push({ domid: owner, tableMfn: table, level, index: i, writable: level === PGT_L1 && (elo & PTE_RW) !== 0 });
    }
  }
  for (const g of input.grants) {
    if (g.mfn === mfn) out.push({ domid: g.domid, tableMfn: 0, level: 0, index: g.handle, writable: !(g.flags & GNTMAP_READONLY) });
  }
  return out;
}
