import { describe, expect, it } from 'vitest';
import { DOMID_XEN } from '../../abi/xen';
import { FRAME_FREE, PGF_VALIDATED, PGT_NONE, PGT_WRITABLE } from '../../shared/layout';
import { D1, D2, alloc, rig } from './testing';

describe('frame table and allocator', () => {
  it('gives Xen the M2P frames and its L1 first, then allocates lowest-first', () => {
    const { e } = rig(4); // 1024 frames: one M2P frame, one L1
    expect(e.ft.frames).toBe(1024);
    expect(e.ft.m2pFrames).toEqual([0]);
    expect(e.ft.m2pL1s).toEqual([1]);
    expect(e.ft.owner(0)).toBe(DOMID_XEN);
    expect(e.ft.owner(1)).toBe(DOMID_XEN);
    expect(e.ft.allocate(D1)).toBe(2);
    expect(e.ft.allocate(D2)).toBe(3);
    expect(e.ft.allocate(D1)).toBe(4);
    expect(e.ft.pagesOf(D1)).toBe(2);
    expect(e.ft.pagesOf(D2)).toBe(1);
    // a fresh frame: owned, untyped, holding only its allocation reference
    expect([e.ft.typeWord(2), e.ft.typeCount(2), e.ft.refCount(2)]).toEqual([0, 0, 1]);
  });

  it('frees a frame when the allocation reference goes, and reuses the lowest', () => {
    const { e } = rig(4);
    const [a, b] = alloc(e, D1, 2);
    expect(e.ft.dropAllocation(a)).toBe(true);
    expect(e.ft.owner(a)).toBe(FRAME_FREE);
    expect(e.ft.dropAllocation(a)).toBe(false);
    expect(e.ft.allocate(D2)).toBe(a);
    expect(e.ft.pagesOf(D1)).toBe(1);
    // a referenced frame outlives its allocation reference
    expect(e.getPage(b, D1)).toBe(true);
    e.ft.dropAllocation(b);
    expect(e.ft.owner(b)).toBe(D1);
    e.putPage(b);
    expect(e.ft.owner(b)).toBe(FRAME_FREE);
    expect(e.ft.pagesOf(D1)).toBe(0);
  });

  it('allocates a chosen frame only if it is free, and reports exhaustion', () => {
    const { e } = rig(1); // 256 frames
    expect(e.ft.allocateAt(100, D1)).toBe(true);
    expect(e.ft.allocateAt(100, D2)).toBe(false);
    expect(e.ft.allocateAt(256, D2)).toBe(false);
    let n = 0;
    while (e.ft.allocate(D2) >= 0) n++;
    expect(n).toBe(256 - 2 - 1);
    expect(e.ft.allocate(D2)).toBe(-1);
  });

  it('keeps the M2P in RAM: INVALID by default, settable, cleared on free', () => {
    const { e } = rig(4);
    const [m] = alloc(e, D1);
    expect(e.ft.m2pGet(m)).toBe(0xffffffff);
    e.ft.m2pSet(m, 0x1234);
    expect(e.ft.m2pGet(m)).toBe(0x1234);
    expect(e.ft.ram32[0 * 1024 + m]).toBe(0x1234); // frame 0 holds entries 0..1023
    e.ft.dropAllocation(m);
    expect(e.ft.m2pGet(m)).toBe(0xffffffff);
  });

  it("maps the M2P frames read-only and supervisor-only in Xen's L1", () => {
    const { e } = rig(8); // 2048 frames: two M2P frames
    expect(e.ft.m2pFrames).toEqual([0, 1]);
    expect(e.ft.m2pL1s).toEqual([2]);
    expect(e.readEntry(2, 0)).toEqual([(0 << 12) | 0x21, 0]);
    expect(e.readEntry(2, 1)).toEqual([(1 << 12) | 0x21, 0]);
    expect(e.readEntry(2, 2)).toEqual([0, 0]);
  });

  it('shares Xen pages with a guest permanently typed, with an INVALID M2P entry', () => {
    const { e } = rig(4);
    const si = e.ft.allocate(DOMID_XEN);
    e.ft.m2pSet(si, 7);
    e.ft.shareWithGuest(si, D1, false);
    expect(e.ft.owner(si)).toBe(D1);
    expect(e.ft.typeWord(si)).toBe(PGT_WRITABLE | PGF_VALIDATED);
    expect(e.ft.typeCount(si)).toBe(1);
    expect(e.ft.m2pGet(si)).toBe(0xffffffff);
    const ro = e.ft.allocate(DOMID_XEN);
    e.ft.shareWithGuest(ro, D1, true);
    expect(e.ft.typeWord(ro)).toBe(PGT_NONE | PGF_VALIDATED);
    // the guest cannot give such a frame back
    expect(e.ft.dropAllocation(si)).toBe(false);
    expect(e.ft.owner(si)).toBe(D1);
    expect(e.audit()).toEqual([]);
  });
});
