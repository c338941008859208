// GNTTABOP_copy: bytes moved between machine frames, permission checks in Xen's order, and no
// pin, flag or reference left behind.
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, GNTCOPY, GNTMAP, GNTST, GTF } from '../../abi/xen';
import { grantRig } from './testing';

const SRC_GREF = GNTCOPY.source_gref, DEST_GREF = GNTCOPY.dest_gref;

/** d1 grants data frame 0 to d2 as ref 8, data frame 1 read-only as ref 9. */
function setup() {
  const r = grantRig();
  const d1 = r.add(1), d2 = r.add(2);
  r.add(3);
  r.grant(1, 8, 2, d1.data[0]!);
  r.grant(1, 9, 2, d1.data[1]!, GTF.permit_access | GTF.readonly);
  for (let i = 0; i < 4096; i++) r.mem.u8[d1.data[0]! * 4096 + i] = (i * 7 + 3) & 0xff;
  const snapshot = () => [d1.data[0]!, d1.data[1]!, d2.data[0]!].map((m) => r.counts(m));
  return { r, d1, d2, before: snapshot(), snapshot };
}

function op(flags: number, src: [number, number, number], dest: [number, number, number], len: number) {
  return {
    source: { ref: src[0], domid: src[1], offset: src[2] },
    dest: { ref: dest[0], domid: dest[1], offset: dest[2] },
    len, flags,
  };
}

describe('GNTTABOP_copy', () => {
  it('copies from a granted frame into the caller\'s own frame and reports the frame written', () => {
    const { r, d1, d2, before, snapshot } = setup();
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 100], [d2.data[0]!, DOMID_SELF, 10], 50))).toBe(GNTST.okay);
    expect(Array.from(r.mem.u8.subarray(d2.data[0]! * 4096 + 10, d2.data[0]! * 4096 + 60)))
      .toEqual(Array.from(r.mem.u8.subarray(d1.data[0]! * 4096 + 100, d1.data[0]! * 4096 + 150)));
    expect(r.mem.u8[d2.data[0]! * 4096 + 9]).toBe(0);
    expect(r.written).toContain(d2.data[0]!);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(snapshot()).toEqual(before);
    expect(r.events.at(-1)).toEqual({ kind: 'copy', dom: 2, srcMfn: d1.data[0]!, destMfn: d2.data[0]!, len: 50 });
    expect(r.audit()).toEqual([]);
  });

  it('copies into a granted frame (writable grants only)', () => {
    const { r, d1, d2 } = setup();
    r.mem.u8.fill(0xab, d2.data[0]! * 4096, d2.data[0]! * 4096 + 4096);
    expect(r.gt.copy(2, op(DEST_GREF, [d2.data[0]!, DOMID_SELF, 0], [8, 1, 4000], 96))).toBe(GNTST.okay);
    expect(r.mem.u8[d1.data[0]! * 4096 + 4095]).toBe(0xab);
    expect(r.gt.copy(2, op(DEST_GREF, [d2.data[0]!, DOMID_SELF, 0], [9, 1, 0], 1))).toBe(GNTST.general_error);
    expect(r.entryFlags(1, 9)).toBe(GTF.permit_access | GTF.readonly);
    expect(r.gt.copy(2, op(SRC_GREF, [9, 1, 0], [d2.data[0]!, DOMID_SELF, 0], 1))).toBe(GNTST.okay);
    expect(r.audit()).toEqual([]);
  });

  it('succeeds at once for a zero length, whatever the rest says', () => {
    const { r } = setup();
    expect(r.gt.copy(2, op(0, [0, 77, 5000], [0, 78, 5000], 0))).toBe(GNTST.okay);
  });

  it('lets only DOMID_SELF name a frame directly (permission_denied), then checks domains', () => {
    const { r, d1, d2 } = setup();
    expect(r.gt.copy(2, op(0, [d1.data[0]!, 1, 0], [d2.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.permission_denied);
    expect(r.gt.copy(2, op(0, [d2.data[0]!, DOMID_SELF, 0], [d2.data[1]!, 2, 0], 8))).toBe(GNTST.permission_denied);
    expect(r.gt.copy(2, op(SRC_GREF, [8, 9, 0], [d2.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.bad_domain);
    expect(r.gt.copy(2, op(SRC_GREF | DEST_GREF, [8, 9, 0], [8, 1, 0], 8))).toBe(GNTST.bad_domain);
    // the source is checked before the destination
    expect(r.gt.copy(2, op(SRC_GREF | DEST_GREF, [8, 9, 0], [8, 5, 0], 8))).toBe(GNTST.bad_domain);
    expect(r.gt.copy(2, op(0, [d2.data[0]!, 1, 0], [d2.data[1]!, 9, 0], 8))).toBe(GNTST.permission_denied);
  });

  it('reports a bad reference before a bad length, and bad lengths as bad_copy_arg', () => {
    const { r, d2, before, snapshot } = setup();
    expect(r.gt.copy(2, op(SRC_GREF, [512, 1, 4000], [d2.data[0]!, DOMID_SELF, 0], 200))).toBe(GNTST.bad_gntref);
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 4000], [d2.data[0]!, DOMID_SELF, 0], 200))).toBe(GNTST.bad_copy_arg);
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 0], [d2.data[0]!, DOMID_SELF, 4095], 2))).toBe(GNTST.bad_copy_arg);
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 0], [d2.data[0]!, DOMID_SELF, 0], 4096))).toBe(GNTST.okay);
    expect(snapshot()).toEqual(before);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
  });

  it('refuses grants not made to the caller, and frames the caller does not own (bad_page)', () => {
    const { r, d1, d2 } = setup();
    expect(r.gt.copy(3, op(SRC_GREF, [8, 1, 0], [r.doms.get(3)!.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.general_error);
    expect(r.gt.copy(2, op(0, [d1.data[0]!, DOMID_SELF, 0], [d2.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.bad_page);
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 0], [d1.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.bad_page);
    expect(r.audit()).toEqual([]);
  });

  it('cannot write into a page table (general_error)', () => {
    const { r, d2 } = setup();
    expect(r.gt.copy(2, op(SRC_GREF, [8, 1, 0], [d2.l1, DOMID_SELF, 0], 8))).toBe(GNTST.general_error);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
    expect(r.audit()).toEqual([]);
  });

  it('works alongside a mapping of the same grant and leaves its pin alone', () => {
    const { r, d2 } = setup();
    r.gt.mapGrantRef(2, 0, { hostAddr: 0, flags: GNTMAP.device_map | GNTMAP.readonly, ref: 8, dom: 1 });
    expect(r.gt.copy(2, op(DEST_GREF, [d2.data[0]!, DOMID_SELF, 0], [8, 1, 0], 8))).toBe(GNTST.okay);
    expect(r.gt.activeEntries(1)[0]!.pin).toBe(1 << 24);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading);
    // another domain cannot copy while the entry is pinned for d2
    r.grant(1, 8, 3, r.doms.get(1)!.data[0]!);
    expect(r.gt.copy(3, op(SRC_GREF, [8, 1, 0], [r.doms.get(3)!.data[0]!, DOMID_SELF, 0], 8))).toBe(GNTST.general_error);
    expect(r.audit()).toEqual([]);
  });

  it('copies between two grants of one frame as memmove would', () => {
    const { r, d1 } = setup();
    r.grant(1, 10, 2, d1.data[0]!);
    const base = d1.data[0]! * 4096;
    const expected = Array.from(r.mem.u8.subarray(base, base + 64));
    expect(r.gt.copy(2, op(SRC_GREF | DEST_GREF, [8, 1, 0], [10, 1, 16], 64))).toBe(GNTST.okay);
    expect(Array.from(r.mem.u8.subarray(base + 16, base + 80))).toEqual(expected);
    expect(r.audit()).toEqual([]);
  });
});
