// L2 and L3 rules, Xen's slots, and whole-tree validation and devalidation.
import { describe, expect, it } from 'vitest';
import { E } from '../../abi/xen';
import {
  PGF_PAE_XEN_L2, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_WRITABLE,
} from '../../shared/layout';
import { A, D, D1, D2, G, NX_HI, P, PSE, PWT, RW, US, alloc, buildTree, counts, peek, poke, pte, ptr, rig } from './testing';

const V = PGF_VALIDATED;

describe('validating a whole tree (pin L3)', () => {
  it('types and references every level', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(counts(e, t.l3)).toEqual({ type: PGT_L3 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(counts(e, t.l2)).toEqual({ type: PGT_L2 | V | PGF_PAE_XEN_L2, tc: 1, rc: 2 });
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1 | V, tc: 1, rc: 2 });
    for (const m of t.data) expect(counts(e, m)).toEqual({ type: PGT_WRITABLE | V, tc: 1, rc: 2 });
    expect(e.audit()).toEqual([]);
  });

  it('zeroes L3 slots 4..511 and adds RW|User to present L3 entries', () => {
    const { e, writes } = rig();
    const t = buildTree(e, D1);
    poke(e, t.l3, 3, pte(t.l2, P));
    poke(e, t.l3, 4, 0x12345001);
    poke(e, t.l3, 511, 0, 0x7fffffff);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(peek(e, t.l3, 3)).toEqual([pte(t.l2, P | RW | US), 0]);
    expect(peek(e, t.l3, 4)).toEqual([0, 0]);
    expect(peek(e, t.l3, 511)).toEqual([0, 0]);
    expect(writes.some(([phys]) => phys >>> 12 === t.l3)).toBe(true);
  });

  it("fills Xen's slots of the slot-3 L2, so the guest reads the M2P at 0xF5800000", () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    const [foreign] = alloc(e, D2);
    poke(e, t.l2, 428, pte(foreign, P | RW)); // skipped, then overwritten
    poke(e, t.l2, 511, 0xdead0000);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    const xl1 = e.ft.m2pL1s[0];
    expect(peek(e, t.l2, 428)).toEqual([pte(xl1, P | A), 0]);
    for (const i of [429, 500, 511]) expect(peek(e, t.l2, i)).toEqual([0, 0]);
    expect(counts(e, foreign).rc).toBe(1);
    const slot = e.findL1Slot(t.l3, 0xf5800000 + 4 * 5);
    expect(slot).toEqual({ l1mfn: xl1, index: 0 });
    const [lo] = e.readEntry(xl1, 0);
    expect(lo & (RW | US)).toBe(0);
    expect(lo >>> 12).toBe(e.ft.m2pFrames[0]);
    e.ft.m2pSet(t.data[0], 0x42);
    expect(e.ft.ram32[((lo >>> 12) * 4096 + 4 * t.data[0]) >> 2]).toBe(0x42);
  });

  it('requires L3 slot 3 to be present with allowed flags', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    poke(e, t.l3, 3, 0);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(-E.EINVAL);
    poke(e, t.l3, 3, pte(t.l2, P | PWT));
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(-E.EINVAL);
    expect(counts(e, t.l3)).toEqual({ type: 0, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });

  it('applies the L3 disallow mask 0xFFFFF198 to slots 0..2', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    const [l2b] = alloc(e, D1);
    for (const [lo, hi] of [[pte(l2b, P | PWT), 0], [pte(l2b, P | G), 0], [pte(l2b, P | PSE), 0], [pte(l2b, P), NX_HI], [pte(l2b, P), 0x00100000]]) {
      poke(e, t.l3, 0, lo, hi);
      expect(e.pin(D1, t.l3, PGT_L3)).toBe(-E.EINVAL);
    }
    poke(e, t.l3, 0, pte(l2b, P | A | D | 0xe00));
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(counts(e, l2b)).toEqual({ type: PGT_L2 | V, tc: 1, rc: 2 });
    expect(peek(e, t.l3, 0)[0]).toBe(pte(l2b, P | A | D | 0xe00 | RW | US));
  });

  it('refuses an L2 shared between slot 3 and another slot, or between two L3s', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    poke(e, t.l3, 0, pte(t.l2, P));
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(-E.EINVAL);
    poke(e, t.l3, 0, 0);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    const [l3b] = alloc(e, D1);
    poke(e, l3b, 3, pte(t.l2, P));
    expect(e.pin(D1, l3b, PGT_L3)).toBe(-E.EINVAL);
    expect(counts(e, t.l2)).toEqual({ type: PGT_L2 | V | PGF_PAE_XEN_L2, tc: 1, rc: 2 });
    expect(e.audit()).toEqual([]);
  });

  it('refuses an L2 already in use as an ordinary L2 in slot 3', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l2, PGT_L2)).toBe(0);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(-E.EINVAL);
  });

  it('checks L2 entries: no PSE or Global, own frames only, children must validate', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    const [foreign] = alloc(e, D2);
    for (const lo of [pte(t.l1, P | PSE), pte(t.l1, P | G), pte(t.l1, P | PWT), pte(foreign, P)]) {
      poke(e, t.l2, 1, lo);
      expect(e.pin(D1, t.l2, PGT_L2)).toBe(-E.EINVAL);
    }
    // a child L1 that maps the L2 itself writable
    const [l1b] = alloc(e, D1);
    poke(e, l1b, 0, pte(t.l2, P | RW));
    poke(e, t.l2, 1, pte(l1b, P | RW));
    expect(e.pin(D1, t.l2, PGT_L2)).toBe(-E.EBUSY);
    // a child that is mapped writable cannot become an L1
    poke(e, l1b, 0, 0);
    poke(e, t.l1, 9, pte(l1b, P | RW));
    expect(e.pin(D1, t.l2, PGT_L2)).toBe(-E.EINVAL);
    expect(e.audit()).toEqual([]);
    poke(e, t.l1, 9, 0);
    expect(e.pin(D1, t.l2, PGT_L2)).toBe(0);
    expect(e.audit()).toEqual([]);
  });
});

describe('L2 and L3 updates', () => {
  function pinnedTree() {
    const r = rig();
    const t = buildTree(r.e, D1);
    expect(r.e.pin(D1, t.l3, PGT_L3)).toBe(0);
    return { ...r, t };
  }

  it("refuses updates of Xen's slots (-EPERM), and only in the slot-3 L2", () => {
    const { e, t } = pinnedTree();
    const [l1b] = alloc(e, D1);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 428), 0, pte(l1b, P), 0)).toBe(-E.EPERM);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 511), 0, 0, 0)).toBe(-E.EPERM);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 427), 0, pte(l1b, P), 0)).toBe(0);
    const [plain] = alloc(e, D1);
    expect(e.pin(D1, plain, PGT_L2)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(plain, 500), 0, pte(l1b, P), 0)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it('refuses L3 updates at slot 3 and above (-EINVAL); slots 0..2 work and get RW|User', () => {
    const { e, t, flushes } = pinnedTree();
    const [l2b] = alloc(e, D1);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l3, 3), 0, 0, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l3, 4), 0, 0, 0)).toBe(-E.EINVAL);
    expect(flushes).toEqual([]);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l3, 1), 0, pte(l2b, P), 0)).toBe(0);
    expect(peek(e, t.l3, 1)[0]).toBe(pte(l2b, P | RW | US));
    expect(counts(e, l2b)).toEqual({ type: PGT_L2 | V, tc: 1, rc: 2 });
    expect(flushes).toEqual([[D1, 'pagetable']]);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l3, 1), 0, 0, 0)).toBe(0);
    expect(counts(e, l2b)).toEqual({ type: PGT_L2, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });

  it('flushes after an L2 update and moves the L1 references', () => {
    const { e, t, flushes } = pinnedTree();
    const [l1b] = alloc(e, D1);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 0), 0, pte(l1b, P | RW), 0)).toBe(0);
    expect(flushes).toEqual([[D1, 'pagetable']]);
    expect(counts(e, l1b)).toEqual({ type: PGT_L1 | V, tc: 1, rc: 2 });
    // the old L1 was devalidated: its data frames lost their references
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1, tc: 0, rc: 1 });
    for (const m of t.data) expect(counts(e, m)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });

  it('refuses L2/L3 updates naming a foreign page owner', () => {
    const { e, t } = pinnedTree();
    expect(e.mmuUpdate(D1, D1, D2, ptr(t.l2, 1), 0, 0, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D2, ptr(t.l3, 1), 0, 0, 0)).toBe(-E.EINVAL);
  });

  it('unpinning the L3 devalidates the whole tree and strips RW|User|Accessed from L3 entries', () => {
    const { e, t } = pinnedTree();
    expect(e.unpin(D1, t.l3)).toBe(0);
    expect(counts(e, t.l3)).toEqual({ type: PGT_L3, tc: 0, rc: 1 });
    expect(counts(e, t.l2)).toEqual({ type: PGT_L2, tc: 0, rc: 1 });
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1, tc: 0, rc: 1 });
    for (const m of t.data) expect(counts(e, m)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(peek(e, t.l3, 3)[0]).toBe(pte(t.l2, P | D));
    // now plain memory again: a raw mmu_update write makes it writable
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l1, 0), 0, 0x1234, 0)).toBe(0);
    expect(counts(e, t.l1)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });
});
