// grant_table_op (20): EBX = command, ECX = array of op structs, EDX = count. The
// batch loop, -EFAULT and the count rules live here; every per-op decision is the
// grant engine's (src/hv/gnttab), which reports a GNTST_* status per element.
// What the guest sees, as 64-bit Xen's compat layer gives a 32-bit guest:
// - a count that is negative as an int: -EINVAL; continuation bits (12+) in the
//   command: -EINVAL; an array that is not wholly below the hypervisor hole: -EFAULT
//   before anything is done; an element that cannot be read or written: -EFAULT,
//   earlier elements stay done.
// - map writes the whole element back (on failure only status changes); unmap,
//   unmap_and_replace and copy write back only status.
// - setup_table: count 0 does nothing and returns 0, count > 1 is -EINVAL; the
//   frame list gets 32-bit MFNs, a failed write makes status GNTST_bad_virt_addr.
//   query_size and get_status_frames need count 1.
// - set_version(2) is -ENOSYS and get_version is 1 (the engine runs v1 only);
//   get_status_frames has no frames under v1; dump_table, transfer, swap_grant_ref
//   and cache_flush are -ENOSYS (not offered here; see gnttab.ts).
// Long batches: after GNTTAB_BATCH elements the call continues itself with the
// array advanced and the count reduced, as Xen's preemption does.
import { DOMID_SELF, E, GNTST, GNTTABOP } from '../../abi/xen';
import type { HcCtx, HcFn } from './types';

export const GNTTAB_BATCH = 64;
const CMD_MASK = 0xfff;
const MAP_SIZE = 32, UNMAP_SIZE = 24, SETUP_SIZE = 16, COPY_SIZE = 24, QUERY_SIZE = 16;

const ELEMENT_SIZE: Record<number, number> = {
  [GNTTABOP.map_grant_ref]: MAP_SIZE, [GNTTABOP.unmap_grant_ref]: UNMAP_SIZE,
  [GNTTABOP.unmap_and_replace]: UNMAP_SIZE, [GNTTABOP.copy]: COPY_SIZE,
};

export const grantTableOp: HcFn = (x, cmd, uop, count) => {
  if ((count | 0) < 0) return -E.EINVAL;
  if ((cmd & ~CMD_MASK) !== 0) return -E.EINVAL;
  const size = ELEMENT_SIZE[cmd];
  if (size !== undefined && !x.g.range(uop, count * size)) return -E.EFAULT;
  switch (cmd) {
    case GNTTABOP.map_grant_ref: return batch(x, cmd, uop, count, size!, mapOne);
    case GNTTABOP.unmap_grant_ref: return batch(x, cmd, uop, count, size!, unmapOne);
    case GNTTABOP.unmap_and_replace: return batch(x, cmd, uop, count, size!, replaceOne);
    case GNTTABOP.copy: return batch(x, cmd, uop, count, size!, copyOne);
    case GNTTABOP.setup_table: return setupTable(x, uop, count);
    case GNTTABOP.query_size: return querySize(x, uop, count);
    case GNTTABOP.set_version: return setVersion(x, uop);
    case GNTTABOP.get_version: return getVersion(x, uop);
    case GNTTABOP.get_status_frames: return getStatusFrames(x, uop, count);
    case GNTTABOP.dump_table: return x.hv.gnttab.dumpTable();
    default: return -E.ENOSYS;
  }
};

/** One element: read from `dv`, act, fill outputs in `dv`; returns how many bytes to write back from offset `at`. */
type Element = (x: HcCtx, dv: DataView) => { at: number; len: number };

function batch(x: HcCtx, cmd: number, uop: number, count: number, size: number, one: Element): number {
  const n = Math.min(count, GNTTAB_BATCH);
  for (let i = 0; i < n; i++) {
    const a = (uop + i * size) | 0;
    const b = x.g.read(a, size);
    if (!b) return -E.EFAULT;
    const out = one(x, new DataView(b.buffer));
    if (!x.g.write((a + out.at) | 0, b.subarray(out.at, out.at + out.len))) return -E.EFAULT;
  }
  if (count > n) return x.hv.continuation(x.v, cmd, (uop + n * size) | 0, count - n);
  return 0;
}

/**
 * Xen looks the domain up before the permission check; domain 0 here is TypeScript services
 * with no grant table, so the engine calls it a bad domain. For a domU naming another domain
 * that exists, the answer Xen gives is the permission refusal.
 */
function refusal(x: HcCtx, dom: number, status: number): number {
  if (status !== GNTST.bad_domain || dom === DOMID_SELF || dom === x.dom.id) return status;
  return x.hv.domains.has(dom) || x.hv.evtchn.hasDomain(dom) ? GNTST.permission_denied : status;
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
}

/** gnttab_map_grant_ref {host_addr u64, flags, ref, dom u16, status i16 @18, handle @20, dev_bus_addr u64 @24}. */
const mapOne: Element = (x, dv) => {
  const r = x.hv.gnttab.mapGrantRef(x.dom.id, x.v.id, {
    hostAddr: u64(dv, 0), flags: dv.getUint32(8, true), ref: dv.getUint32(12, true), dom: dv.getUint16(16, true),
  });
  dv.setInt16(18, r.status, true);
  if (r.status === GNTST.okay) {
    dv.setUint32(20, r.handle, true);
    dv.setUint32(24, r.devBusAddr % 4294967296, true);
    dv.setUint32(28, Math.floor(r.devBusAddr / 4294967296), true);
  }
  return { at: 0, len: MAP_SIZE };
};

/** gnttab_unmap_grant_ref {host_addr u64, dev_bus_addr u64, handle @16, status i16 @20}. */
const unmapOne: Element = (x, dv) => {
  const st = x.hv.gnttab.unmapGrantRef(x.dom.id, x.v.id, {
    hostAddr: u64(dv, 0), devBusAddr: u64(dv, 8), handle: dv.getUint32(16, true),
  });
  dv.setInt16(20, st, true);
  return { at: 20, len: 2 };
};

/** gnttab_unmap_and_replace {host_addr u64, new_addr u64, handle @16, status i16 @20}. */
const replaceOne: Element = (x, dv) => {
  const st = x.hv.gnttab.unmapAndReplace(x.dom.id, x.v.id, {
    hostAddr: u64(dv, 0), newAddr: u64(dv, 8), handle: dv.getUint32(16, true),
  });
  dv.setInt16(20, st, true);
  return { at: 20, len: 2 };
};

/** gnttab_copy {source {u, domid u16, offset u16}, dest @8, len u16 @16, flags u16 @18, status i16 @20}. */
const copyOne: Element = (x, dv) => {
  const st = x.hv.gnttab.copy(x.dom.id, {
    source: { ref: dv.getUint32(0, true), domid: dv.getUint16(4, true), offset: dv.getUint16(6, true) },
    dest: { ref: dv.getUint32(8, true), domid: dv.getUint16(12, true), offset: dv.getUint16(14, true) },
    len: dv.getUint16(16, true), flags: dv.getUint16(18, true),
  });
  dv.setInt16(20, st, true);
  return { at: 20, len: 2 };
};

/** gnttab_setup_table {dom u16, nr_frames @4, status i16 @8, frame_list ptr @12}. */
function setupTable(x: HcCtx, uop: number, count: number): number {
  if (count === 0) return 0;
  if (count > 1) return -E.EINVAL;
  const b = x.g.read(uop, SETUP_SIZE);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  const nr = dv.getUint32(4, true), list = dv.getUint32(12, true) | 0;
  if (!x.g.range(list, nr * 4)) return -E.EFAULT;
  const dom = dv.getUint16(0, true);
  const r = x.hv.gnttab.setupTable(x.dom.id, dom, nr);
  let status = refusal(x, dom, r.status);
  if (status === GNTST.okay) {
    for (let i = 0; i < r.frames.length; i++) {
      x.g.setU32((list + i * 4) | 0, r.frames[i]!);
      if (!x.g.ok) { status = GNTST.bad_virt_addr; x.g.ok = true; break; }
    }
  }
  dv.setInt16(8, status, true);
  return x.g.write(uop, b) ? 0 : -E.EFAULT;
}

/** gnttab_query_size {dom u16, nr_frames @4, max_nr_frames @8, status i16 @12}. */
function querySize(x: HcCtx, uop: number, count: number): number {
  if (count !== 1) return -E.EINVAL;
  const b = x.g.read(uop, QUERY_SIZE);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  const dom = dv.getUint16(0, true);
  const r = x.hv.gnttab.querySize(x.dom.id, dom);
  if (r.status === GNTST.okay) {
    dv.setUint32(4, r.nrFrames, true);
    dv.setUint32(8, r.maxNrFrames, true);
  }
  dv.setInt16(12, refusal(x, dom, r.status), true);
  return x.g.write(uop, b) ? 0 : -E.EFAULT;
}

/** gnttab_set_version {version}: the version in force is written back whatever the result. */
function setVersion(x: HcCtx, uop: number): number {
  const want = x.g.u32(uop);
  if (!x.g.ok) return -E.EFAULT;
  const r = x.hv.gnttab.setVersion(x.dom.id, want >>> 0);
  x.g.setU32(uop, r.version);
  return x.g.ok ? r.rc : -E.EFAULT;
}

/** gnttab_get_version {dom u16, pad, version @4}. */
function getVersion(x: HcCtx, uop: number): number {
  const b = x.g.read(uop, 8);
  if (!b) return -E.EFAULT;
  const dom = new DataView(b.buffer).getUint16(0, true);
  const v = x.hv.gnttab.getVersion(x.dom.id, dom);
  if (v === -E.ESRCH && refusal(x, dom, GNTST.bad_domain) === GNTST.permission_denied) return -E.EPERM;
  if (v < 0) return v;
  x.g.setU32((uop + 4) | 0, v);
  return x.g.ok ? 0 : -E.EFAULT;
}

/**
 * gnttab_get_status_frames {nr_frames, dom u16 @4, status i16 @6, frame_list @8 (u64 slots)}:
 * a v1 table has no status frames, so any request for one is GNTST_general_error.
 */
function getStatusFrames(x: HcCtx, uop: number, count: number): number {
  if (count !== 1) return -E.EINVAL;
  const b = x.g.read(uop, 12);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  const nr = dv.getUint32(0, true);
  if (!x.g.range(dv.getUint32(8, true) | 0, nr * 8)) return -E.EFAULT;
  // Domain lookup and permission come first, as in Xen; query_size makes the same checks.
  const dom = dv.getUint16(4, true);
  const q = x.hv.gnttab.querySize(x.dom.id, dom);
  const status = q.status !== GNTST.okay ? refusal(x, dom, q.status) : nr > 0 ? GNTST.general_error : GNTST.okay;
  x.g.setU16((uop + 6) | 0, status);
  return x.g.ok ? 0 : -E.EFAULT;
}
