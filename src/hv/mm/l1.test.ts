// L1 entries: what a guest may map, checked at pin (validation) and on update.
import { describe, expect, it } from 'vitest';
import { E } from '../../abi/xen';
import { PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_WRITABLE } from '../../shared/layout';
import { A, D, D1, D2, G, NX_HI, P, PCD, PSE, PWT, RW, US, alloc, counts, peek, poke, pte, ptr, rig } from './testing';

function setup() {
  const r = rig();
  const [l1, a, b] = alloc(r.e, D1, 3);
  return { ...r, l1, a, b };
}

describe('L1 validation (pin L1)', () => {
  it('takes a general reference per present entry and a writable type reference per RW entry', () => {
    const { e, l1, a, b } = setup();
    poke(e, l1, 0, pte(a, P | RW | A | D));
    poke(e, l1, 1, pte(a, P | A));
    poke(e, l1, 2, pte(b, P));
    poke(e, l1, 3, pte(b, RW)); // not present: ignored
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(counts(e, l1)).toEqual({ type: PGT_L1 | PGF_VALIDATED | PGF_PINNED, tc: 1, rc: 2 });
    expect(counts(e, a)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 1, rc: 3 });
    expect(counts(e, b)).toEqual({ type: 0, tc: 0, rc: 2 });
    expect(e.audit()).toEqual([]);
  });

  it('allows Global, NX, Avail and the high available bits; refuses PWT, PCD, PAT', () => {
    const { e, l1, a } = setup();
    poke(e, l1, 0, pte(a, P | G | 0xe00), NX_HI | 0x7ff00000);
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(e.unpin(D1, l1)).toBe(0);
    for (const bad of [PWT, PCD, PSE /* PAT in an L1 */]) {
      poke(e, l1, 0, pte(a, P | bad));
      expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EINVAL);
      expect(counts(e, l1)).toEqual({ type: 0, tc: 0, rc: 1 });
      expect(counts(e, a)).toEqual({ type: 0, tc: 0, rc: 1 });
    }
  });

  it('refuses frames beyond RAM (-EPERM) and the invalid MFN (-EINVAL)', () => {
    const { e, l1 } = setup();
    poke(e, l1, 0, pte(e.ft.frames, P));
    expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EPERM);
    poke(e, l1, 0, P | 0xfffff000, 0x000fffff);
    expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EINVAL);
    expect(e.audit()).toEqual([]);
  });

  it("refuses another domain's frame, a free frame and Xen's frames with -EBUSY", () => {
    const { e, l1 } = setup();
    const [foreign] = alloc(e, D2);
    const free = e.ft.frames - 1;
    for (const m of [foreign, free, e.ft.m2pFrames[0], e.ft.m2pL1s[0]]) {
      poke(e, l1, 5, pte(m, P));
      expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EBUSY);
    }
    expect(counts(e, foreign)).toEqual({ type: 0, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });

  it('refuses a writable mapping of a page-table frame (-EBUSY) but allows a read-only one', () => {
    const { e, l1, a } = setup();
    const [other] = alloc(e, D1);
    expect(e.pin(D1, other, PGT_L1)).toBe(0);
    poke(e, l1, 0, pte(a, P | RW));
    poke(e, l1, 1, pte(other, P | RW));
    expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EBUSY);
    // the reference taken for entry 0 was given back
    expect(counts(e, a)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 0, rc: 1 });
    expect(counts(e, l1)).toEqual({ type: 0, tc: 0, rc: 1 });
    poke(e, l1, 1, pte(other, P));
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it('refuses an L1 that maps itself writable; read-only is fine', () => {
    const { e, l1 } = setup();
    poke(e, l1, 7, pte(l1, P | RW));
    expect(e.pin(D1, l1, PGT_L1)).toBe(-E.EBUSY);
    poke(e, l1, 7, pte(l1, P));
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(counts(e, l1).rc).toBe(3);
    expect(e.audit()).toEqual([]);
  });

  it('cannot become a page table while mapped writable elsewhere', () => {
    const { e, l1, a } = setup();
    poke(e, l1, 0, pte(a, P | RW));
    expect(e.pin(D1, l1, PGT_L1)).toBe(0);
    expect(e.pin(D1, a, PGT_L1)).toBe(-E.EINVAL);
    expect(e.pin(D1, a, PGT_L2)).toBe(-E.EINVAL);
  });
});

describe('L1 updates (mmu_update on a validated L1)', () => {
  function pinned() {
    const s = setup();
    poke(s.e, s.l1, 0, pte(s.a, P | RW | A));
    expect(s.e.pin(D1, s.l1, PGT_L1)).toBe(0);
    return s;
  }
  const upd = (s: ReturnType<typeof setup>, i: number, lo: number, hi = 0, cmd = 0) =>
    s.e.mmuUpdate(D1, D1, D1, ptr(s.l1, i, cmd), 0, lo, hi);

  it('moves references from the old frame to the new one', () => {
    const s = pinned();
    expect(upd(s, 0, pte(s.b, P | RW))).toBe(0);
    expect(counts(s.e, s.a)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 0, rc: 1 });
    expect(counts(s.e, s.b)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 1, rc: 2 });
    expect(peek(s.e, s.l1, 0)).toEqual([pte(s.b, P | RW), 0]);
    expect(upd(s, 0, 0)).toBe(0);
    expect(counts(s.e, s.b)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 0, rc: 1 });
    expect(s.e.audit()).toEqual([]);
  });

  it('dropping RW releases the writable type reference (not a fast-path change)', () => {
    const s = pinned();
    expect(upd(s, 0, pte(s.a, P | A))).toBe(0);
    expect(counts(s.e, s.a)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 0, rc: 2 });
    expect(s.e.pin(D1, s.a, PGT_L1)).toBe(0); // now it may become a table
    expect(upd(s, 0, pte(s.a, P | RW))).toBe(-E.EBUSY);
    expect(s.e.audit()).toEqual([]);
  });

  it('takes the fast path when only A, D, G, User, NX or Avail change', () => {
    const s = pinned();
    const before = counts(s.e, s.a);
    expect(upd(s, 0, pte(s.a, P | RW | D | G | US | 0x200), NX_HI | 0x100000)).toBe(0);
    expect(counts(s.e, s.a)).toEqual(before);
    expect(peek(s.e, s.l1, 0)).toEqual([pte(s.a, P | RW | D | G | US | 0x200), NX_HI | 0x100000]);
    expect(s.e.audit()).toEqual([]);
  });

  it('leaves the entry alone when the new one is refused', () => {
    const s = pinned();
    const [foreign] = alloc(s.e, D2);
    expect(upd(s, 0, pte(s.b, P | PCD))).toBe(-E.EINVAL);
    expect(upd(s, 0, pte(foreign, P))).toBe(-E.EBUSY);
    expect(upd(s, 0, pte(s.l1, P | RW))).toBe(-E.EBUSY);
    expect(peek(s.e, s.l1, 0)).toEqual([pte(s.a, P | RW | A), 0]);
    expect(s.e.audit()).toEqual([]);
  });

  it('PRESERVE_AD keeps Accessed and Dirty already in the entry', () => {
    const s = pinned();
    poke(s.e, s.l1, 0, pte(s.a, P | RW | A | D)); // as the CPU would have set them
    expect(upd(s, 0, pte(s.a, P | RW), 0, 2)).toBe(0);
    expect(peek(s.e, s.l1, 0)[0]).toBe(pte(s.a, P | RW | A | D));
    expect(upd(s, 0, pte(s.a, P | RW), 0, 0)).toBe(0);
    expect(peek(s.e, s.l1, 0)[0]).toBe(pte(s.a, P | RW));
  });

  it('maps a foreign frame when the page owner is given as foreigndom', () => {
    const s = pinned();
    const [foreign] = alloc(s.e, D2);
    expect(s.e.mmuUpdate(D1, D1, D2, ptr(s.l1, 1), 0, pte(foreign, P | RW), 0)).toBe(0);
    expect(counts(s.e, foreign)).toEqual({ type: PGT_WRITABLE | PGF_VALIDATED, tc: 1, rc: 2 });
    // the page owner is checked against the real owner
    expect(s.e.mmuUpdate(D1, D1, D2, ptr(s.l1, 2), 0, pte(s.b, P), 0)).toBe(-E.EBUSY);
    expect(s.e.audit()).toEqual([]);
  });

  it('does not ask for a TLB flush after L1 updates', () => {
    const s = pinned();
    expect(upd(s, 0, pte(s.b, P))).toBe(0);
    expect(s.flushes).toEqual([]);
  });
});
