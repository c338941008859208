// mmu_update dispatch, MMU_MACHPHYS_UPDATE, update_va_mapping, writable page tables.
import { describe, expect, it } from 'vitest';
import { E } from '../../abi/xen';
import { PGF_VALIDATED, PGT_L1, PGT_L3, PGT_SEG_DESC, PGT_WRITABLE } from '../../shared/layout';
import { PTWR_CMPXCHG_FAILED, PTWR_OK, PTWR_UNHANDLEABLE } from './ptwr';
import { A, D, D1, D2, P, PCD, RW, alloc, buildTree, counts, peek, poke, pte, ptr, rig } from './testing';

const V = PGF_VALIDATED;

describe('mmu_update dispatch', () => {
  it('writes a plain frame raw, even with garbage, and leaves it untyped-in-use', () => {
    const { e, writes } = rig();
    const [x] = alloc(e, D1);
    expect(e.mmuUpdate(D1, D1, D1, ptr(x, 3), 0, 0xdeadbeef, 0x12345678)).toBe(0);
    expect(peek(e, x, 3)).toEqual([0xdeadbeef | 0, 0x12345678]);
    expect(counts(e, x)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(writes).toContainEqual([x * 4096 + 24, 8]);
  });

  it("refuses frames that are not the page-table owner's, and descriptor pages", () => {
    const { e } = rig();
    const [foreign] = alloc(e, D2);
    const [gdt] = alloc(e, D1);
    expect(e.mmuUpdate(D1, D1, D1, ptr(foreign, 0), 0, 0, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(e.ft.m2pFrames[0], 0), 0, 0, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(e.ft.frames, 0), 0, 0, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(0, 0), 1, 0, 0)).toBe(-E.EINVAL); // ptr above 4 GiB
    expect(e.getSegDescPage(D1, gdt)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(gdt, 0), 0, 0, 0)).toBe(-E.EINVAL);
    // the page-table owner can be another domain (foreigndom >> 16)
    expect(e.mmuUpdate(D1, D2, D2, ptr(foreign, 0), 0, 5, 0)).toBe(0);
  });

  it('returns -ENOSYS for commands 4..7', () => {
    const { e } = rig();
    const [x] = alloc(e, D1);
    for (let cmd = 4; cmd < 8; cmd++) expect(e.mmuUpdate(D1, D1, D1, ptr(x, 0, cmd), 0, 0, 0)).toBe(-E.ENOSYS);
  });

  it('MMU_MACHPHYS_UPDATE sets the M2P entry of an owned frame', () => {
    const { e } = rig();
    const [x] = alloc(e, D1);
    const [foreign] = alloc(e, D2);
    expect(e.mmuUpdate(D1, D1, D1, ptr(x, 5, 1), 0, 0x777, 0)).toBe(0);
    expect(e.ft.m2pGet(x)).toBe(0x777);
    expect(e.mmuUpdate(D1, D1, D1, ptr(foreign, 0, 1), 0, 1, 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D2, ptr(foreign, 0, 1), 0, 9, 0)).toBe(0); // foreigndom owns it
    expect(e.ft.m2pGet(foreign)).toBe(9);
    expect(e.mmuUpdate(D1, D2, D2, ptr(foreign, 0, 1), 0, 1, 0)).toBe(-E.EPERM);
    expect(counts(e, x).rc).toBe(1);
  });
});

describe('update_va_mapping', () => {
  function running() {
    const r = rig();
    const t = buildTree(r.e, D1);
    expect(r.e.newBaseptr(D1, 0, t.l3)).toBe(0);
    return { ...r, t };
  }
  const VA = 0xc0000000;

  it('updates the L1 entry the current tables use for the address', () => {
    const { e, t } = running();
    const [x] = alloc(e, D1);
    expect(e.updateVaMapping(D1, D1, t.l3, VA + 0x5000, pte(x, P | RW), 0)).toBe(0);
    expect(peek(e, t.l1, 5)).toEqual([pte(x, P | RW), 0]);
    expect(counts(e, x)).toEqual({ type: PGT_WRITABLE | V, tc: 1, rc: 2 });
    expect(e.updateVaMapping(D1, D1, t.l3, VA + 0x5000, pte(x, P | PCD), 0)).toBe(-E.EINVAL);
    expect(e.updateVaMapping(D1, D1, t.l3, VA + 0x5000, 0, 0)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it("is -EINVAL when the L2 entry is absent, in Xen's area, or not the caller's L1", () => {
    const { e, t } = running();
    expect(e.updateVaMapping(D1, D1, t.l3, 0x00001000, 0, 0)).toBe(-E.EINVAL); // L3 slot 0 empty
    expect(e.updateVaMapping(D1, D1, t.l3, VA + 0x200000, 0, 0)).toBe(-E.EINVAL); // L2 slot 1 empty
    expect(e.updateVaMapping(D1, D1, t.l3, 0xf5800000, 0, 0)).toBe(-E.EINVAL); // Xen's L1
    expect(e.updateVaMapping(D1, D1, t.l3, 0xf6000000, 0, 0)).toBe(-E.EINVAL);
    // an L2 entry naming a frame that is not a validated L1 (the L2 itself, linearly)
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 1), 0, pte(t.l2, P), 0)).toBe(0);
    expect(e.updateVaMapping(D1, D1, t.l3, VA + 0x200000, 0, 0)).toBe(-E.EINVAL);
    expect(e.updateVaMapping(D2, D2, t.l3, VA, 0, 0)).toBe(-E.EINVAL); // not D2's L1
  });
});

describe('writable page tables (ptwr)', () => {
  function pinnedL1() {
    const r = rig();
    const [l1, x, y] = alloc(r.e, D1, 3);
    poke(r.e, l1, 0, pte(x, P | RW | A));
    expect(r.e.pin(D1, l1, PGT_L1)).toBe(0);
    return { ...r, l1, x, y };
  }

  it('validates a full 8-byte store like mmu_update', () => {
    const { e, l1, x, y } = pinnedL1();
    expect(e.ptwrWrite(D1, l1, 8, 8, pte(y, P | RW), 0)).toBe(PTWR_OK);
    expect(counts(e, y)).toEqual({ type: PGT_WRITABLE | V, tc: 1, rc: 2 });
    expect(e.ptwrWrite(D1, l1, 0, 8, 0, 0)).toBe(PTWR_OK);
    expect(counts(e, x)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.ptwrWrite(D1, l1, 16, 8, pte(l1, P | RW), 0)).toBe(PTWR_UNHANDLEABLE);
    expect(peek(e, l1, 2)).toEqual([0, 0]);
    expect(e.audit()).toEqual([]);
  });

  it('widens partial stores to the whole entry', () => {
    const { e, l1, x } = pinnedL1();
    expect(e.ptwrWrite(D1, l1, 0, 1, D, 0)).toBe(PTWR_OK); // low byte only: P|RW|A -> D
    expect(peek(e, l1, 0)).toEqual([pte(x, 0) | D, 0]);
    expect(counts(e, x)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.ptwrWrite(D1, l1, 0, 2, (x << 12 | P) & 0xffff, 0)).toBe(PTWR_OK);
    expect(counts(e, x).rc).toBe(2);
    expect(e.audit()).toEqual([]);
  });

  it('stores a refused upper-half write with Present cleared (the wrong-order rule)', () => {
    const { e, l1, x } = pinnedL1();
    const [foreign] = alloc(e, D2);
    // lower half first names a foreign frame while not present, then the upper half is written
    expect(e.ptwrWrite(D1, l1, 24, 4, pte(foreign, RW), 0)).toBe(PTWR_OK);
    expect(e.ptwrWrite(D1, l1, 24 + 4, 4, 0x00100000, 0)).toBe(PTWR_OK); // hi half: Avail-high bit
    expect(peek(e, l1, 3)).toEqual([pte(foreign, RW), 0x00100000]);
    // a present entry whose new upper half makes it invalid (a frame above 4 GiB):
    // stored with Present cleared, and the old frame's references are dropped
    poke(e, l1, 4, 0, 0);
    expect(e.ptwrWrite(D1, l1, 32, 8, pte(x, P | RW), 0)).toBe(PTWR_OK);
    expect(counts(e, x).tc).toBe(2);
    expect(e.ptwrWrite(D1, l1, 36, 4, 1, 0)).toBe(PTWR_OK);
    expect(peek(e, l1, 4)).toEqual([pte(x, RW), 1]);
    expect(counts(e, x).tc).toBe(1);
    // the lower half that follows is checked in full
    expect(e.ptwrWrite(D1, l1, 32, 4, pte(x, P), 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, l1, 36, 4, 0, 0)).toBe(PTWR_OK);
    expect(e.ptwrWrite(D1, l1, 32, 4, pte(x, P), 0)).toBe(PTWR_OK);
    expect(counts(e, x).rc).toBe(3);
    // not for 8-byte stores or lower halves
    expect(e.ptwrWrite(D1, l1, 40, 8, pte(foreign, P), 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, l1, 40, 4, pte(foreign, P), 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.audit()).toEqual([]);
  });

  it('emulates CMPXCHG: stores on a match, reports a mismatch without storing', () => {
    const { e, l1, x, y } = pinnedL1();
    const cur = peek(e, l1, 0);
    expect(e.ptwrCmpxchg(D1, l1, 0, 8, 0, 0, pte(y, P), 0)).toBe(PTWR_CMPXCHG_FAILED);
    expect(peek(e, l1, 0)).toEqual(cur);
    expect(counts(e, y).rc).toBe(1);
    expect(e.ptwrCmpxchg(D1, l1, 0, 8, cur[0], cur[1], pte(y, P), 0)).toBe(PTWR_OK);
    expect(peek(e, l1, 0)).toEqual([pte(y, P), 0]);
    expect(counts(e, x).tc).toBe(0);
    expect(e.ptwrCmpxchg(D1, l1, 4, 4, 0, 0, 0x00100000, 0)).toBe(PTWR_OK);
    expect(e.audit()).toEqual([]);
  });

  it('only handles aligned stores to the guest\'s own validated L1', () => {
    const { e, l1 } = pinnedL1();
    const [plain] = alloc(e, D1);
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(e.ptwrWrite(D1, l1, 2, 4, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, l1, 4094, 4, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, l1, 0, 3, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D2, l1, 0, 8, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, plain, 0, 8, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, t.l2, 0, 8, 0, 0)).toBe(PTWR_UNHANDLEABLE);
    expect(e.ptwrWrite(D1, t.l3, 0, 8, 0, 0)).toBe(PTWR_UNHANDLEABLE);
  });
});

describe('descriptor pages', () => {
  it('set_gdt frames take the seg_desc type after every descriptor checks out', () => {
    const { e } = rig();
    const [g0, g1, bad] = alloc(e, D1, 3);
    poke(e, g0, 1, 0x0000ffff, 0x00cf9a00); // DPL 0 code: fixed up in place
    poke(e, bad, 9, 0x0000ffff, 0x00008900); // a TSS
    expect(e.acquireGdtFrames(D1, [g0, g1], 1024)).toBe(0);
    expect(counts(e, g0)).toEqual({ type: PGT_SEG_DESC | V, tc: 1, rc: 2 });
    expect(peek(e, g0, 1)).toEqual([0x0000ffff, 0x00cfba00]);
    expect(e.acquireGdtFrames(D1, [g0, bad], 513)).toBe(-E.EINVAL);
    expect(counts(e, g0).tc).toBe(1); // the partial acquisition was undone
    expect(counts(e, bad)).toEqual({ type: 0, tc: 0, rc: 1 });
    expect(e.acquireGdtFrames(D1, [g0], 7169)).toBe(-E.EINVAL);
    // a descriptor page cannot be mapped writable, nor pinned
    const [l1] = alloc(e, D1);
    poke(e, l1, 0, pte(g0, P | RW));
    expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EBUSY);
    e.putSegDescPage(g0);
    e.putSegDescPage(g1);
    expect(e.audit()).toEqual([]);
  });

  it('a writable-mapped frame cannot become a descriptor page', () => {
    const { e } = rig();
    const [l1, g] = alloc(e, D1, 2);
    poke(e, l1, 0, pte(g, P | RW));
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(e.acquireGdtFrames(D1, [g], 1)).toBe(-E.EINVAL);
    expect(e.getSegDescPage(D1, g)).toBe(-E.EINVAL);
  });

  it('update_descriptor checks the descriptor and the frame', () => {
    const { e } = rig();
    const [g, plain] = alloc(e, D1, 2);
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(e.getSegDescPage(D1, g)).toBe(0);
    expect(e.updateDescriptor(D1, g * 4096 + 16, 0x0000ffff, 0x00cf9200)).toBe(0);
    expect(peek(e, g, 2)).toEqual([0x0000ffff, 0x00cfb200]);
    expect(e.updateDescriptor(D1, g * 4096 + 20, 0, 0)).toBe(-E.EINVAL); // misaligned
    expect(e.updateDescriptor(D1, g * 4096 + 24, 0, 0x00008900)).toBe(-E.EINVAL); // TSS
    expect(e.updateDescriptor(D1, plain * 4096, 0x0000ffff, 0x00cff300)).toBe(0);
    expect(counts(e, plain)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.updateDescriptor(D1, t.l1 * 4096, 0, 0)).toBe(-E.EINVAL); // a page table
    expect(e.updateDescriptor(D2, g * 4096, 0, 0)).toBe(-E.EINVAL); // not D2's
    expect(counts(e, g)).toEqual({ type: PGT_SEG_DESC | V, tc: 1, rc: 2 });
  });
});
