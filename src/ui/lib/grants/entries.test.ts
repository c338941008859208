// The grant-table view model against a real machine: two demo guests, the toolstack's seeded
// entries, a grant one guest writes into its table for the other, and the other mapping it
// through the hypervisor. What the UI reads from memory and joins with the maptrack must show
// both sides, and change as the mapping comes and goes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GNTMAP, GNTST, GTF, PAGE_SIZE } from '../../../abi/xen';
import { Machine } from '../../../machine/machine';
import type { BuiltDomain } from '../../../machine/builder';
import type { GrantMapInfo } from '../../../protocol/messages';
import { decodeGrantFlags, grantFlagsText, mapFlagsText, readGrantEntries, sameEntries } from './entries';
import { hex, offeredGrants, staleUses, usesOfGrants } from './mappings';

const DEMO = resolve(__dirname, '../../../../public/guests/console.elf');

describe('grant entries read from a domain’s grant frames', () => {
  let m: Machine;
  let a: BuiltDomain, b: BuiltDomain;
  const frames = (d: BuiltDomain) => m.hv.gnttab.frames(d.dom.id);
  const entries = (d: BuiltDomain) => readGrantEntries(m.mem.buffer, m.mem.ramBytes, frames(d));
  const maps = (): Record<number, GrantMapInfo[]> => ({
    [a.dom.id]: m.hv.gnttab.mappings(a.dom.id),
    [b.dom.id]: m.hv.gnttab.mappings(b.dom.id),
  });

  beforeAll(() => {
    m = new Machine({ ramMiB: 48, maxVcpus: 2 });
    a = m.createGuest({ name: 'granter', kernel: readFileSync(DEMO), memMiB: 16 });
    b = m.createGuest({ name: 'mapper', kernel: readFileSync(DEMO), memMiB: 16 });
    m.run(2_000_000);
  });

  it('shows the toolstack’s console and xenstore grants to domain 0', () => {
    const got = entries(a);
    const consoleMfn = a.p2m[a.layout.console.pfn]!, storeMfn = a.p2m[a.layout.xenstore.pfn]!;
    expect(got).toEqual([
      { ref: 0, flags: GTF.permit_access, domid: 0, frame: consoleMfn },
      { ref: 1, flags: GTF.permit_access, domid: 0, frame: storeMfn },
    ]);
    expect(grantFlagsText(got[0]!.flags)).toBe('permit_access');
  });

  it('follows a grant written by the guest, mapped by another domain, then unmapped', () => {
    // What a granting guest does: frame and domid first, then the flags that make it live.
    // The table grows to two frames (as setup_table does), and the grant goes in the second,
    // so refs are numbered across frames.
    expect(m.hv.gnttab.setupTable(a.dom.id, a.dom.id, 2).status).toBe(GNTST.okay);
    expect(frames(a)).toHaveLength(2);
    const ref = 700;
    const page = a.p2m[a.layout.kernel.pfn]!;
    const table = new DataView(m.mem.buffer, frames(a)[1]! * PAGE_SIZE, PAGE_SIZE);
    const at = (ref - 512) * 8;
    table.setUint16(at + 2, b.dom.id, true);
    table.setUint32(at + 4, page, true);
    table.setUint16(at, GTF.permit_access | GTF.readonly, true);
    const before = entries(a);
    const offered = before.find((e) => e.ref === ref)!;
    expect(offered).toEqual({ ref, flags: GTF.permit_access | GTF.readonly, domid: b.dom.id, frame: page });
    expect(decodeGrantFlags(offered.flags)).toMatchObject({ type: 'permit_access', readonly: true, reading: false, writing: false });
    expect(usesOfGrants(a.dom.id, maps()).size).toBe(0);

    const r = m.hv.gnttab.mapGrantRef(b.dom.id, 0, { dom: a.dom.id, ref, flags: GNTMAP.device_map | GNTMAP.readonly, hostAddr: 0 });
    expect(r.status).toBe(GNTST.okay);
    // The hypervisor marks the entry while the page is mapped: the view sees GTF_reading.
    const during = entries(a);
    expect(sameEntries(before, during)).toBe(false);
    const mapped = during.find((e) => e.ref === ref)!;
    expect(decodeGrantFlags(mapped.flags).reading).toBe(true);
    expect(grantFlagsText(mapped.flags)).toBe('permit_access|readonly|reading');
    const uses = usesOfGrants(a.dom.id, maps());
    expect(uses.get(ref)).toEqual([{ mapper: b.dom.id, handle: r.handle, flags: GNTMAP.device_map | GNTMAP.readonly, hostAddr: 0 }]);
    const rows = offeredGrants(during, uses);
    expect(rows.find((x) => x.ref === ref)!.uses.map((u) => u.mapper)).toEqual([b.dom.id]);
    expect(rows.find((x) => x.ref === 0)!.uses).toEqual([]);
    // The mapper's side: its maptrack names the granter, the ref and the frame.
    expect(m.hv.gnttab.mappings(b.dom.id)).toMatchObject([{ granter: a.dom.id, ref, mfn: page }]);
    expect(mapFlagsText(GNTMAP.device_map | GNTMAP.readonly)).toBe('device_map|readonly');

    // Revoked while mapped: the mapping stays, and the view reports it as stale.
    table.setUint16(at, 0, true);
    const revoked = entries(a);
    expect(revoked.some((e) => e.ref === ref)).toBe(false);
    expect(staleUses(revoked, usesOfGrants(a.dom.id, maps()))).toEqual([{ ref, use: expect.objectContaining({ mapper: b.dom.id }) }]);
    table.setUint16(at, GTF.permit_access | GTF.readonly | GTF.reading, true);

    expect(m.hv.gnttab.unmapGrantRef(b.dom.id, 0, { handle: r.handle, hostAddr: 0, devBusAddr: page * PAGE_SIZE })).toBe(GNTST.okay);
    expect(usesOfGrants(a.dom.id, maps()).size).toBe(0);
    expect(decodeGrantFlags(entries(a).find((e) => e.ref === ref)!.flags).reading).toBe(false);
  });

  it('skips frames outside RAM and formats addresses', () => {
    expect(readGrantEntries(m.mem.buffer, m.mem.ramBytes, [m.mem.ramBytes / PAGE_SIZE, -1, 1.5])).toEqual([]);
    expect(hex(0x1234, 5)).toBe('0x01234');
    expect(hex(-1)).toBe('0xffffffff');
  });
});
