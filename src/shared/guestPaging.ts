// A vcpu's page tables as an outside observer reads them: the walk the processor
// does (src/cpu/paging.ts), over shared RAM and the register file's CR0/CR3/CR4,
// but without side effects: no accessed or dirty bits written, no TLB filled, no
// fault raised. Views use it to show the code at EIP and the tables behind CR3.
//
// A PV guest uses direct paging: its entries hold machine frame numbers, and CR3
// holds the machine address of its L3 (src/hv/vcpumm.ts), so physical here means
// machine. PAE entries are 64 bits; bits 51..12 are the frame, bit 63 is NX.
// Permissions are not checked: a debugger may look at supervisor pages.
import { R } from './layout';

export const PTE_P = 0x1, PTE_RW = 0x2, PTE_US = 0x4, PTE_PWT = 0x8, PTE_PCD = 0x10, PTE_A = 0x20,
  PTE_D = 0x40, PTE_PS = 0x80, PTE_G = 0x100;
const CR0_PG = 0x80000000 | 0, CR4_PSE = 0x10, CR4_PAE = 0x20;

/** Machine RAM, index = physical address (u8) or physical address / 4 (i32). */
export interface Ram {
  u8: Uint8Array;
  i32: Int32Array;
}

/** Views of the RAM at the start of a shared machine buffer. */
export function ramViews(buffer: ArrayBufferLike, ramBytes: number): Ram {
  return { u8: new Uint8Array(buffer, 0, ramBytes), i32: new Int32Array(buffer, 0, ramBytes >>> 2) };
}

/** What decides how a vcpu translates addresses. */
export interface Paging {
  cr0: number;
  cr3: number;
  cr4: number;
}

export function pagingOf(regs: Int32Array): Paging {
  return { cr0: regs[R.CR0], cr3: regs[R.CR3], cr4: regs[R.CR4] };
}

export function isPae(p: Paging): boolean {
  return (p.cr4 & CR4_PAE) !== 0;
}

/** Where a table's entries are, how many there are, and how much address space each maps. */
export interface TableShape {
  entries: number;
  entryBytes: 4 | 8;
  /** log2 of the bytes one entry maps. */
  shift: number;
}

/** The shape of a table at `level` (1 = the tables that map pages) under PAE or 2-level paging. */
export function tableShape(pae: boolean, level: number): TableShape {
  if (pae) return { entries: level === 3 ? 4 : 512, entryBytes: 8, shift: 12 + 9 * (level - 1) };
  return { entries: 1024, entryBytes: 4, shift: 12 + 10 * (level - 1) };
}

/** The top level of the tables: 3 under PAE, 2 otherwise. */
export function topLevel(p: Paging): number {
  return isPae(p) ? 3 : 2;
}

/** Machine address of the top-level table (a PAE CR3 is 32-byte aligned, not page aligned). */
export function rootAddress(p: Paging): number {
  return isPae(p) ? (p.cr3 & ~0x1f) >>> 0 : (p.cr3 & ~0xfff) >>> 0;
}

function word(ram: Ram, addr: number): number {
  return addr >= 0 && addr + 4 <= ram.u8.length ? ram.i32[addr >>> 2] : 0;
}

/** The frame an entry (low and high words) points at. */
export function entryFrame(lo: number, hi: number): number {
  return (hi & 0xfffff) * 0x100000 + (lo >>> 12);
}

/** One present entry of a table. */
export interface TableEntry {
  index: number;
  /** First linear address the entry maps. */
  va: number;
  lo: number;
  hi: number;
  /** The frame it points at: the next table, or the page (the first page of a large one). */
  frame: number;
  /** Maps a 2 MiB or 4 MiB page instead of pointing at a table. */
  large: boolean;
}

/** Every present entry of the table at machine address `addr` at `level`, whose first entry maps `vaBase`. */
export function presentEntries(ram: Ram, addr: number, pae: boolean, level: number, vaBase: number): TableEntry[] {
  const shape = tableShape(pae, level);
  const out: TableEntry[] = [];
  for (let i = 0; i < shape.entries; i++) {
    const at = addr + i * shape.entryBytes;
    const lo = word(ram, at);
    if (!(lo & PTE_P)) continue;
    const hi = pae ? word(ram, at + 4) : 0;
    const va = (vaBase + i * 2 ** shape.shift) >>> 0;
    // PAE L3 entries have no PS bit; an L2 entry's PS means a large page.
    const large = level === 2 && (lo & PTE_PS) !== 0;
    out.push({ index: i, va, lo, hi, frame: pae ? entryFrame(lo, hi) : lo >>> 12, large });
  }
  return out;
}

/** The physical address linear address `lin` maps to under `p`, or -1 when nothing readable backs it. */
export function translate(ram: Ram, p: Paging, lin: number): number {
  lin >>>= 0;
  const size = ram.u8.length;
  if (!(p.cr0 & CR0_PG)) return lin < size ? lin : -1;
  let phys: number;
  if (isPae(p)) {
    const l3 = rootAddress(p) + (lin >>> 30) * 8;
    const e3 = word(ram, l3);
    if (!(e3 & PTE_P)) return -1;
    const l2 = entryFrame(e3, word(ram, l3 + 4)) * 4096 + ((lin >>> 21) & 511) * 8;
    const e2 = word(ram, l2);
    if (!(e2 & PTE_P)) return -1;
    const h2 = word(ram, l2 + 4);
    if (e2 & PTE_PS) {
      phys = entryFrame(e2 & ~0x1fffff, h2) * 4096 + (lin & 0x1fffff);
    } else {
      const l1 = entryFrame(e2, h2) * 4096 + ((lin >>> 12) & 511) * 8;
      const e1 = word(ram, l1);
      if (!(e1 & PTE_P)) return -1;
      phys = entryFrame(e1, word(ram, l1 + 4)) * 4096 + (lin & 0xfff);
    }
  } else {
    const e2 = word(ram, rootAddress(p) + (lin >>> 22) * 4);
    if (!(e2 & PTE_P)) return -1;
    if ((e2 & PTE_PS) && (p.cr4 & CR4_PSE)) {
      phys = (e2 & 0xffc00000) + (lin & 0x3fffff);
    } else {
      const e1 = word(ram, (e2 & ~0xfff) + ((lin >>> 12) & 1023) * 4);
      if (!(e1 & PTE_P)) return -1;
      phys = (e1 & ~0xfff) + (lin & 0xfff);
    }
    phys >>>= 0;
  }
  return phys < size ? phys : -1;
}

/**
 * Copy linear memory from `lin` into `out`, a page at a time; returns how many
 * bytes from the start could be read (fewer than out.length when a page on the
 * way is not mapped).
 */
export function readLinear(ram: Ram, p: Paging, lin: number, out: Uint8Array): number {
  let done = 0;
  while (done < out.length) {
    const at = (lin + done) >>> 0;
    const phys = translate(ram, p, at);
    if (phys < 0) break;
    const n = Math.min(out.length - done, 4096 - (at & 0xfff), ram.u8.length - phys);
    out.set(ram.u8.subarray(phys, phys + n), done);
    done += n;
  }
  return done;
}
