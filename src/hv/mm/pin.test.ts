// Pin, unpin, base pointers, linear page tables, clear/copy page.
import { describe, expect, it } from 'vitest';
import { E } from '../../abi/xen';
import {
  PGF_LINEAR_DST, PGF_LINEAR_SRC, PGF_PAE_XEN_L2, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_L4,
  PGT_WRITABLE,
} from '../../shared/layout';
import { D1, D2, P, RW, alloc, buildTree, counts, poke, pte, ptr, rig } from './testing';
import { xenCr3ToPfn, xenPfnToCr3 } from './pte';

const V = PGF_VALIDATED;

describe('pin and unpin', () => {
  it('holds one general and one type reference; pinning twice is -EINVAL', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(0);
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(-E.EINVAL);
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(e.pin(D1, t.l1, PGT_L2)).toBe(-E.EINVAL);
    expect(e.audit()).toEqual([]);
  });

  it("refuses frames that are not the owner's, and ignores PIN_L4", () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.pin(D2, t.l1, PGT_L1)).toBe(-E.EINVAL);
    expect(e.pin(D1, e.ft.frames + 5, PGT_L1)).toBe(-E.EINVAL);
    expect(e.pin(D1, e.ft.m2pL1s[0], PGT_L1)).toBe(-E.EINVAL);
    expect(e.pin(D1, t.l3, PGT_L4)).toBe(0);
    expect(counts(e, t.l3)).toEqual({ type: 0, tc: 0, rc: 1 });
  });

  it('unpin: -EINVAL if not pinned or not owned; a table still referenced stays typed', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.unpin(D1, t.l1)).toBe(-E.EINVAL);
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(0);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(counts(e, t.l1).tc).toBe(2);
    expect(e.unpin(D2, t.l1)).toBe(-E.EINVAL);
    expect(e.unpin(D1, t.l1)).toBe(0);
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1 | V, tc: 1, rc: 2 });
    expect(e.unpin(D1, t.l1)).toBe(-E.EINVAL);
    // a pinned child survives its parent's devalidation, still validated
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(0);
    expect(e.unpin(D1, t.l3)).toBe(0);
    expect(counts(e, t.l1)).toEqual({ type: PGT_L1 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(counts(e, t.data[0]).tc).toBe(1);
    expect(e.audit()).toEqual([]);
  });

  it('a validated table is reused without re-validation while referenced', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.pin(D1, t.l1, PGT_L1)).toBe(0);
    // make the L1's contents bad behind its back (as only raw RAM access could)
    const [foreign] = alloc(e, D2);
    poke(e, t.l1, 100, pte(foreign, P));
    expect(e.pin(D1, t.l2, PGT_L2)).toBe(0); // no re-validation of the L1
    poke(e, t.l1, 100, 0);
  });
});

describe('new base pointer', () => {
  it('takes an L3 type reference, validating if needed, and releases the old one', () => {
    const { e } = rig();
    const t1 = buildTree(e, D1);
    const t2 = buildTree(e, D1);
    expect(e.baseptr(D1, 0)).toBe(-1);
    expect(e.newBaseptr(D1, 0, t1.l3)).toBe(0);
    expect(e.baseptr(D1, 0)).toBe(t1.l3);
    expect(counts(e, t1.l3)).toEqual({ type: PGT_L3 | V, tc: 1, rc: 2 });
    expect(e.newBaseptr(D1, 0, t1.l3)).toBe(0); // same table: nothing changes
    expect(counts(e, t1.l3).tc).toBe(1);
    expect(e.newBaseptr(D1, 0, t2.l3)).toBe(0);
    expect(counts(e, t1.l3)).toEqual({ type: PGT_L3, tc: 0, rc: 1 });
    expect(counts(e, t1.l2)).toEqual({ type: PGT_L2, tc: 0, rc: 1 });
    expect(counts(e, t2.l2)).toEqual({ type: PGT_L2 | V | PGF_PAE_XEN_L2, tc: 1, rc: 2 });
    expect(e.audit()).toEqual([]);
  });

  it('keeps the old base when the new one fails, with its errno', () => {
    const { e } = rig();
    const t1 = buildTree(e, D1);
    const t2 = buildTree(e, D1);
    const [foreign] = alloc(e, D2);
    expect(e.newBaseptr(D1, 0, t1.l3)).toBe(0);
    poke(e, t2.l1, 0, pte(t2.l1, P | RW));
    expect(e.newBaseptr(D1, 0, t2.l3)).toBe(-E.EBUSY);
    expect(e.newBaseptr(D1, 0, foreign)).toBe(-E.EINVAL);
    expect(e.newBaseptr(D1, 0, t1.l1)).toBe(-E.EINVAL); // an L1 in use cannot be an L3
    expect(e.baseptr(D1, 0)).toBe(t1.l3);
    expect(e.audit()).toEqual([]);
  });

  it('keeps a base per vcpu; clearBaseptr drops it', () => {
    const { e } = rig();
    const t = buildTree(e, D1);
    expect(e.newBaseptr(D1, 0, t.l3)).toBe(0);
    expect(e.newBaseptr(D1, 1, t.l3)).toBe(0);
    expect(counts(e, t.l3).tc).toBe(2);
    e.clearBaseptr(D1, 0);
    e.clearBaseptr(D1, 1);
    expect(counts(e, t.l3)).toEqual({ type: PGT_L3, tc: 0, rc: 1 });
  });

  it('encodes CR3 for 32-bit guests as the rotated MFN', () => {
    expect(xenPfnToCr3(0x1a43)).toBe(0x01a43000);
    expect(xenPfnToCr3(0x123456)).toBe(0x23456001);
    expect(xenCr3ToPfn(0x23456001)).toBe(0x123456);
    expect(xenCr3ToPfn(xenPfnToCr3(0xfffff))).toBe(0xfffff);
  });
});

describe('linear page tables', () => {
  function twoL2s() {
    const r = rig();
    const t = buildTree(r.e, D1);
    const [other] = alloc(r.e, D1);
    expect(r.e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(r.e.pin(D1, other, PGT_L2)).toBe(0);
    return { ...r, t, other };
  }

  it('lets an L2 map itself read-only at no cost, never writable', () => {
    const { e, t } = twoL2s();
    const before = counts(e, t.l2);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(t.l2, P), 0)).toBe(0);
    expect(counts(e, t.l2)).toEqual(before);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 301), 0, pte(t.l2, P | RW), 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, 0, 0)).toBe(0);
    expect(counts(e, t.l2)).toEqual(before);
    expect(e.audit()).toEqual([]);
  });

  it('lets an L2 map another validated L2 read-only, with the role flags', () => {
    const { e, t, other } = twoL2s();
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(other, P), 0)).toBe(0);
    expect(counts(e, other)).toEqual({ type: PGT_L2 | V | PGF_PINNED | PGF_LINEAR_DST, tc: 2, rc: 3 });
    expect(e.ft.typeWord(t.l2) & PGF_LINEAR_SRC).toBe(PGF_LINEAR_SRC);
    expect(e.linearCount(t.l2)).toBe(1);
    expect(e.linearCount(other)).toBe(-1);
    // roles do not mix: the target may not get linear entries, the source may not be a target
    const [third] = alloc(e, D1);
    expect(e.pin(D1, third, PGT_L2)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(other, 5), 0, pte(third, P), 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(third, 5), 0, pte(t.l2, P), 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 301), 0, pte(third, P), 0)).toBe(0);
    expect(e.linearCount(t.l2)).toBe(2);
    expect(e.audit()).toEqual([]);
    // removing the entries drops the references and the roles
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, 0, 0)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 301), 0, 0, 0)).toBe(0);
    expect(counts(e, other)).toEqual({ type: PGT_L2 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(e.ft.typeWord(t.l2) & (PGF_LINEAR_SRC | PGF_LINEAR_DST)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it('refuses linear entries that are writable, foreign, or name an unvalidated L2', () => {
    const { e, t } = twoL2s();
    const [idle] = alloc(e, D1);
    const [foreign] = alloc(e, D2);
    expect(e.pin(D2, foreign, PGT_L2)).toBe(0);
    const [other2] = alloc(e, D1);
    expect(e.pin(D1, other2, PGT_L2)).toBe(0);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(other2, P | RW), 0)).toBe(-E.EINVAL);
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(foreign, P), 0)).toBe(-E.EINVAL);
    // an idle frame simply becomes an (empty) L1
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(idle, P), 0)).toBe(0);
    expect(counts(e, idle)).toEqual({ type: PGT_L1 | V, tc: 1, rc: 2 });
    expect(e.audit()).toEqual([]);
  });

  it('devalidating the source drops its linear references', () => {
    const { e, t, other } = twoL2s();
    expect(e.mmuUpdate(D1, D1, D1, ptr(t.l2, 300), 0, pte(other, P), 0)).toBe(0);
    expect(e.unpin(D1, t.l3)).toBe(0);
    expect(counts(e, other)).toEqual({ type: PGT_L2 | V | PGF_PINNED, tc: 1, rc: 2 });
    expect(e.linearCount(other)).toBe(0);
    expect(e.linearCount(t.l2)).toBe(0);
    expect(e.audit()).toEqual([]);
  });

  it('validates a table whose entries are linear references at pin time', () => {
    const { e, other } = twoL2s();
    const [src] = alloc(e, D1);
    poke(e, src, 0, pte(other, P));
    poke(e, src, 1, pte(src, P));
    expect(e.pin(D1, src, PGT_L2)).toBe(0);
    expect(e.linearCount(src)).toBe(1);
    expect(e.unpin(D1, src)).toBe(0);
    expect(e.linearCount(other)).toBe(0);
    expect(e.audit()).toEqual([]);
  });
});

describe('clear and copy page', () => {
  it('clears and copies frames that can be writable; refuses tables and foreign frames', () => {
    const { e, writes } = rig();
    const t = buildTree(e, D1);
    const [x, y] = alloc(e, D1, 2);
    const [foreign] = alloc(e, D2);
    e.ft.ram8.fill(0xaa, x * 4096, x * 4096 + 4096);
    expect(e.copyPage(D1, y, x)).toBe(0);
    expect(e.ft.ram8[y * 4096 + 4095]).toBe(0xaa);
    expect(e.clearPage(D1, x)).toBe(0);
    expect(e.ft.ram8[x * 4096 + 17]).toBe(0);
    expect(writes).toContainEqual([x * 4096, 4096]);
    expect(e.pin(D1, t.l3, PGT_L3)).toBe(0);
    expect(e.clearPage(D1, t.l1)).toBe(-E.EINVAL);
    expect(e.copyPage(D1, t.l1, x)).toBe(-E.EINVAL);
    expect(e.copyPage(D1, y, t.l1)).toBe(0); // reading a table is fine
    expect(e.clearPage(D1, foreign)).toBe(-E.EINVAL);
    expect(e.copyPage(D1, y, foreign)).toBe(-E.EINVAL);
    expect(counts(e, x)).toEqual({ type: PGT_WRITABLE | V, tc: 0, rc: 1 });
    expect(e.audit()).toEqual([]);
  });
});
