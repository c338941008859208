// Grant-table state for snapshots: each table (dying ones too, kept while others
// map their grants) with its frames, the active entries (pin counts, mapping
// domain, pinned frame) and the maptrack with its free list. The grant entries
// themselves are in the granting domain's frames, in machine memory.
// Checked on the way in: every maptrack handle in use names a table and a ref it
// has, the free list stays inside the maptrack, each active entry's pin count is
// exactly what the mappings pinning it add up to, and only one domain pins an
// entry. The frame references all this holds are checked by the page-type audit
// (heldReferences()).
import { GNTMAP } from '../../abi/xen';
import type { RamViews } from '../evtchn/memory';
import type { Rec } from '../../shared/record';
import type { GrantTables } from './gnttab';
import { MAPTRACK_PER_PAGE } from './maptrack';
import { ENTRIES_PER_FRAME, GrantTable, PIN_DEVR, PIN_DEVW, PIN_HSTR, PIN_HSTW } from './table';

export const GNTTAB_STATE_VERSION = 1;

export function saveGnttab(g: GrantTables): Record<string, unknown> {
  const { tables, privileged } = g.snapshotView();
  return {
    version: GNTTAB_STATE_VERSION,
    tables: [...tables].sort((a, b) => a[0] - b[0]).map(([dom, t]) => {
      const active: number[][] = [];
      for (let ref = 0; ref < t.pin.length; ref++) {
        if (t.pin[ref] || t.actDom[ref] || t.actMfn[ref]) active.push([ref, t.pin[ref], t.actDom[ref], t.actMfn[ref]]);
      }
      const mt = t.maptrack, fl = mt.freeList();
      return {
        dom, maxFrames: t.maxFrames, frames: [...t.frames], dying: t.dying, privileged: privileged.has(dom), active,
        maptrack: {
          maxFrames: mt.maxFrames, limit: mt.limit, head: fl.head, tail: fl.tail,
          ref: [...mt.ref], flags: [...mt.flags], domid: [...mt.domid], vcpu: [...mt.vcpu], hostAddr: [...mt.hostAddr],
        },
      };
    }),
  };
}

/** What a mapping adds to the pin count of the entry it maps (map_grant_ref's pinIncr). */
function pinOf(flags: number): number {
  const ro = (flags & GNTMAP.readonly) !== 0;
  let pin = 0;
  if (flags & GNTMAP.device_map) pin += ro ? PIN_DEVR : PIN_DEVW;
  if (flags & GNTMAP.host_map) pin += ro ? PIN_HSTR : PIN_HSTW;
  return pin;
}

/**
 * Check a saved record against `frames` machine frames; the result builds the
 * tables over `ram`, checks them as a whole and installs them. `live` says which
 * domains exist. Returns problems (empty when sound).
 */
export function readGnttab(r: Rec, frames: number): (g: GrantTables, ram: RamViews, live: (dom: number) => boolean) => string[] {
  if (r.get('version').int() !== GNTTAB_STATE_VERSION) r.get('version').fail(`version ${GNTTAB_STATE_VERSION} expected`);
  const plans = r.get('tables').list(0x7ff0).map((tr) => {
    const maxFrames = tr.get('maxFrames').int(1, 1024);
    const tframes = tr.get('frames').ints(maxFrames, 0, frames - 1);
    if (tframes.length === 0) tr.get('frames').fail('a table has at least one frame');
    if (new Set(tframes).size !== tframes.length) tr.get('frames').fail('a frame appears twice');
    const nr = tframes.length * ENTRIES_PER_FRAME;
    const active = tr.get('active').list(nr).map((e) => {
      const [ref, pin, dom, mfn] = e.list(4);
      if (!mfn) e.fail('not [ref, pin, domain, frame]');
      return [ref.int(0, nr - 1), pin.int(0, 0xffffffff), dom.int(0, 0xffff), mfn.int(0, frames - 1)];
    });
    const m = tr.get('maptrack');
    const mtMax = m.get('maxFrames').int(0, 1024);
    const limit = m.get('limit').int(0, mtMax * MAPTRACK_PER_PAGE);
    if (limit % MAPTRACK_PER_PAGE) m.get('limit').fail(`not a multiple of ${MAPTRACK_PER_PAGE}`);
    const arr = (name: string, min: number, max: number): number[] => {
      const a = m.get(name).ints(limit, min, max);
      if (a.length !== limit) m.get(name).fail(`${a.length} entries for a limit of ${limit}`);
      return a;
    };
    const e = {
      ref: arr('ref', -1, 0xffffffff), flags: arr('flags', 0, 0xffff), domid: arr('domid', 0, 0xffff),
      vcpu: arr('vcpu', 0, 31), hostAddr: arr('hostAddr', -0x80000000, 0xffffffff),
    };
    const head = m.get('head').int(-1, limit - 1), tail = m.get('tail').int(-1, limit - 1);
    e.flags.forEach((f, h) => {
      if (!f && (e.ref[h] < -1 || e.ref[h] >= limit)) m.get('ref').fail(`free handle ${h} links to ${e.ref[h]}`);
      if (f && !(f & (GNTMAP.host_map | GNTMAP.device_map))) m.get('flags').fail(`handle ${h} is in use but maps nothing`);
    });
    for (const x of [head, tail]) if (x >= 0 && e.flags[x]) m.fail(`the free list passes through handle ${x}, which is in use`);
    return {
      dom: tr.get('dom').int(1, 0x7fef), maxFrames, frames: tframes, active, limit, head, tail, e, mtMax,
      dying: tr.get('dying').bool(), privileged: tr.get('privileged').bool(), at: tr,
    };
  });
  if (new Set(plans.map((p) => p.dom)).size !== plans.length) r.get('tables').fail('a domain has two tables');

  return (g, ram, live) => {
    const bad: string[] = [];
    const tables = new Map<number, GrantTable>();
    for (const p of plans) {
      if (p.dying === live(p.dom)) bad.push(`domain ${p.dom}: a ${p.dying ? 'dying' : 'live'} grant table for a domain that ${p.dying ? 'exists' : 'does not'}`);
      const t = new GrantTable(ram, p.maxFrames, p.mtMax);
      t.frames.push(...p.frames);
      const n = t.nrEntries;
      t.pin = new Uint32Array(n);
      t.actDom = new Uint16Array(n);
      t.actMfn = new Int32Array(n);
      for (const [ref, pin, dom, mfn] of p.active) {
        t.pin[ref] = pin;
        t.actDom[ref] = dom;
        t.actMfn[ref] = mfn;
      }
      t.maptrack.load(p.limit, p.head, p.tail, p.e);
      t.dying = p.dying;
      tables.set(p.dom, t);
    }
    // The pins every mapping adds up to, per granting table and ref.
    const want = new Map<GrantTable, Map<number, { pin: number; by: Set<number> }>>();
    for (const [dom, t] of tables) {
      const mt = t.maptrack;
      for (let h = 0; h < mt.limit; h++) {
        const flags = mt.flags[h];
        if (!flags) continue;
        const gt = tables.get(mt.domid[h]), ref = mt.ref[h];
        if (!gt || ref < 0 || ref >= gt.nrEntries) {
          bad.push(`domain ${dom} handle ${h} maps grant ${ref} of domain ${mt.domid[h]}, which has no such entry`);
          continue;
        }
        let refs = want.get(gt);
        if (!refs) want.set(gt, (refs = new Map()));
        const w = refs.get(ref) ?? { pin: 0, by: new Set<number>() };
        w.pin += pinOf(flags);
        w.by.add(dom);
        refs.set(ref, w);
      }
    }
    for (const [dom, t] of tables) {
      const refs = want.get(t);
      for (let ref = 0; ref < t.nrEntries; ref++) {
        const w = refs?.get(ref);
        if ((w?.pin ?? 0) !== t.pin[ref]) bad.push(`domain ${dom} grant ${ref}: pin ${t.pin[ref]}, mappings add up to ${w?.pin ?? 0}`);
        if (w && (w.by.size > 1 || !w.by.has(t.actDom[ref]))) bad.push(`domain ${dom} grant ${ref}: pinned by ${[...w.by].join(', ')}, recorded for ${t.actDom[ref]}`);
      }
      if (t.dying && !t.anyPinned()) bad.push(`domain ${dom}: a dying grant table nobody maps`);
    }
    if (bad.length === 0) g.restoreTables(tables, plans.filter((p) => p.privileged).map((p) => p.dom));
    return bad;
  };
}
