// Domain destruction: a dying mapper gives back everything it mapped; a dying granter's grants
// stay mapped (and its frames alive) until the last mapper lets go.
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, GNTMAP, GNTST, GTF } from '../../abi/xen';
import { FRAME_FREE } from '../../shared/layout';
import { HOST_VA, grantRig } from './testing';

function setup() {
  const r = grantRig();
  const d1 = r.add(1), d2 = r.add(2);
  r.grant(1, 8, 2, d1.data[0]!);
  r.grant(1, 9, 2, d1.data[1]!);
  const base = [r.counts(d1.data[0]!), r.counts(d1.data[1]!)];
  return { r, d1, d2, base };
}

describe('destroying the mapping domain', () => {
  it('releases every mapping it holds: pins, GTF flags and the grant engine\'s references', () => {
    const { r, d1, base } = setup();
    r.gt.mapGrantRef(2, 0, { hostAddr: HOST_VA, flags: GNTMAP.host_map, ref: 8, dom: 1 });
    r.gt.mapGrantRef(2, 0, { hostAddr: 0, flags: GNTMAP.device_map | GNTMAP.readonly, ref: 9, dom: 1 });
    r.gt.mapGrantRef(2, 0, { hostAddr: HOST_VA + 4096, flags: GNTMAP.host_map | GNTMAP.readonly, ref: 9, dom: 1 });
    r.gt.destroyDomain(2);
    expect(r.gt.hasDomain(2)).toBe(false);
    expect(r.gt.activeEntries(1)).toEqual([]);
    expect(r.entryFlags(1, 8)).toBe(GTF.permit_access);
    expect(r.entryFlags(1, 9)).toBe(GTF.permit_access);
    expect(r.events.filter((e) => e.kind === 'unmap').map((e) => (e as { handle: number }).handle)).toEqual([2, 1, 0]);
    // the dying domain's page tables still hold their PTEs' own references until they go
    expect(r.audit()).toEqual([]);
    const rel = r.mm.releaseDomain(2);
    expect(rel.remaining).toEqual([]);
    expect(r.counts(d1.data[0]!)).toEqual(base[0]);
    expect(r.counts(d1.data[1]!)).toEqual(base[1]);
    expect(r.released).toEqual([2]);
    expect(r.audit()).toEqual([]);
  });
});

describe('destroying the granting domain', () => {
  it('keeps its table and granted frame alive while mapped, then lets both go', () => {
    const { r, d1 } = setup();
    const { handle } = r.gt.mapGrantRef(2, 0, { hostAddr: HOST_VA, flags: GNTMAP.host_map, ref: 8, dom: 1 });
    const gframe = r.gt.frames(1)[0]!;
    r.gt.destroyDomain(1);
    expect(r.gt.hasDomain(1)).toBe(false);
    expect(r.released).toEqual([]);
    const rel = r.mm.releaseDomain(1);
    expect(rel.remaining.sort((a, b) => a - b)).toEqual([d1.data[0]!, gframe].sort((a, b) => a - b));
    // nobody may newly map or copy a dying domain's grants
    expect(r.gt.mapGrantRef(2, 0, { hostAddr: 0, flags: GNTMAP.device_map, ref: 8, dom: 1 }).status).toBe(GNTST.bad_domain);
    expect(r.gt.setupTable(2, 1, 1).status).toBe(GNTST.bad_domain);
    // the mapper can still use and then drop its mapping
    expect(r.gt.unmapGrantRef(2, 0, { hostAddr: HOST_VA, devBusAddr: 0, handle })).toBe(GNTST.okay);
    expect(r.released).toEqual([1]);
    expect(r.mm.ft.owner(d1.data[0]!)).toBe(FRAME_FREE);
    expect(r.mm.ft.owner(gframe)).toBe(FRAME_FREE);
    expect(r.audit()).toEqual([]);
  });

  it('goes at once when nothing maps its grants', () => {
    const { r } = setup();
    const gframe = r.gt.frames(1)[0]!;
    r.gt.destroyDomain(1);
    expect(r.released).toEqual([1]);
    expect(r.gt.frames(1)).toEqual([]);
    expect(r.mm.releaseDomain(1).remaining).toEqual([]);
    expect(r.mm.ft.owner(gframe)).toBe(FRAME_FREE);
    expect(r.gt.querySize(2, DOMID_SELF).status).toBe(GNTST.okay);
  });

  it('handles a domain that maps its own grants', () => {
    const { r, d1 } = setup();
    r.grant(1, 10, 1, d1.data[2]!);
    r.gt.mapGrantRef(1, 0, { hostAddr: HOST_VA, flags: GNTMAP.host_map, ref: 10, dom: 1 });
    r.gt.destroyDomain(1);
    expect(r.released).toEqual([1]);
    expect(r.mm.releaseDomain(1).remaining).toEqual([]);
    expect(r.audit()).toEqual([]);
  });
});
