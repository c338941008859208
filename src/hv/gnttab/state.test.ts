// Grant-table state round trip: tables with mappings (host and device, writable
// and read-only, a dying table kept by another's mapping) are saved, read back
// into a fresh engine over the same page-type engine, and behave the same (unmap
// works, the audit stays clean); records whose pins or handles disagree are refused.
import { describe, expect, it } from 'vitest';
import { GNTMAP, GNTST, GTF } from '../../abi/xen';
import { Rec, RecordError } from '../../shared/record';
import { GrantTables } from './gnttab';
import { readGnttab, saveGnttab } from './state';
import { HOST_VA, grantRig } from './testing';

const HOST = GNTMAP.host_map, DEV = GNTMAP.device_map, RO = GNTMAP.readonly;

function busy() {
  const r = grantRig();
  const d1 = r.add(1);
  r.add(2);
  r.add(3);
  r.grant(1, 8, 2, d1.data[0]!);
  r.grant(1, 9, 2, d1.data[1]!, GTF.permit_access | GTF.readonly);
  r.grant(1, 10, 3, d1.data[2]!);
  expect(r.gt.mapGrantRef(2, 0, { hostAddr: HOST_VA, flags: HOST, ref: 8, dom: 1 }).status).toBe(GNTST.okay);
  expect(r.gt.mapGrantRef(2, 0, { hostAddr: 0, flags: DEV | RO, ref: 9, dom: 1 }).status).toBe(GNTST.okay);
  expect(r.gt.mapGrantRef(3, 0, { hostAddr: HOST_VA, flags: HOST | RO, ref: 10, dom: 1 }).status).toBe(GNTST.okay);
  return r;
}

const roundTrip = (v: unknown): Rec => Rec.of(JSON.parse(JSON.stringify(v)), 'gnttab');

describe('grant-table state', () => {
  it('round-trips and behaves the same afterwards', () => {
    const r = busy();
    // Domain 1 goes: its table is kept, dying, while 2 and 3 still map its grants.
    r.gt.destroyDomain(1);
    const saved = saveGnttab(r.gt);
    const fresh = new GrantTables(r.mem, r.hooks);
    const bad = readGnttab(roundTrip(saved), r.mm.ft.frames)(fresh, r.mem, (d) => d !== 1);
    expect(bad).toEqual([]);
    expect(saveGnttab(fresh)).toEqual(saved);
    expect(r.mm.audit(fresh.heldReferences())).toEqual([]);
    expect(fresh.mappings(2)).toEqual(r.gt.mappings(2));
    // Unmapping on the restored engine releases exactly what the original held.
    expect(fresh.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 0 })).toBe(GNTST.okay);
    expect(fresh.unmapGrantRef(2, 0, { hostAddr: 0, devBusAddr: r.mm.ft.frames > 0 ? fresh.mappings(2)[0]!.mfn * 4096 : 0, handle: 1 })).toBe(GNTST.okay);
    expect(fresh.unmapGrantRef(3, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle: 0 })).toBe(GNTST.okay);
    expect(r.mm.audit(fresh.heldReferences())).toEqual([]);
    expect(fresh.snapshotView().tables.has(1)).toBe(false); // the dying table went with its last pin
  });

  it('refuses pins, handles and free lists that do not add up', () => {
    const r = busy();
    const saved = saveGnttab(r.gt) as { tables: { dom: number; active: number[][]; maptrack: { ref: number[]; flags: number[]; domid: number[]; head: number } }[] };
    const check = (edit: (s: typeof saved) => void): string[] => {
      const s = JSON.parse(JSON.stringify(saved)) as typeof saved;
      edit(s);
      return readGnttab(Rec.of(s, 'gnttab'), r.mm.ft.frames)(new GrantTables(r.mem, r.hooks), r.mem, () => true);
    };
    expect(check(() => {})).toEqual([]);
    expect(check((s) => { s.tables[0].active[0][1] += 1; }).join()).toMatch(/pin \d+, mappings add up to/);
    expect(check((s) => { s.tables[1].maptrack.domid[0] = 9; }).join()).toMatch(/domain 9, which has no such entry/);
    expect(check((s) => { s.tables[1].maptrack.ref[0] = 99_999; }).join()).toMatch(/no such entry/);
    expect(() => check((s) => { s.tables[1].maptrack.ref[5] = 1 << 20; })).toThrow(RecordError);
    expect(() => check((s) => { s.tables[1].maptrack.head = 0; })).toThrow(/free list passes through handle 0/);
    expect(() => check((s) => { s.tables[0].active.push([1 << 20, 1, 2, 3]); })).toThrow(RecordError);
  });
});
