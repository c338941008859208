// map_grant_ref and unmap_grant_ref: statuses in Xen's order, GTF_reading/GTF_writing in the
// granter's entry, pin counts, the PTE written by the page-type engine, and frame references
// (checked with the page-type engine's own audit).
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, GNTMAP, GNTST, GTF } from '../../abi/xen';
import { PGT_L1 } from '../../shared/layout';
import { HOST_VA, grantRig } from './testing';

const HOST = GNTMAP.host_map, DEV = GNTMAP.device_map, RO = GNTMAP.readonly;

/** d1 grants its data frame 0 to d2 as ref 8 (and frame 1 as ref 9, read-only). */
function granted() {
  const r = grantRig();
  const d1 = r.add(1), d2 = r.add(2);
  r.add(3);
  r.grant(1, 8, 2, d1.data[0]!);
  r.grant(1, 9, 2, d1.data[1]!, GTF.permit_access | GTF.readonly);
  const frame = d1.data[0]!;
  return { r, d1, d2, frame, base: r.counts(frame) };
}

const map = (flags: number, ref = 8, dom = 1, hostAddr = HOST_VA) => ({ hostAddr, flags, ref, dom });

describe('GNTTABOP_map_grant_ref', () => {
  it('host-maps a writable grant: PTE present+RW, GTF_reading|GTF_writing, handle 0', () => {
    const { r, frame, base } = granted();
    const res = r.gt.mapGrantRef(2, 0, map(HOST));
    expect(res).toEqual({ status: GNTST.okay, handle: 0, devBusAddr: frame * 4096 });
    const [lo, hi] = r.hostPte(2);
    expect(lo >>> 12).toBe(frame);
    expect(lo & 0xfff).toBe(0x1 | 0x2 | 0x20 | 0x40); // P RW A D, no User
    expect(hi >>> 31).toBe(1); // NX
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading | GTF.writing);
    expect(r.gt.activeEntries(1)).toEqual([
      { ref: 8, pin: 1, mapper: 2, mfn: frame, flags: GTF.permit_access | GTF.reading | GTF.writing, grantee: 2, frame },
    ]);
    // the grant's reference and writable type, plus the PTE's own
    expect(r.counts(frame)).toEqual({ ref: base.ref + 2, type: base.type + 2 });
    expect(r.audit()).toEqual([]);
  });

  it('host-maps read-only: no RW in the PTE, only GTF_reading, User with application_map', () => {
    const { r, frame, base } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO | GNTMAP.application_map | (5 << 16))).status).toBe(GNTST.okay);
    const [lo] = r.hostPte(2);
    expect(lo & 0xfff).toBe(0x1 | 0x4 | 0x20 | 0x40 | (5 << 9));
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading);
    expect(r.gt.activeEntries(1)[0]!.pin).toBe(1 << 8);
    expect(r.counts(frame)).toEqual({ ref: base.ref + 2, type: base.type });
    expect(r.audit()).toEqual([]);
  });

  it('device-maps without touching page tables and returns the bus address', () => {
    const { r, frame } = granted();
    const res = r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0));
    expect(res).toEqual({ status: GNTST.okay, handle: 0, devBusAddr: frame * 4096 });
    expect(r.hostPte(2)).toEqual([0, 0]);
    expect(r.gt.activeEntries(1)[0]!.pin).toBe(1 << 16);
    expect(r.audit()).toEqual([]);
  });

  it('maps through a PTE machine address with GNTMAP_contains_pte', () => {
    const { r, d2, frame } = granted();
    const pteAddr = d2.l1 * 4096 + 300 * 8;
    expect(r.gt.mapGrantRef(2, 0, map(HOST | GNTMAP.contains_pte, 8, 1, pteAddr)).status).toBe(GNTST.okay);
    expect(r.mm.readEntry(d2.l1, 300)[0] >>> 12).toBe(frame);
    expect(r.gt.mapGrantRef(2, 0, map(HOST | GNTMAP.contains_pte, 8, 1, pteAddr + 4)).status).toBe(GNTST.general_error);
  });

  it('refuses flags with neither host_map nor device_map as bad_gntref', () => {
    const { r } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(RO)).status).toBe(GNTST.bad_gntref);
  });

  it('refuses an unknown granting domain, and DOMID_SELF, as bad_domain', () => {
    const { r } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 8, 9)).status).toBe(GNTST.bad_domain);
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 8, DOMID_SELF)).status).toBe(GNTST.bad_domain);
  });

  it('refuses a ref beyond the table as bad_gntref', () => {
    const { r } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 512)).status).toBe(GNTST.bad_gntref);
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 0xffffffff)).status).toBe(GNTST.bad_gntref);
    r.gt.setupTable(1, DOMID_SELF, 2);
    r.grant(1, 512, 2, r.doms.get(1)!.data[2]!);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 512)).status).toBe(GNTST.okay);
  });

  it('refuses entries that are not permit_access for the mapper with general_error', () => {
    const { r, d1 } = granted();
    r.grant(1, 10, 3, d1.data[2]!); // for d3
    r.grant(1, 11, 2, d1.data[2]!, GTF.invalid);
    r.grant(1, 12, 2, d1.data[2]!, GTF.accept_transfer);
    r.grant(1, 13, 2, d1.data[2]!, GTF.permit_access | GTF.sub_page);
    for (const ref of [10, 11, 12, 13, 20]) {
      expect(r.gt.mapGrantRef(2, 0, map(HOST, ref)).status).toBe(GNTST.general_error);
    }
    expect(r.entryFlags(1, 10)).toBe(GTF.permit_access);
    expect(r.hostPte(2)).toEqual([0, 0]);
    expect(r.audit()).toEqual([]);
  });

  it('enforces GTF_readonly: a writable mapping of a read-only grant is general_error', () => {
    const { r } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 9)).status).toBe(GNTST.general_error);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 9, 1, 0)).status).toBe(GNTST.general_error);
    expect(r.entryFlags(1, 9)).toBe(GTF.permit_access | GTF.readonly);
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO, 9)).status).toBe(GNTST.okay);
    // pinned read-only: a writable use still checks the entry's readonly flag
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 9, 1, 0)).status).toBe(GNTST.general_error);
    expect(r.entryFlags(1, 9)).toBe(GTF.permit_access | GTF.readonly | GTF.reading);
    expect(r.audit()).toEqual([]);
  });

  it('refuses a frame the granter does not own as bad_page, leaving the entry clean', () => {
    const { r, d2 } = granted();
    r.grant(1, 14, 2, d2.data[0]!); // d2's own frame, "granted" by d1
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 14)).status).toBe(GNTST.bad_page);
    expect(r.entryFlags(1, 14)).toBe(GTF.permit_access);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(r.audit()).toEqual([]);
  });

  it('refuses a writable mapping of a frame in use as a page table (general_error), undoing all', () => {
    const { r, d1 } = granted();
    r.grant(1, 15, 2, d1.l1);
    expect(r.mm.ft.type(d1.l1)).toBe(PGT_L1);
    const before = r.counts(d1.l1);
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 15)).status).toBe(GNTST.general_error);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 15, 1, 0)).status).toBe(GNTST.general_error);
    expect(r.counts(d1.l1)).toEqual(before);
    expect(r.entryFlags(1, 15)).toBe(GTF.permit_access);
    expect(r.gt.activeEntries(1)).toEqual([]);
    // read-only is fine
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO, 15)).status).toBe(GNTST.okay);
    expect(r.audit()).toEqual([]);
  });

  it('undoes everything when the page-table write fails (no L1 at that address)', () => {
    const { r, frame, base } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST, 8, 1, 0x1000)).status).toBe(GNTST.general_error);
    expect(r.counts(frame)).toEqual(base);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(r.gt.mapGrantRef(2, 0, map(HOST)).handle).toBe(1); // handle 0 went back to the tail
  });

  it('counts repeated mappings by the same domain and refuses another domain while pinned', () => {
    const { r, d1 } = granted();
    expect(r.gt.mapGrantRef(2, 0, map(HOST)).handle).toBe(0);
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO, 8, 1, HOST_VA + 4096)).handle).toBe(1);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0)).handle).toBe(2);
    expect(r.gt.activeEntries(1)[0]!.pin).toBe(1 | (1 << 8) | (1 << 16));
    r.grant(1, 8, 3, d1.data[0]!); // the granter re-targets the entry while it is pinned
    expect(r.gt.mapGrantRef(3, 0, map(HOST)).status).toBe(GNTST.general_error);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0)).status).toBe(GNTST.okay); // the active copy rules
    expect(r.audit()).toEqual([]);
  });

  it('refuses a 129th mapping of one kind (8-bit pin counters)', () => {
    const { r } = granted();
    for (let i = 0; i < 128; i++) expect(r.gt.mapGrantRef(2, 0, map(DEV | RO, 8, 1, 0)).status).toBe(GNTST.okay);
    expect(r.gt.mapGrantRef(2, 0, map(DEV | RO, 8, 1, 0)).status).toBe(GNTST.general_error);
    expect(r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0)).status).toBe(GNTST.okay); // another counter
  });

  it('runs out of maptrack handles with no_space', () => {
    const r = grantRig();
    const d1 = r.add(1);
    r.add(2, { maxMaptrackFrames: 1 });
    r.grant(1, 8, 2, d1.data[0]!);
    for (let i = 0; i < 127; i++) r.gt.mapGrantRef(2, 0, map(DEV | RO, 8, 1, 0));
    for (let i = 0; i < 127; i++) r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0));
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO)).status).toBe(GNTST.okay); // handle 254
    expect(r.gt.mapGrantRef(2, 0, map(HOST | RO)).status).toBe(GNTST.no_space);
  });

  it('lets a domain map its own grant to itself', () => {
    const { r, d1 } = granted();
    r.grant(1, 16, 1, d1.data[3]!);
    expect(r.gt.mapGrantRef(1, 0, map(HOST, 16)).status).toBe(GNTST.okay);
    expect(r.audit()).toEqual([]);
  });
});

describe('GNTTABOP_unmap_grant_ref', () => {
  it('removes the PTE, clears GTF_reading/GTF_writing and drops every reference', () => {
    const { r, frame, base } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(HOST));
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle })).toBe(GNTST.okay);
    expect(r.hostPte(2)).toEqual([0, 0]);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(r.gt.mappings(2)).toEqual([]);
    expect(r.counts(frame)).toEqual(base);
    expect(r.flushes).toEqual([2]);
    expect(r.audit()).toEqual([]);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle })).toBe(GNTST.bad_handle);
  });

  it('refuses handles never given out or beyond the maptrack as bad_handle', () => {
    const { r } = granted();
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 0 })).toBe(GNTST.bad_handle);
    r.gt.mapGrantRef(2, 0, map(HOST));
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 5 })).toBe(GNTST.bad_handle);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 256 })).toBe(GNTST.bad_handle);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 0xffffffff })).toBe(GNTST.bad_handle);
    expect(r.gt.unmapGrantRef(3, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 0 })).toBe(GNTST.bad_handle);
  });

  it('refuses a host address whose PTE does not map the frame (general_error), keeping the mapping', () => {
    const { r, frame } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(HOST));
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA + 4096, devBusAddr: 0, handle })).toBe(GNTST.general_error);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: 0xc0000000, devBusAddr: 0, handle })).toBe(GNTST.general_error);
    expect(r.hostPte(2)[0] >>> 12).toBe(frame);
    expect(r.gt.mappings(2)).toHaveLength(1);
    expect(r.audit()).toEqual([]);
  });

  it('checks a given bus address against the frame (bad_dev_addr)', () => {
    const { r, frame } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0));
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: (frame + 1) * 4096, handle })).toBe(GNTST.bad_dev_addr);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: frame * 4096, handle })).toBe(GNTST.okay);
    expect(r.gt.activeEntries(1)).toEqual([]);
  });

  it('unmaps the host and device halves of one handle separately; no address means no-op', () => {
    const { r, frame, base } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(HOST | DEV));
    expect(r.counts(frame)).toEqual({ ref: base.ref + 3, type: base.type + 3 });
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: 0, handle })).toBe(GNTST.okay);
    expect(r.gt.mappings(2)).toHaveLength(1);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle })).toBe(GNTST.okay);
    expect(r.gt.mappings(2)[0]!.flags).toBe(DEV);
    expect(r.gt.activeEntries(1)[0]!.pin).toBe(1 << 16);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading | GTF.writing);
    expect(r.audit()).toEqual([]);
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: frame * 4096, handle })).toBe(GNTST.okay);
    expect(r.gt.mappings(2)).toEqual([]);
    expect(r.counts(frame)).toEqual(base);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
  });

  it('keeps GTF_writing while another writable mapping remains, GTF_reading while any does', () => {
    const { r } = granted();
    const w = r.gt.mapGrantRef(2, 0, map(DEV, 8, 1, 0)).handle;
    const ro = r.gt.mapGrantRef(2, 0, map(HOST | RO)).handle;
    r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: ro });
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading | GTF.writing);
    const ro2 = r.gt.mapGrantRef(2, 0, map(HOST | RO)).handle;
    r.gt.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: 1, handle: w }); // any non-zero address: compared
    r.gt.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: r.gt.activeEntries(1)[0]!.mfn * 4096, handle: w });
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access | GTF.reading);
    r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: ro2 });
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
  });

  it('unmap_and_replace with a new address is refused; with 0 it is a plain host unmap', () => {
    const { r } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(HOST));
    expect(r.gt.unmapAndReplace(2, 0, { hostAddr: HOST_VA, newAddr: 0xc0000000, handle })).toBe(GNTST.general_error);
    expect(r.gt.unmapAndReplace(2, 0, { hostAddr: HOST_VA, newAddr: 0, handle })).toBe(GNTST.okay);
    expect(r.gt.mappings(2)).toEqual([]);
  });

  it('reports maps and unmaps to the trace hook', () => {
    const { r, frame } = granted();
    const { handle } = r.gt.mapGrantRef(2, 0, map(HOST));
    r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle });
    expect(r.events.filter((e) => e.kind !== 'grow')).toEqual([
      { kind: 'map', dom: 2, granter: 1, ref: 8, handle: 0, mfn: frame, flags: HOST },
      { kind: 'unmap', dom: 2, granter: 1, ref: 8, handle: 0, mfn: frame, flags: HOST },
    ]);
  });
});
