// Grant tables, version 1: the engine behind grant_table_op (xen/common/grant_table.c,
// xen/arch/x86/pv/grant_table.c). The adapter copies each op struct in, calls one method here
// with plain numbers, and copies the result out; the batch loop, -EFAULT and the count rules
// stay in the adapter (for a 32-bit guest: setup_table with count 0 does nothing and returns 0,
// count > 1 is -EINVAL; query_size needs count == 1). Per-op statuses are GNTST_* and come in
// Xen's order of checks; the page-table write of a host mapping and the frame references are
// asked of the injected GrantHooks (host.ts).
// Refused or simplified, each on purpose:
// - set_version(2) gives -ENOSYS: we run every domain as Xen does one created with
//   max_grant_version 1. get_version is always 1.
// - dump_table gives -ENOSYS, as current Xen (which has no such op); activeEntries() shows the
//   same information to the UI.
// - transfer, swap_grant_ref, get_status_frames and cache_flush are not implemented here.
// - Destroying a domain releases every mapping it holds (frame references dropped, the PTEs
//   left to the page-table teardown). Mappings others hold of its grants stay valid until they
//   unmap: the table lives on, dying, holding its grant frames, until the last pin goes; the
//   granted frames are kept by the mappings' references. A dying domain's grants cannot be
//   newly mapped or copied (GNTST_bad_domain), where Xen may still find its pages alive.
import { DOMID_SELF, E, GNTMAP, GNTST, GTF, PAGE_SIZE } from '../../abi/xen';
import { HypervisorBug } from '../../shared/bugs';
import type { RamViews } from '../evtchn/memory';
import { grantCopy, type GrantCopy } from './copy';
import type { GrantHooks } from './host';
import {
  GrantTable, PIN_DEVR, PIN_DEVW, PIN_DEVW_MASK, PIN_HSTR, PIN_HSTW, PIN_HSTW_MASK, pinWouldOverflow,
} from './table';

export type { GrantHooks } from './host';
export type { GrantEvent } from './events';
export type { GrantCopy, GrantCopyPtr } from './copy';

/** Xen's defaults (opt_max_grant_frames, opt_max_maptrack_frames, INITIAL_NR_GRANT_FRAMES). */
export const DEFAULT_MAX_GRANT_FRAMES = 64;
export const DEFAULT_MAX_MAPTRACK_FRAMES = 1024;
export const INITIAL_GRANT_FRAMES = 1;
/** The compat layer translates frame_list through a 2-page buffer of 64-bit slots. */
const COMPAT_SETUP_LIMIT = (2 * PAGE_SIZE - 16) / 8;

export interface DomainGrantConfig {
  maxGrantFrames?: number;
  maxMaptrackFrames?: number;
  /** A control domain passes XSM_TARGET checks on other domains (dom0). */
  privileged?: boolean;
}

export interface MapGrantRef {
  hostAddr: number;
  flags: number;
  ref: number;
  dom: number;
}
/** On a failed map only `status` is written back (Xen leaves handle and dev_bus_addr as given). */
export interface MapResult {
  status: number;
  handle: number;
  devBusAddr: number;
}
export interface UnmapGrantRef {
  hostAddr: number;
  devBusAddr: number;
  handle: number;
}
export interface ActiveEntryView {
  ref: number;
  pin: number;
  mapper: number;
  mfn: number;
  flags: number;
  grantee: number;
  frame: number;
}
export interface MappingView {
  handle: number;
  granter: number;
  ref: number;
  flags: number;
  hostAddr: number;
  mfn: number;
}

export class GrantTables {
  private readonly tables = new Map<number, GrantTable>();
  private readonly privileged = new Set<number>();

  constructor(private readonly ram: RamViews, private readonly hooks: GrantHooks) {}

  // ---- Domain lifecycle ----

  /** grant_table_init: a v1 table with its first frame. Returns 0 or -ENOMEM / -EINVAL. */
  addDomain(dom: number, cfg: DomainGrantConfig = {}): number {
    if (this.tables.has(dom)) throw new HypervisorBug(`d${dom} already has a grant table`);
    const max = cfg.maxGrantFrames ?? DEFAULT_MAX_GRANT_FRAMES;
    if (!Number.isInteger(max) || max < INITIAL_GRANT_FRAMES) return -E.EINVAL;
    const t = new GrantTable(this.ram, max, cfg.maxMaptrackFrames ?? DEFAULT_MAX_MAPTRACK_FRAMES);
    if (!this.grow(dom, t, INITIAL_GRANT_FRAMES)) return -E.ENOMEM;
    this.tables.set(dom, t);
    if (cfg.privileged) this.privileged.add(dom);
    return 0;
  }

  hasDomain(dom: number): boolean {
    const t = this.tables.get(dom);
    return t !== undefined && !t.dying;
  }

  /** The toolstack's reserved entries: 0 = console ring, 1 = xenstore ring, for `backend`. */
  seedReserved(dom: number, consoleMfn: number, storeMfn: number, backend: number): void {
    const t = this.table(dom);
    t.writeEntry(0, GTF.permit_access, backend, consoleMfn);
    t.writeEntry(1, GTF.permit_access, backend, storeMfn);
  }

  /**
   * Domain destruction (gnttab_release_mappings, then grant_table_destroy once unpinned):
   * drop every mapping `dom` holds, newest handle first, then free its table unless others
   * still map its grants.
   */
  destroyDomain(dom: number): void {
    const t = this.tables.get(dom);
    if (!t || t.dying) return;
    const mt = t.maptrack;
    for (let handle = mt.limit - 1; handle >= 0; handle--) {
      const flags = mt.flags[handle]!;
      if (!(flags & (GNTMAP.device_map | GNTMAP.host_map))) continue;
      mt.flags[handle] = 0;
      const rid = mt.domid[handle]!, rd = this.tables.get(rid);
      if (!rd) continue;
      const ref = mt.ref[handle]!, mfn = rd.actMfn[ref]!, ro = (flags & GNTMAP.readonly) !== 0;
      if (flags & GNTMAP.device_map) this.dropPin(rd, ref, mfn, ro ? PIN_DEVR : PIN_DEVW, !ro);
      if (flags & GNTMAP.host_map) this.dropPin(rd, ref, mfn, ro ? PIN_HSTR : PIN_HSTW, !ro);
      rd.reduceStatusForPin(ref, ro);
      this.hooks.onEvent?.({ kind: 'unmap', dom, granter: rid, ref, handle, mfn, flags });
      if (rid !== dom) this.finishIfUnpinned(rid, rd);
    }
    mt.clear();
    t.dying = true;
    this.privileged.delete(dom);
    this.finishIfUnpinned(dom, t);
  }

  // ---- GNTTABOP_* ----

  /** GNTTABOP_setup_table: grow to nrFrames and report the MFNs of the first nrFrames frames. */
  setupTable(caller: number, dom: number, nrFrames: number): { status: number; frames: number[] } {
    const id = dom === DOMID_SELF ? caller : dom;
    const t = this.live(id);
    if (!t) return { status: GNTST.bad_domain, frames: [] };
    if (!this.permitted(caller, id)) return { status: GNTST.permission_denied, frames: [] };
    nrFrames >>>= 0;
    if (nrFrames > t.maxFrames || nrFrames > COMPAT_SETUP_LIMIT) return { status: GNTST.general_error, frames: [] };
    if (nrFrames > t.frames.length && !this.grow(id, t, nrFrames)) return { status: GNTST.general_error, frames: [] };
    return { status: GNTST.okay, frames: t.frames.slice(0, nrFrames) };
  }

  /** GNTTABOP_query_size. On error only `status` is meaningful. */
  querySize(caller: number, dom: number): { status: number; nrFrames: number; maxNrFrames: number } {
    const id = dom === DOMID_SELF ? caller : dom;
    const t = this.live(id);
    if (!t) return { status: GNTST.bad_domain, nrFrames: 0, maxNrFrames: 0 };
    if (!this.permitted(caller, id)) return { status: GNTST.permission_denied, nrFrames: 0, maxNrFrames: 0 };
    return { status: GNTST.okay, nrFrames: t.frames.length, maxNrFrames: t.maxFrames };
  }

  /** GNTTABOP_set_version: `rc` is the hypercall result; `version` is written back either way. */
  setVersion(_caller: number, version: number): { rc: number; version: number } {
    if (version !== 1 && version !== 2) return { rc: -E.EINVAL, version: 1 };
    if (version === 2) return { rc: -E.ENOSYS, version: 1 };
    return { rc: 0, version: 1 };
  }

  /** GNTTABOP_get_version: the version (1), or -ESRCH / -EPERM. */
  getVersion(caller: number, dom: number): number {
    const id = dom === DOMID_SELF ? caller : dom;
    if (!this.live(id)) return -E.ESRCH;
    if (!this.permitted(caller, id)) return -E.EPERM;
    return 1;
  }

  /** GNTTABOP_dump_table: gone from Xen; see activeEntries(). */
  dumpTable(): number {
    return -E.ENOSYS;
  }

  /** GNTTABOP_map_grant_ref (map_grant_ref), by `caller`'s `vcpu`. */
  mapGrantRef(caller: number, vcpu: number, op: MapGrantRef): MapResult {
    const lt = this.table(caller);
    const ro = (op.flags & GNTMAP.readonly) !== 0;
    let pinIncr = 0;
    if (op.flags & GNTMAP.device_map) pinIncr += ro ? PIN_DEVR : PIN_DEVW;
    if (op.flags & GNTMAP.host_map) pinIncr += ro ? PIN_HSTR : PIN_HSTW;
    if (!pinIncr) return fail(GNTST.bad_gntref);
    const rid = op.dom;
    const rd = this.live(rid);
    if (!rd) return fail(GNTST.bad_domain);
    const handle = lt.maptrack.get(vcpu);
    if (handle < 0) return fail(GNTST.no_space);
    const ref = op.ref >>> 0;
    const status = this.mapInto(caller, vcpu, op, ref, rd, pinIncr, ro);
    if (status !== GNTST.okay) {
      lt.maptrack.put(handle);
      return fail(status);
    }
    const mfn = rd.actMfn[ref]!;
    const mt = lt.maptrack;
    mt.domid[handle] = rid;
    mt.ref[handle] = ref;
    mt.vcpu[handle] = vcpu;
    mt.hostAddr[handle] = op.flags & GNTMAP.host_map ? op.hostAddr : 0;
    mt.flags[handle] = op.flags & 0xffff;
    this.hooks.onEvent?.({ kind: 'map', dom: caller, granter: rid, ref, handle, mfn, flags: op.flags & 0xffff });
    return { status: GNTST.okay, handle, devBusAddr: mfn * PAGE_SIZE };
  }

  /** GNTTABOP_unmap_grant_ref: the status. Neither address given: nothing happens (okay). */
  unmapGrantRef(caller: number, vcpu: number, op: UnmapGrantRef): number {
    return this.unmapCommon(caller, vcpu, op.handle, op.hostAddr, op.devBusAddr, 0);
  }

  /** GNTTABOP_unmap_and_replace: unmap the host mapping, moving the PTE at newAddr there. */
  unmapAndReplace(caller: number, vcpu: number, op: { hostAddr: number; newAddr: number; handle: number }): number {
    return this.unmapCommon(caller, vcpu, op.handle, op.hostAddr, 0, op.newAddr);
  }

  // ---- Views for the UI ----

  /** Pinned entries of `dom`'s table (what Xen's 'g' debug key prints). */
  activeEntries(dom: number): ActiveEntryView[] {
    const t = this.tables.get(dom);
    const out: ActiveEntryView[] = [];
    if (!t) return out;
    for (let ref = 0; ref < t.pin.length; ref++) {
      if (!t.pin[ref]) continue;
      out.push({ ref, pin: t.pin[ref]!, mapper: t.actDom[ref]!, mfn: t.actMfn[ref]!, flags: t.flags(ref), grantee: t.domid(ref), frame: t.frame(ref) });
    }
    return out;
  }

  /** The mappings `dom` holds. */
  mappings(dom: number): MappingView[] {
    const t = this.tables.get(dom);
    const out: MappingView[] = [];
    if (!t) return out;
    const mt = t.maptrack;
    for (let h = 0; h < mt.limit; h++) {
      if (!mt.flags[h]) continue;
      const granter = mt.domid[h]!, ref = mt.ref[h]!;
      out.push({ handle: h, granter, ref, flags: mt.flags[h]!, hostAddr: mt.hostAddr[h]!, mfn: this.tables.get(granter)?.actMfn[ref] ?? -1 });
    }
    return out;
  }

  /**
   * The frame references this engine holds, for the page-type engine's audit: one general
   * reference per grant frame of every table, and per mapping kind (host, device) one general
   * reference plus a writable type reference when the kind is writable.
   */
  heldReferences(): { ref: Map<number, number>; type: Map<number, number> } {
    const ref = new Map<number, number>(), type = new Map<number, number>();
    const add = (m: Map<number, number>, mfn: number) => m.set(mfn, (m.get(mfn) ?? 0) + 1);
    for (const t of this.tables.values()) {
      for (const mfn of t.frames) add(ref, mfn);
      const mt = t.maptrack;
      for (let h = 0; h < mt.limit; h++) {
        const flags = mt.flags[h]!;
        if (!flags) continue;
        const mfn = this.tables.get(mt.domid[h]!)!.actMfn[mt.ref[h]!]!;
        for (const kind of [GNTMAP.device_map, GNTMAP.host_map]) {
          if (!(flags & kind)) continue;
          add(ref, mfn);
          if (!(flags & GNTMAP.readonly)) add(type, mfn);
        }
      }
    }
    return { ref, type };
  }

  /** Machine frames of `dom`'s grant table. */
  frames(dom: number): readonly number[] {
    return this.tables.get(dom)?.frames ?? [];
  }

  /** GNTTABOP_copy, one element: the status (see copy.ts). */
  copy(caller: number, op: GrantCopy): number {
    return grantCopy({ caller, hooks: this.hooks, ram: this.ram, live: (d) => this.live(d) }, op);
  }

  // ---- Snapshots (state.ts saves and checks; these only expose and install) ----

  /** Every table, dying ones included, and the privileged domains. */
  snapshotView(): { tables: ReadonlyMap<number, GrantTable>; privileged: ReadonlySet<number> } {
    return { tables: this.tables, privileged: this.privileged };
  }

  /** Replace every table and the privileged set with restored ones. */
  restoreTables(tables: ReadonlyMap<number, GrantTable>, privileged: Iterable<number>): void {
    this.tables.clear();
    for (const [dom, t] of tables) this.tables.set(dom, t);
    this.privileged.clear();
    for (const d of privileged) this.privileged.add(d);
  }

  // ---- Internals ----

  /** The table of a domain that may still be named by others (not dying), or undefined. */
  private live(dom: number): GrantTable | undefined {
    const t = this.tables.get(dom);
    return t && !t.dying ? t : undefined;
  }

  /** The body of map_grant_ref after the handle is taken; on failure everything is undone. */
  private mapInto(caller: number, vcpu: number, op: MapGrantRef, ref: number, rd: GrantTable, pinIncr: number, ro: boolean): number {
    const h = this.hooks, rid = op.dom;
    if (ref >= rd.nrEntries) return GNTST.bad_gntref;
    const pin = rd.pin[ref]!;
    if (pin && (rd.actDom[ref] !== caller || pinWouldOverflow(pin, pinIncr))) return GNTST.general_error;
    let refs = 0, types = 0;
    if (!pin || (!ro && !(pin & (PIN_HSTW_MASK | PIN_DEVW_MASK)))) {
      if (!rd.setStatus(ref, ro, true, caller)) return GNTST.general_error;
      if (!pin) {
        const frame = rd.frame(ref);
        if (!h.getPage(frame, rid)) {
          rd.reduceStatusForPin(ref, ro);
          return GNTST.bad_page;
        }
        refs = 1;
        rd.actDom[ref] = caller;
        rd.actMfn[ref] = frame;
      }
    }
    rd.pin[ref] = (rd.pin[ref]! + pinIncr) >>> 0;
    const mfn = rd.actMfn[ref]!;
    const undo = (status: number): number => {
      while (types--) h.putWritableType(mfn);
      while (refs--) h.putPage(mfn);
      rd.pin[ref] = (rd.pin[ref]! - pinIncr) >>> 0;
      rd.reduceStatusForPin(ref, ro);
      return status;
    };
    if (!refs) {
      if (!h.getPage(mfn, rid)) return undo(GNTST.general_error);
      refs = 1;
    }
    if (op.flags & GNTMAP.device_map && !ro) {
      if (!h.getWritableType(mfn)) return undo(GNTST.general_error);
      types++;
    }
    if (op.flags & GNTMAP.host_map) {
      if (op.flags & GNTMAP.device_map) {
        if (!h.getPage(mfn, rid)) return undo(GNTST.general_error);
        refs++;
      }
      if (!ro) {
        if (!h.getWritableType(mfn)) return undo(GNTST.general_error);
        types++;
      }
      const rc = h.installHostMapping(caller, vcpu, op.hostAddr, mfn, op.flags, 0);
      if (rc !== GNTST.okay) return undo(rc);
    }
    return GNTST.okay;
  }

  /** unmap_common + unmap_common_complete. */
  private unmapCommon(caller: number, vcpu: number, handle: number, hostAddr: number, devBusAddr: number, newAddr: number): number {
    const mt = this.table(caller).maptrack;
    handle >>>= 0;
    if (handle >= mt.limit || !mt.flags[handle]) return GNTST.bad_handle;
    const rid = mt.domid[handle]!, rd = this.tables.get(rid);
    if (!rd) throw new HypervisorBug(`d${caller} handle ${handle} maps a grant of vanished d${rid}`);
    const ref = mt.ref[handle]!, flags = mt.flags[handle]!, mfn = rd.actMfn[ref]!;
    if (ref >= rd.nrEntries) return GNTST.bad_handle;
    if (devBusAddr && flags & GNTMAP.device_map && devBusAddr !== mfn * PAGE_SIZE) return GNTST.bad_dev_addr;
    let done = 0;
    if (hostAddr && flags & GNTMAP.host_map) {
      const rc = this.hooks.removeHostMapping(caller, vcpu, hostAddr, mfn, newAddr, flags);
      if (rc < 0) return rc;
      mt.flags[handle] = mt.flags[handle]! & ~GNTMAP.host_map;
      done |= GNTMAP.host_map;
    }
    if (devBusAddr && flags & GNTMAP.device_map) {
      mt.flags[handle] = mt.flags[handle]! & ~GNTMAP.device_map;
      done |= GNTMAP.device_map;
    }
    if (!(mt.flags[handle]! & (GNTMAP.device_map | GNTMAP.host_map))) {
      mt.flags[handle] = 0;
      mt.put(handle);
    }
    if (!done) return GNTST.okay;
    // Complete: only after the TLB no longer holds the mapping may the frame references go.
    if (done & GNTMAP.host_map) this.hooks.flushTlb?.(caller);
    const ro = (flags & GNTMAP.readonly) !== 0;
    if (done & GNTMAP.device_map) this.dropPin(rd, ref, mfn, ro ? PIN_DEVR : PIN_DEVW, !ro);
    if (done & GNTMAP.host_map) this.dropPin(rd, ref, mfn, ro ? PIN_HSTR : PIN_HSTW, !ro);
    rd.reduceStatusForPin(ref, ro);
    this.hooks.onEvent?.({ kind: 'unmap', dom: caller, granter: rid, ref, handle, mfn, flags: done | (flags & GNTMAP.readonly) });
    this.finishIfUnpinned(rid, rd);
    return GNTST.okay;
  }

  /** One mapping kind ends: its pin, its writable type (if any) and its frame reference. */
  private dropPin(rd: GrantTable, ref: number, mfn: number, pinDec: number, writable: boolean): void {
    if ((rd.pin[ref]! & (0xff * pinDec)) === 0) throw new HypervisorBug(`grant ${ref} unpinned below zero`);
    rd.pin[ref] = (rd.pin[ref]! - pinDec) >>> 0;
    if (writable) this.hooks.putWritableType(mfn);
    this.hooks.putPage(mfn);
  }

  /**
   * grant_table_destroy of a dying domain, once no grant of it is pinned: drop the references
   * that kept its grant frames (whose entries we still read and write) from being freed.
   */
  private finishIfUnpinned(dom: number, t: GrantTable): void {
    if (!t.dying || t.anyPinned()) return;
    this.tables.delete(dom);
    for (const mfn of t.frames) this.hooks.putPage(mfn);
    this.hooks.tableReleased?.(dom);
  }

  /**
   * gnttab_grow_table: allocate frames up to `nrFrames` and hold a reference on each for as
   * long as the table exists; on failure nothing changes.
   */
  private grow(dom: number, t: GrantTable, nrFrames: number): boolean {
    const got: number[] = [];
    while (t.frames.length + got.length < nrFrames) {
      const mfn = this.hooks.allocGrantFrame(dom);
      if (mfn < 0) {
        for (const m of got) this.hooks.freeGrantFrame(dom, m);
        return false;
      }
      got.push(mfn);
    }
    for (const mfn of got) {
      if (!this.hooks.getPage(mfn, dom)) throw new HypervisorBug(`grant frame ${mfn} is not d${dom}'s`);
    }
    t.addFrames(got);
    for (const mfn of got) this.hooks.frameWritten?.(mfn);
    this.hooks.onEvent?.({ kind: 'grow', dom, nrFrames: t.frames.length });
    return true;
  }

  private permitted(caller: number, target: number): boolean {
    return caller === target || this.privileged.has(caller);
  }

  /** The calling domain's table; a caller without one is our bug. */
  private table(dom: number): GrantTable {
    const t = this.tables.get(dom);
    if (!t || t.dying) throw new HypervisorBug(`d${dom} has no live grant table`);
    return t;
  }
}

function fail(status: number): MapResult {
  return { status, handle: 0, devBusAddr: 0 };
}
