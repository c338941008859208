// Test helpers for the page-type engine: a small machine, raw entry writes for
// building page-table trees in RAM before they are validated, and a standard
// three-level tree (L3 -> pae_xen_l2 -> L1 -> data frames). Used by tests only.
import { MachineMemory } from '../../mem/memory';
import { MmEngine } from './engine';
import type { FlushKind } from './state';

export const D1 = 1, D2 = 2;
export const P = 0x1, RW = 0x2, US = 0x4, PWT = 0x8, PCD = 0x10, A = 0x20, D = 0x40, PSE = 0x80, G = 0x100;
/** NX, in the high half of an entry. */
export const NX_HI = 0x80000000 | 0;

export interface Rig {
  e: MmEngine;
  flushes: Array<[number, FlushKind]>;
  writes: Array<[number, number]>;
}

export function rig(ramMiB = 4): Rig {
  const mem = MachineMemory.create({ ramMiB, vcpus: 1 });
  const flushes: Array<[number, FlushKind]> = [];
  const writes: Array<[number, number]> = [];
  const e = new MmEngine(mem, {
    onFlushNeeded: (dom, kind) => flushes.push([dom, kind]),
    notifyWrite: (phys, len) => writes.push([phys, len]),
  });
  return { e, flushes, writes };
}

/** Low half of an entry mapping `mfn` with `flags`. */
export function pte(mfn: number, flags: number): number {
  return ((mfn << 12) | flags) | 0;
}

/** Write entry `i` of frame `mfn` directly in RAM (as a guest would before pinning). */
export function poke(e: MmEngine, mfn: number, i: number, lo: number, hi = 0): void {
  e.ft.ram32[mfn * 1024 + i * 2] = lo;
  e.ft.ram32[mfn * 1024 + i * 2 + 1] = hi;
}

export function peek(e: MmEngine, mfn: number, i: number): [number, number] {
  return e.readEntry(mfn, i);
}

/** Machine address (low word) of entry `i` of frame `mfn`, with an mmu_update command. */
export function ptr(mfn: number, i: number, cmd = 0): number {
  return (mfn * 4096 + i * 8 + cmd) | 0;
}

export function alloc(e: MmEngine, dom: number, n = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = e.ft.allocate(dom);
    if (m < 0) throw new Error('out of frames');
    out.push(m);
  }
  return out;
}

export interface Tree {
  l3: number;
  l2: number;
  l1: number;
  data: number[];
}

/**
 * dom's tree: L3 slot 3 -> L2, whose slot 0 maps L1 (covering VA 0xC0000000..),
 * whose first entries map `data` RW. Not validated yet.
 */
export function buildTree(e: MmEngine, dom: number, nData = 4): Tree {
  const [l3, l2, l1] = alloc(e, dom, 3);
  const data = alloc(e, dom, nData);
  poke(e, l3, 3, pte(l2, P | RW | US | A | D));
  poke(e, l2, 0, pte(l1, P | RW | US | A | D));
  data.forEach((m, i) => poke(e, l1, i, pte(m, P | RW | A)));
  return { l3, l2, l1, data };
}

export function counts(e: MmEngine, mfn: number): { type: number; tc: number; rc: number } {
  return { type: e.ft.typeWord(mfn), tc: e.ft.typeCount(mfn), rc: e.ft.refCount(mfn) };
}
