// Test fixture for the grant engine: the real page-type engine (src/hv/mm) over a small
// MachineMemory, wired through grantHooksOverMm, and per domain a validated page-table tree
// (L3 slot 3 -> L2 slot 0 -> one L1 covering 0xC0000000..0xC01FFFFF) that vcpu 0 runs on.
// Guests' writes to their grant entries are done straight in RAM, as a guest would.
import { MachineMemory } from '../../mem/memory';
import { MmEngine } from '../mm/engine';
import { GrantTables, type DomainGrantConfig, type GrantEvent, type GrantHooks } from './gnttab';
import { grantHooksOverMm } from './mmhooks';

/** An unmapped page in every fixture domain's L1 (slot 256), for host mappings. */
export const HOST_VA = 0xc0100000;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40;

export interface DomFrames {
  l3: number;
  l2: number;
  l1: number;
  /** Ordinary RAM frames of the domain, mapped RW at 0xC0000000 + i * 4096. */
  data: number[];
}

export interface GrantRig {
  mem: MachineMemory;
  mm: MmEngine;
  gt: GrantTables;
  hooks: GrantHooks;
  doms: Map<number, DomFrames>;
  flushes: number[];
  written: number[];
  released: number[];
  events: GrantEvent[];
  add(dom: number, cfg?: DomainGrantConfig): DomFrames;
  /** Write grant entry `ref` of `dom` in RAM (domid and frame first, then flags). */
  grant(dom: number, ref: number, grantee: number, frame: number, flags?: number): void;
  /** The flags half of grant entry `ref` of `dom`, read from RAM. */
  entryFlags(dom: number, ref: number): number;
  /** The L1 entry of `dom` for HOST_VA + i pages, as [lo, hi]. */
  hostPte(dom: number, i?: number): [number, number];
  counts(mfn: number): { ref: number; type: number };
  audit(): string[];
}

export function grantRig(override: Partial<GrantHooks> = {}): GrantRig {
  const mem = MachineMemory.create({ ramMiB: 4, vcpus: 1 });
  const mm = new MmEngine(mem);
  const flushes: number[] = [], written: number[] = [], released: number[] = [], events: GrantEvent[] = [];
  const hooks: GrantHooks = {
    ...grantHooksOverMm(mm, {
      flushTlb: (d) => flushes.push(d),
      frameWritten: (m) => written.push(m),
      tableReleased: (d) => released.push(d),
      onEvent: (e) => events.push(e),
    }),
    ...override,
  };
  const gt = new GrantTables(mem, hooks);
  const doms = new Map<number, DomFrames>();
  const poke = (mfn: number, i: number, lo: number) => {
    mem.i32[mfn * 1024 + i * 2] = lo;
    mem.i32[mfn * 1024 + i * 2 + 1] = 0;
  };
  const take = (dom: number) => {
    const m = mm.ft.allocate(dom);
    if (m < 0) throw new Error('fixture out of frames');
    return m;
  };
  const rig: GrantRig = {
    mem, mm, gt, hooks, doms, flushes, written, released, events,
    add(dom, cfg = {}) {
      const l3 = take(dom), l2 = take(dom), l1 = take(dom);
      const data = [take(dom), take(dom), take(dom), take(dom)];
      poke(l3, 3, (l2 << 12) | P);
      poke(l2, 0, (l1 << 12) | P | RW | US | A | D);
      data.forEach((m, i) => poke(l1, i, (m << 12) | P | RW | A | D));
      const rc = mm.newBaseptr(dom, 0, l3);
      if (rc !== 0) throw new Error(`fixture tree of d${dom} refused: ${rc}`);
      if (gt.addDomain(dom, cfg) !== 0) throw new Error(`no grant table for d${dom}`);
      const f = { l3, l2, l1, data };
      doms.set(dom, f);
      return f;
    },
    grant(dom, ref, grantee, frame, flags = 1) {
      const mfn = gt.frames(dom)[ref >>> 9]!;
      const w = (mfn * 4096 + (ref & 511) * 8) / 4;
      mem.i32[w + 1] = frame;
      mem.i32[w] = (grantee << 16) | flags;
    },
    entryFlags(dom, ref) {
      const mfn = gt.frames(dom)[ref >>> 9]!;
      return mem.u8[mfn * 4096 + (ref & 511) * 8]! | (mem.u8[mfn * 4096 + (ref & 511) * 8 + 1]! << 8);
    },
    hostPte(dom, i = 0) {
      return mm.readEntry(doms.get(dom)!.l1, 256 + i);
    },
    counts(mfn) {
      return { ref: mm.ft.refCount(mfn), type: mm.ft.typeCount(mfn) };
    },
    audit() {
      return mm.audit(gt.heldReferences());
    },
  };
  return rig;
}
