// The rows of the page-table tree: a vcpu's top table from CR3, then, for each
// table the user opens, its present entries, each with what the frame table says
// about the frame it points at (type, pinned) so the tree shows pin state at
// every level. Computed on demand, only for open tables.
import { FRAME_SLOTS, frameClass, framePinned } from '../../../shared/frames';
import {
  PTE_A, PTE_D, PTE_G, PTE_PS, PTE_RW, PTE_US, isPae, presentEntries, rootAddress, tableShape, topLevel,
  type Paging, type Ram,
} from '../../../shared/guestPaging';
import { F, PGF_VALIDATED } from '../../../shared/layout';

/** A table to list: where it is and what it maps. */
export interface TableRef {
  /** Machine address of its first entry (a PAE L3 need not be page aligned). */
  addr: number;
  level: number;
  pae: boolean;
  /** First linear address it maps. */
  va: number;
}

export interface EntryRow {
  index: number;
  /** Linear addresses the entry maps, first and last. */
  va: number;
  vaLast: number;
  /** The frame it points at: a table below (`child`) or a page. */
  frame: number;
  /** The table below, when the entry points at one. */
  child: TableRef | null;
  /** Entry flags, decoded: RW or RO, U or S, then A, D, G, NX, PS when set. */
  flags: string;
  /** Map class of the frame (src/shared/frames.ts FC), -1 when it is outside RAM. */
  cls: number;
  pinned: boolean;
  validated: boolean;
  owner: number;
}

export function rootTable(p: Paging): TableRef {
  return { addr: rootAddress(p), level: topLevel(p), pae: isPae(p), va: 0 };
}

export function entryFlags(lo: number, hi: number, level: number, pae: boolean): string {
  // PAE L3 entries (legacy PDPTEs) carry no permission bits of their own.
  if (pae && level === 3) return '';
  const f = [lo & PTE_RW ? 'RW' : 'RO', lo & PTE_US ? 'U' : 'S'];
  if (lo & PTE_A) f.push('A');
  if (lo & PTE_D) f.push('D');
  if (lo & PTE_G) f.push('G');
  if (pae && hi < 0) f.push('NX');
  if (level === 2 && lo & PTE_PS) f.push('PS');
  return f.join(' ');
}

/** The present entries of table `t`, each described with the frame it points at. */
export function tableRows(ram: Ram, ft: Int32Array, t: TableRef): EntryRow[] {
  const frames = ft.length / FRAME_SLOTS;
  const span = 2 ** tableShape(t.pae, t.level).shift;
  return presentEntries(ram, t.addr, t.pae, t.level, t.va).map((e) => {
    const inRam = e.frame < frames;
    const child = t.level > 1 && !e.large ? { addr: e.frame * 4096, level: t.level - 1, pae: t.pae, va: e.va } : null;
    return {
      index: e.index,
      va: e.va,
      vaLast: (e.va + span - 1) >>> 0,
      frame: e.frame,
      child,
      flags: entryFlags(e.lo, e.hi, t.level, t.pae),
      cls: inRam ? frameClass(ft, e.frame) : -1,
      pinned: inRam && framePinned(ft, e.frame),
      validated: inRam && (ft[e.frame * FRAME_SLOTS + F.TYPE] & PGF_VALIDATED) !== 0,
      owner: inRam ? ft[e.frame * FRAME_SLOTS + F.OWNER] : -1,
    };
  });
}
