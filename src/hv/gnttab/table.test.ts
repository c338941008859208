// setup_table, query_size, versions, reserved entries and table growth.
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, E, GNTST, GTF } from '../../abi/xen';
import { grantRig } from './testing';

function three() {
  const r = grantRig();
  r.add(0, { privileged: true });
  r.add(1);
  r.add(2);
  return r;
}

describe('GNTTABOP_setup_table', () => {
  it('starts every table with one zeroed frame owned by the domain', () => {
    const r = three();
    const [f] = r.gt.frames(1);
    expect(r.gt.frames(1)).toHaveLength(1);
    expect(r.mm.ft.owner(f!)).toBe(1);
    expect(r.mem.u8.subarray(f! * 4096, f! * 4096 + 4096).every((b) => b === 0)).toBe(true);
    expect(r.gt.setupTable(1, DOMID_SELF, 1)).toEqual({ status: GNTST.okay, frames: [f] });
  });

  it('grows the table to nr_frames and reports every frame\'s MFN', () => {
    const r = three();
    const first = r.gt.frames(1)[0];
    const res = r.gt.setupTable(1, DOMID_SELF, 4);
    expect(res.status).toBe(GNTST.okay);
    expect(res.frames).toHaveLength(4);
    expect(res.frames[0]).toBe(first);
    expect(new Set(res.frames).size).toBe(4);
    for (const m of res.frames) expect(r.mm.ft.owner(m)).toBe(1);
    expect(r.gt.setupTable(1, 1, 2)).toEqual({ status: GNTST.okay, frames: res.frames.slice(0, 2) }); // never shrinks
    expect(r.gt.querySize(1, DOMID_SELF)).toEqual({ status: GNTST.okay, nrFrames: 4, maxNrFrames: 64 });
    expect(r.gt.setupTable(1, DOMID_SELF, 0)).toEqual({ status: GNTST.okay, frames: [] });
    expect(r.audit()).toEqual([]);
  });

  it('refuses more than the maximum with general_error (64 by default, or as configured)', () => {
    const r = three();
    r.add(3, { maxGrantFrames: 8 });
    expect(r.gt.setupTable(1, DOMID_SELF, 65).status).toBe(GNTST.general_error);
    expect(r.gt.setupTable(1, DOMID_SELF, 0xffffffff).status).toBe(GNTST.general_error);
    expect(r.gt.setupTable(3, DOMID_SELF, 9).status).toBe(GNTST.general_error);
    expect(r.gt.setupTable(3, DOMID_SELF, 8).status).toBe(GNTST.okay);
    expect(r.gt.querySize(3, DOMID_SELF)).toEqual({ status: GNTST.okay, nrFrames: 8, maxNrFrames: 8 });
    expect(r.gt.frames(1)).toHaveLength(1);
  });

  it('checks the domain (bad_domain) and then the caller\'s right (permission_denied)', () => {
    const r = three();
    expect(r.gt.setupTable(1, 9, 1).status).toBe(GNTST.bad_domain);
    expect(r.gt.setupTable(1, 2, 1).status).toBe(GNTST.permission_denied);
    expect(r.gt.setupTable(0, 2, 2)).toEqual({ status: GNTST.okay, frames: r.gt.frames(2) });
  });

  it('leaves the table as it was when a frame cannot be allocated', () => {
    let budget = 2;
    const r = grantRig({
      allocGrantFrame(dom) {
        if (budget-- <= 0) return -1;
        const m = r.mm.ft.allocate(0x7ff2);
        r.mm.ft.shareWithGuest(m, dom, false);
        return m;
      },
    });
    r.add(1); // uses one of the two
    const before = r.mm.ft.pagesOf(1);
    expect(r.gt.setupTable(1, DOMID_SELF, 3).status).toBe(GNTST.general_error);
    expect(r.gt.frames(1)).toHaveLength(1);
    expect(r.mm.ft.pagesOf(1)).toBe(before);
    expect(r.audit()).toEqual([]);
  });
});

describe('GNTTABOP_query_size, set_version, get_version, dump_table', () => {
  it('query_size: bad_domain, permission_denied, and dom0 may ask about anyone', () => {
    const r = three();
    expect(r.gt.querySize(1, 9).status).toBe(GNTST.bad_domain);
    expect(r.gt.querySize(1, 2).status).toBe(GNTST.permission_denied);
    expect(r.gt.querySize(0, 2)).toEqual({ status: GNTST.okay, nrFrames: 1, maxNrFrames: 64 });
  });

  it('set_version: 1 is accepted, 2 is -ENOSYS, others -EINVAL; the version reads back 1', () => {
    const r = three();
    expect(r.gt.setVersion(1, 1)).toEqual({ rc: 0, version: 1 });
    expect(r.gt.setVersion(1, 2)).toEqual({ rc: -E.ENOSYS, version: 1 });
    expect(r.gt.setVersion(1, 0)).toEqual({ rc: -E.EINVAL, version: 1 });
    expect(r.gt.setVersion(1, 3)).toEqual({ rc: -E.EINVAL, version: 1 });
  });

  it('get_version: 1 for self or (for dom0) anyone; -EPERM, -ESRCH otherwise', () => {
    const r = three();
    expect(r.gt.getVersion(1, DOMID_SELF)).toBe(1);
    expect(r.gt.getVersion(0, 2)).toBe(1);
    expect(r.gt.getVersion(1, 2)).toBe(-E.EPERM);
    expect(r.gt.getVersion(1, 9)).toBe(-E.ESRCH);
  });

  it('dump_table is gone from Xen: -ENOSYS', () => {
    expect(three().gt.dumpTable()).toBe(-E.ENOSYS);
  });
});

describe('reserved entries', () => {
  it('seeds entry 0 (console) and 1 (xenstore) as permit_access for the backend', () => {
    const r = three();
    r.gt.seedReserved(1, 0x1234, 0x5678, 0);
    const base = r.gt.frames(1)[0]! * 4096;
    const dv = new DataView(r.mem.buffer, base, 16);
    expect([dv.getUint16(0, true), dv.getUint16(2, true), dv.getUint32(4, true)]).toEqual([GTF.permit_access, 0, 0x1234]);
    expect([dv.getUint16(8, true), dv.getUint16(10, true), dv.getUint32(12, true)]).toEqual([GTF.permit_access, 0, 0x5678]);
  });
});
