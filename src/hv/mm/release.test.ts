// Grant host mappings and domain destruction.
import { describe, expect, it } from 'vitest';
import { DOMID_XEN, GNTST } from '../../abi/xen';
import { FRAME_FREE, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_WRITABLE } from '../../shared/layout';
import { A, D, D1, D2, P, RW, alloc, buildTree, counts, peek, poke, pte, ptr, rig } from './testing';

const V = PGF_VALIDATED;
const VA = 0xc0000000;

describe('grant host mappings', () => {
  function setup() {
    const r = rig();
    const t = buildTree(r.e, D1);
    expect(r.e.newBaseptr(D1, 0, t.l3)).toBe(0);
    const [granted] = alloc(r.e, D2);
    return { ...r, t, granted };
  }

  it('maps a foreign frame by PTE address, holding a reference and a writable type', () => {
    const { e, t, granted } = setup();
    const old = t.data[0];
    const rc = e.installHostMapping(D1, { pte: t.l1 * 4096 }, pte(granted, P | RW | A | D), 0);
    expect(rc).toBe(GNTST.okay);
    expect(peek(e, t.l1, 0)).toEqual([pte(granted, P | RW | A | D), 0]);
    expect(counts(e, granted)).toEqual({ type: PGT_WRITABLE | V, tc: 1, rc: 2 });
    expect(counts(e, old)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 }); // replaced entry dropped
    // while mapped, the granting domain cannot turn it into a table, nor free it
    expect(e.pin(D2, granted, PGT_L1)).toBe(-22);
    e.ft.dropAllocation(granted);
    expect(e.ft.owner(granted)).toBe(D2);
    expect(e.audit()).toEqual([]);
    expect(e.removeHostMapping(D1, { pte: t.l1 * 4096 }, granted, P | RW)).toBe(GNTST.okay);
    expect(peek(e, t.l1, 0)).toEqual([0, 0]);
    expect(e.ft.owner(granted)).toBe(FRAME_FREE);
    expect(e.audit()).toEqual([]);
  });

  it('maps by virtual address through the current tables, read-only without a type reference', () => {
    const { e, t, granted } = setup();
    expect(e.installHostMapping(D1, { l3mfn: t.l3, va: VA + 0x9000 }, pte(granted, P | A), 0)).toBe(GNTST.okay);
    expect(peek(e, t.l1, 9)[0]).toBe(pte(granted, P | A));
    expect(counts(e, granted)).toEqual({ type: 0, tc: 0, rc: 2 });
    // unmapping checks the frame and the Present/RW bits
    expect(e.removeHostMapping(D1, { l3mfn: t.l3, va: VA + 0x9000 }, granted, P | RW)).toBe(GNTST.general_error);
    expect(e.removeHostMapping(D1, { l3mfn: t.l3, va: VA + 0x9000 }, t.data[0], P)).toBe(GNTST.general_error);
    expect(e.removeHostMapping(D1, { l3mfn: t.l3, va: VA + 0x9000 }, granted, P)).toBe(GNTST.okay);
    expect(counts(e, granted).rc).toBe(1);
    expect(e.audit()).toEqual([]);
  });

  it('refuses bad targets and frames that cannot be mapped that way', () => {
    const { e, t, granted } = setup();
    const [table] = alloc(e, D2);
    expect(e.pin(D2, table, PGT_L1)).toBe(0);
    const at = { pte: t.l1 * 4096 + 8 * 20 };
    expect(e.installHostMapping(D1, at, pte(table, P | RW), 0)).toBe(GNTST.general_error);
    expect(e.installHostMapping(D1, at, pte(table, P), 0)).toBe(GNTST.okay);
    expect(e.installHostMapping(D1, at, pte(e.ft.m2pFrames[0], P), 0)).toBe(GNTST.general_error);
    expect(e.installHostMapping(D1, at, pte(e.ft.frames - 1, P), 0)).toBe(GNTST.general_error); // free
    expect(e.installHostMapping(D1, at, pte(granted, 0), 0)).toBe(GNTST.general_error);
    expect(e.installHostMapping(D1, { pte: t.l1 * 4096 + 4 }, pte(granted, P), 0)).toBe(GNTST.general_error);
    expect(e.installHostMapping(D1, { pte: t.l2 * 4096 }, pte(granted, P), 0)).toBe(GNTST.general_error);
    expect(e.installHostMapping(D2, at, pte(granted, P), 0)).toBe(GNTST.general_error); // not D2's L1
    expect(e.installHostMapping(D1, { l3mfn: t.l3, va: 0x1000 }, pte(granted, P), 0)).toBe(GNTST.general_error);
    expect(e.audit()).toEqual([]);
  });
});

describe('releaseDomain', () => {
  it('frees every frame of a domain with a pinned, in-use tree, and leaks nothing', () => {
    const { e } = rig();
    const t = buildTree(e, D1, 8);
    const t2 = buildTree(e, D1, 2);
    const [other] = alloc(e, D2);
    const [extraL1, lin] = alloc(e, D1, 2);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(0);
    expect(e.newBaseptr(D1, 0, t.l3)).toBe(0);
    expect(e.newBaseptr(D1, 1, t2.l3)).toBe(0);
    expect(e.pin(D1, lin, PGT_L2)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 5), 0, pte(lin, P), 0)).toBe(0); // linear
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 6), 0, pte(extraL1, P | RW), 0)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(extraL1, 0), 0, pte(t.data[0], P | RW), 0)).toBe(0);
    // a Xen page shared with the guest, mapped by it
    const si = e.ft.allocate(DOMID_XEN);
    e.ft.shareWithGuest(si, D1, false);
    expect(e.mmuUpdate(D1, D1, D1, ptr(extraL1, 1), 0, pte(si, P | RW), 0)).toBe(0);
    expect(e.audit()).toEqual([]);
    const before = e.ft.pagesOf(D1);

    const res = e.releaseDomain(D1);
    expect(res).toEqual({ freed: before, remaining: [] });
    expect(e.ft.pagesOf(D1)).toBe(0);
    for (let m = 0; m < e.ft.frames; m++) {
      if (e.ft.owner(m) === FRAME_FREE) expect(counts(e, m)).toEqual({ type: 0, tc: 0, rc: 0 });
    }
    expect(e.baseptr(D1, 0)).toBe(-1);
    expect(counts(e, other)).toEqual({ type: 0, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });

  it('keeps frames another domain still maps until that mapping goes', () => {
    const { e } = rig();
    const t = buildTree(e, D2);
    expect(e.newBaseptr(D2, 0, t.l3)).toBe(0);
    const [shared] = alloc(e, D1);
    expect(e.installHostMapping(D2, { pte: t.l1 * 4096 + 8 * 100 }, pte(shared, P | RW), 0)).toBe(GNTST.okay);
    const res = e.releaseDomain(D1);
    expect(res.remaining).toEqual([shared]);
    expect(e.ft.owner(shared)).toBe(D1);
    expect(e.audit()).toEqual([]);
    expect(e.removeHostMapping(D2, { pte: t.l1 * 4096 + 8 * 100 }, shared, P | RW)).toBe(GNTST.okay);
    expect(e.ft.owner(shared)).toBe(FRAME_FREE);
    expect(e.ft.pagesOf(D1)).toBe(0);
  });

  it('drops references its tables held on frames of other domains', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    const [foreign] = alloc(e, D2);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D2, ptr(t.l1, 50), 0, pte(foreign, P | RW), 0)).toBe(0);
    expect(counts(e, foreign).rc).toBe(2);
    e.releaseDomain(D1);
    expect(counts(e, foreign)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.ft.pagesOf(D1)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it('leaves other domains alone', () => {
    const { e } = rig();
    const t1 = buildTree(e, D1);
    const t2 = buildTree(e, D2);
    expect(e.pin(D1, t1.l3, PGT_L3)).toBe(0);
    expect(e.pin(D2, t2.l3, PGT_L3)).toBe(0);
    poke(e, t2.l1, 0, pte(t2.data[0], P | RW)); // unchanged contents
    e.releaseDomain(D1);
    expect(counts(e, t2.l2).type & 0xf).toBe(PGT_L2);
    expect(counts(e, t2.l3).tc).toBe(1);
    expect(e.audit()).toEqual([]);
  });
});
