// Random sequences of guest operations (seeded, so every run is the same) with
// a full audit after each step: every count equals the references found by
// scanning all validated tables, and no validated L1 maps a page table, a
// descriptor page or a Xen frame writable. Nothing a guest does may throw.
import { describe, expect, it } from 'vitest';
import { DOMID_XEN } from '../../abi/xen';
import { FRAME_FREE, PGT_L1, PGT_L2, PGT_L3 } from '../../shared/layout';
import type { MmEngine } from './engine';
import { A, D, D1, D2, G, NX_HI, P, PSE, PWT, RW, US, alloc, pte, rig } from './testing';

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLAGS = [P | RW | A, P | A, P, P | RW | US | A | D, 0, 0, P | PSE, P | G, P | PWT, RW, P | RW | US];
const HIGH = [0, 0, 0, 0, 0, NX_HI, 1, 0x00100000];
const SLOTS = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 427, 428, 511];
const LEVELS = [PGT_L1, PGT_L2, PGT_L3];

function run(seed: number, steps: number): Record<string, number> {
  const { e } = rig(4);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const pools = new Map<number, number[]>([[D1, alloc(e, D1, 20)], [D2, alloc(e, D2, 12)]]);
  const segHolds = new Map<number, number>(); // frame -> seg_desc references we hold
  const hostMaps: Array<{ dom: number; pte: number; mfn: number; lo: number }> = [];
  const ok: Record<string, number> = {};
  const tally = (op: string, rc: number) => { if (rc === 0) ok[op] = (ok[op] ?? 0) + 1; };

  const frameFor = (dom: number): number => {
    const r = rnd();
    if (r < 0.75) return pick(pools.get(dom)!);
    if (r < 0.85) return pick(pools.get(dom === D1 ? D2 : D1)!);
    if (r < 0.92) return pick([...e.ft.m2pFrames, ...e.ft.m2pL1s]);
    return r < 0.96 ? e.ft.frames - 1 : e.ft.frames + 3;
  };
  const entry = (dom: number): [number, number] => [pte(frameFor(dom), pick(FLAGS)), pick(HIGH)];

  for (let step = 0; step < steps; step++) {
    const dom = rnd() < 0.7 ? D1 : D2;
    const pool = pools.get(dom)!;
    const op = Math.floor(rnd() * 13);
    switch (op) {
      case 0: case 1: case 2: {
        const [lo, hi] = entry(dom);
        const cmd = pick([0, 0, 0, 2, 1]);
        const fd = rnd() < 0.9 ? dom : (dom === D1 ? D2 : D1);
        tally('mmu_update', e.mmuUpdate(dom, dom, fd, (pick(pool) * 4096 + pick(SLOTS) * 8 + cmd) | 0, 0, lo, hi));
        break;
      }
      case 3: tally('pin', e.pin(dom, frameFor(dom), pick(LEVELS))); break;
      case 4: tally('unpin', e.unpin(dom, frameFor(dom))); break;
      case 5: tally('baseptr', e.newBaseptr(dom, pick([0, 1]), frameFor(dom))); break;
      case 6: {
        const [lo, hi] = entry(dom);
        const bytes = pick([8, 8, 4, 4, 2, 1]);
        const off = pick(SLOTS) * 8 + pick([0, 0, 4, 2, 1]);
        tally('ptwr', rnd() < 0.8
          ? e.ptwrWrite(dom, frameFor(dom), off, bytes, lo, hi)
          : e.ptwrCmpxchg(dom, frameFor(dom), off, bytes, lo, hi, lo, hi));
        break;
      }
      case 7: {
        const base = e.baseptr(dom, 0);
        if (base < 0) break;
        const [lo, hi] = entry(dom);
        const va = (pick([0, 1, 2, 3]) * 0x40000000 + pick([0, 1, 2, 427, 428]) * 0x200000 + pick(SLOTS) * 4096) >>> 0;
        tally('update_va_mapping', e.updateVaMapping(dom, dom, base, va, lo, hi));
        break;
      }
      case 8: {
        const m = frameFor(dom);
        if (rnd() < 0.6) {
          const rc = e.getSegDescPage(dom, m);
          tally('seg_desc', rc);
          if (rc === 0) segHolds.set(m, (segHolds.get(m) ?? 0) + 1);
        } else if ((segHolds.get(m) ?? 0) > 0) {
          e.putSegDescPage(m);
          segHolds.set(m, segHolds.get(m)! - 1);
        }
        tally('update_descriptor', e.updateDescriptor(dom, m * 4096 + pick(SLOTS) * 8,
          pick([0x0000ffff, 0x00100000]), pick([0x00cf9a00, 0x00008900, 0x0000ec00, 0])));
        break;
      }
      case 9: {
        if (rnd() < 0.5 || hostMaps.length === 0) {
          const at = pick(pool) * 4096 + pick(SLOTS) * 8;
          const m = frameFor(dom === D1 ? D2 : D1);
          const lo = pte(m, pick([P | RW | A | D, P | A]));
          const rc = e.installHostMapping(dom, { pte: at }, lo, 0);
          tally('host_map', rc);
          if (rc === 0) hostMaps.push({ dom, pte: at, mfn: m, lo });
        } else {
          const h = hostMaps.splice(Math.floor(rnd() * hostMaps.length), 1)[0];
          tally('host_unmap', e.removeHostMapping(h.dom, { pte: h.pte }, h.mfn, h.lo));
        }
        break;
      }
      case 10:
        tally('clear/copy', rnd() < 0.5 ? e.clearPage(dom, frameFor(dom)) : e.copyPage(dom, frameFor(dom), frameFor(dom)));
        break;
      case 11:
        if (rnd() < 0.03 && dom === D2) {
          // destroy D2 (its descriptor pages released first, as the vcpu teardown would) and start over
          for (const [m, k] of segHolds) {
            if (e.ft.owner(m) !== D2) continue;
            for (let i = 0; i < k; i++) e.putSegDescPage(m);
            segHolds.delete(m);
          }
          e.releaseDomain(D2);
          for (let i = hostMaps.length - 1; i >= 0; i--) if (hostMaps[i].dom === D2) hostMaps.splice(i, 1);
          pools.set(D2, alloc(e, D2, 12));
          ok.release = (ok.release ?? 0) + 1;
        }
        break;
      case 12: {
        // a well-formed tree, written raw, then pinned or loaded: makes L3 successes common
        const [l3, l2, l1] = [pick(pool), pick(pool), pick(pool)];
        const w = (m: number, i: number, lo: number) => e.mmuUpdate(dom, dom, dom, (m * 4096 + i * 8) | 0, 0, lo, 0);
        w(l3, 3, pte(l2, P | RW | US | A));
        w(l3, pick([0, 1, 2]), rnd() < 0.5 ? 0 : pte(pick(pool), P));
        w(l2, 0, pte(l1, P | RW | A));
        w(l1, pick(SLOTS), pte(pick(pool), pick([P | RW | A, P | A])));
        tally('tree', rnd() < 0.5 ? e.pin(dom, l3, PGT_L3) : e.newBaseptr(dom, pick([0, 1]), l3));
        break;
      }
    }
    const problems = e.audit({ ref: segHolds, type: segHolds });
    if (problems.length) throw new Error(`seed ${seed} step ${step} op ${op}: ${problems.slice(0, 5).join('; ')}`);
  }
  checkNoWritableTables(e);
  return ok;
}

/** Redundant with the audit, stated plainly: no table or Xen frame is mapped RW by any validated L1. */
function checkNoWritableTables(e: MmEngine): void {
  for (let m = 0; m < e.ft.frames; m++) {
    if ((e.ft.type(m) !== PGT_L1 || e.ft.typeCount(m) === 0) || e.ft.owner(m) === DOMID_XEN) continue;
    for (let i = 0; i < 512; i++) {
      const [lo] = e.readEntry(m, i);
      if ((lo & (P | RW)) !== (P | RW)) continue;
      const t = lo >>> 12;
      expect(e.ft.owner(t)).not.toBe(DOMID_XEN);
      expect(e.ft.owner(t)).not.toBe(FRAME_FREE);
      expect([PGT_L1, PGT_L2, PGT_L3]).not.toContain(e.ft.type(t));
    }
  }
}

describe('random operation sequences keep every invariant', () => {
  for (const seed of [1, 2, 3, 0xc0ffee, 20260821]) {
    it(`seed ${seed}`, () => {
      const ok = run(seed, 2500);
      if (process.env.MM_RANDOM_STATS) console.log(seed, ok);
      // the sequences must actually exercise the interesting successes
      for (const op of ['mmu_update', 'pin', 'unpin', 'baseptr', 'tree', 'ptwr', 'update_va_mapping', 'seg_desc', 'host_map', 'host_unmap']) {
        expect(ok[op] ?? 0, op).toBeGreaterThan(0);
      }
      // An audit after every one of 2500 steps: seconds of work, more on a busy machine.
    }, 120_000);
  }
});
