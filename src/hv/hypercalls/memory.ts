// memory_op (12): EBX = command, ECX = argument. A PV guest's own view of its
// memory: give frames back (decrease_reservation), take more (increase_reservation,
// populate_physmap, which also sets the M2P), ask for its sizes, its E820 map and
// where the M2P is mapped. GMFNs are MFNs for a PV guest.
// What we check, as Xen: the reservation ops report how many extents were done and
// stop at the first that fails (an unreadable struct or list, a bad order (> 9),
// another domain, or a domain at its maxPages all just end the count); extents are
// 2^order contiguous, aligned, zeroed frames. A frame given back must be the
// caller's (else the batch stops); its M2P entry becomes INVALID and its allocation
// reference goes: it is freed only when nothing references it any more (a page
// table entry, a grant mapping, a GDT), so nothing can reach a frame that another
// domain may be given next. The TLBs of the caller's vcpus are flushed after frames
// go. Bits 6+ of the command carry the restart extent of a continuation.
// Refused or simplified: frames Xen shared with the guest (shared_info, grant
// frames) cannot be given back (the batch stops there); populate-on-demand on
// oneself stops the batch, as in Xen; exchange, the batch/foreign physmap ops,
// claims, vNUMA and resource acquisition are -ENOSYS; add_to_physmap and
// remove_from_physmap are -EACCES (PV), machine_memory_map is -EPERM.
import { DOMID_SELF, E, MACH2PHYS_MAX_MFN, MACH2PHYS_VIRT_END, MACH2PHYS_VIRT_START, SHINFO } from '../../abi/xen';
import { MEMOP_EXTENT_SHIFT, XENMEM } from '../../abi/ops';
import { FRAME_FREE } from '../../shared/layout';
import type { Domain } from '../domain';
import type { HcCtx, HcFn } from './types';

export { MEMOP_EXTENT_SHIFT, XENMEM };
const MEMOP_CMD_MASK = (1 << MEMOP_EXTENT_SHIFT) - 1;
/** Xen's CONFIG_DOMU_MAX_ORDER on x86 (PAGETABLE_ORDER). */
const DOMU_MAX_ORDER = 9;
/** Extents handled before the call continues itself (Xen's preemption point). */
export const MEMOP_BATCH = 256;
const XENMEMF_POD = 1 << 16, XENMEMF_EXACT_NODE = 1 << 17;
const XENMAPSPACE_GMFN_FOREIGN = 4;
const E820_ENTRY = 20;
const M2P_CHUNK_FRAMES = 512; // 2 MiB of M2P entries per L2 superpage

export const memoryOp: HcFn = (x, cmd, arg) => {
  const op = cmd & MEMOP_CMD_MASK, start = cmd >>> MEMOP_EXTENT_SHIFT;
  switch (op) {
    case XENMEM.increase_reservation:
    case XENMEM.decrease_reservation:
    case XENMEM.populate_physmap:
      return reservation(x, op, start, arg);
    case XENMEM.maximum_ram_page:
      return start ? -E.EINVAL : x.hv.mm.ft.frames;
    case XENMEM.current_reservation:
    case XENMEM.maximum_reservation:
    case XENMEM.maximum_gpfn:
      return start ? -E.EINVAL : domainStat(x, op, arg);
    case XENMEM.add_to_physmap: return addToPhysmap(x, start, arg);
    case XENMEM.remove_from_physmap: return removeFromPhysmap(x, start, arg);
    case XENMEM.exchange: return start ? -E.EINVAL : -E.ENOSYS;
  }
  // The architecture's commands are matched on the whole command, restart bits included.
  switch (cmd) {
    case XENMEM.memory_map: return memoryMap(x, arg);
    case XENMEM.machine_memory_map: return x.g.read(arg, 8) ? -E.EPERM : -E.EFAULT;
    case XENMEM.machphys_mapping: {
      const b = new Uint8Array(12), dv = new DataView(b.buffer);
      dv.setUint32(0, MACH2PHYS_VIRT_START, true);
      dv.setUint32(4, MACH2PHYS_VIRT_END, true);
      dv.setUint32(8, MACH2PHYS_MAX_MFN, true);
      return x.g.write(arg, b) ? 0 : -E.EFAULT;
    }
    case XENMEM.machphys_mfn_list:
    case XENMEM.machphys_compat_mfn_list:
      return machphysMfnList(x, arg);
    default:
      return -E.ENOSYS;
  }
};

/** The domain a reservation or statistic names (DOMID_SELF, or itself), or null. */
function target(x: HcCtx, domid: number): Domain | null {
  const id = domid === DOMID_SELF ? x.dom.id : domid;
  return x.hv.domains.get(id) ?? null;
}

/** Does `domid` name a domain at all? Domain 0 is TypeScript services with no Domain object. */
function exists(x: HcCtx, domid: number): boolean {
  return target(x, domid) !== null || x.hv.evtchn.hasDomain(domid);
}

/** Pages the domain owns that count against its reservation (not the frames Xen shares with it). */
export function totPages(x: HcCtx, dom: Domain): number {
  const shared = 1 + x.hv.gnttab.frames(dom.id).length;
  return x.hv.mm.ft.pagesOf(dom.id) - shared;
}

/**
 * increase_reservation / decrease_reservation / populate_physmap over a
 * xen_memory_reservation {extent_start @0, nr_extents @4, extent_order @8,
 * mem_flags @12, domid u16 @16}. Returns the number of extents done; every
 * refusal of the whole request returns the restart point unchanged, as Xen does.
 */
function reservation(x: HcCtx, op: number, start: number, arg: number): number {
  const b = x.g.read(arg, 20);
  if (!b) return start;
  const dv = new DataView(b.buffer);
  const list = dv.getUint32(0, true) | 0, nr = dv.getUint32(4, true), order = dv.getUint32(8, true);
  const flags = dv.getUint32(12, true), domid = dv.getUint16(16, true);
  if (nr > (0xffffffff >>> MEMOP_EXTENT_SHIFT) || start >= nr) return start;
  const dom = target(x, domid);
  if (!dom) return start;
  const bits = flags & 0xff;
  if (bits !== 0 && bits <= 12 && bits < log2Ceil(x.hv.mm.ft.frames) + 12) return start;
  if ((flags >>> 8) & 0xff && flags & XENMEMF_EXACT_NODE) return start;
  if (dom !== x.dom) return start; // XSM_TARGET: a domU adjusts only itself
  // Allocations must lie below 2^bits when the guest asks for fewer address bits than RAM needs.
  const limit = bits !== 0 && bits < 32 ? Math.min(x.hv.mm.ft.frames, 2 ** (bits - 12)) : x.hv.mm.ft.frames;
  if (order > DOMU_MAX_ORDER) return start;
  const g = x.g;
  if ((op !== XENMEM.increase_reservation || list !== 0) && !g.range((list + start * 4) | 0, (nr - start) * 4)) return start;
  const end = Math.min(nr, start + MEMOP_BATCH);
  let i = start, freed = false;
  for (; i < end; i++) {
    if (op === XENMEM.decrease_reservation) {
      const gmfn = g.u32((list + i * 4) | 0) >>> 0;
      if (!g.ok) break;
      let ok = true;
      for (let j = 0; j < 2 ** order && ok; j++) {
        const rc = removePage(x, dom, gmfn + j);
        ok = rc >= 0;
        if (rc > 0) freed = true;
      }
      if (!ok) break;
      continue;
    }
    let gpfn = 0;
    if (op === XENMEM.populate_physmap) {
      gpfn = g.u32((list + i * 4) | 0) >>> 0;
      if (!g.ok) break;
      if (flags & XENMEMF_POD) break; // populate-on-demand on oneself is refused
    }
    if (totPages(x, dom) + 2 ** order > dom.maxPages) break;
    const mfn = allocExtent(x, dom, order, limit);
    if (mfn < 0) break;
    if (op === XENMEM.populate_physmap) {
      for (let j = 0; j < 2 ** order; j++) x.hv.code.notifyWrite(x.hv.mm.ft.m2pSet(mfn + j, gpfn + j), 4);
    }
    if (list !== 0) {
      g.setU32((list + i * 4) | 0, mfn);
      if (!g.ok) break; // the extent stays allocated, as in Xen
    }
  }
  if (freed) for (const v of dom.vcpus) v.cpu.tlbFlush(true);
  if (i === end && end < nr) return x.hv.continuation(x.v, op | (i << MEMOP_EXTENT_SHIFT), arg);
  return i;
}

function log2Ceil(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

/** 2^order free, aligned, contiguous frames below `limit` for `dom`, zeroed; the first MFN or -1. */
function allocExtent(x: HcCtx, dom: Domain, order: number, limit: number): number {
  const ft = x.hv.mm.ft, n = 2 ** order;
  let base = -1;
  if (order === 0) {
    base = ft.allocate(dom.id);
    if (base >= limit) { ft.dropAllocation(base); base = -1; }
  } else {
    for (let b = 0; b + n <= limit && base < 0; b += n) {
      let free = true;
      for (let k = 0; k < n && free; k++) free = ft.owner(b + k) === FRAME_FREE;
      if (!free) continue;
      for (let k = 0; k < n; k++) ft.allocateAt(b + k, dom.id);
      base = b;
    }
  }
  if (base < 0) return -1;
  // Xen scrubs pages before a domain gets them: nothing of a previous owner may show.
  x.hv.mem.u8.fill(0, base * 4096, (base + n) * 4096);
  x.hv.code.notifyWrite(base * 4096, n * 4096);
  return base;
}

/**
 * guest_remove_page for a PV domain: the frame must be a valid frame the domain owns
 * (else the batch stops: -EPERM for a non-RAM frame, -ENXIO for someone else's); its
 * M2P entry becomes INVALID and its allocation reference is dropped. Returns 1 if the
 * frame was freed now, 0 if something still references it, or a negative errno.
 */
function removePage(x: HcCtx, dom: Domain, mfn: number): number {
  const mm = x.hv.mm, ft = mm.ft;
  if (!ft.isFrame(mfn)) return -E.EPERM;
  if (!mm.getPage(mfn, dom.id)) return -E.ENXIO;
  if (ft.isXenShared(mfn)) {
    mm.putPage(mfn);
    return -E.EINVAL;
  }
  x.hv.code.notifyWrite(ft.m2pSet(mfn, 0xffffffff), 4);
  ft.dropAllocation(mfn);
  const last = ft.refCount(mfn) === 1;
  mm.putPage(mfn);
  return last ? 1 : 0;
}

/** current_reservation, maximum_reservation, maximum_gpfn over xen_memory_domain {domid u16}. */
function domainStat(x: HcCtx, op: number, arg: number): number {
  const b = x.g.read(arg, 2);
  if (!b) return -E.EFAULT;
  const domid = new DataView(b.buffer).getUint16(0, true);
  const dom = target(x, domid);
  if (!exists(x, domid)) return -E.ESRCH;
  if (dom !== x.dom) return -E.EPERM;
  switch (op) {
    case XENMEM.current_reservation: return totPages(x, dom);
    case XENMEM.maximum_reservation: return dom.maxPages;
    default: {
      // A PV guest publishes nr_pfns as shared_info.arch.max_pfn; Xen answers one less.
      const maxPfn = x.hv.mem.i32[(dom.sharedInfoMfn * 4096 + SHINFO.ARCH_MAX_PFN) >>> 2] >>> 0;
      return ((maxPfn || 1) - 1) | 0;
    }
  }
}

/** xen_add_to_physmap {domid u16, size u16, space @4, idx @8, gpfn @12}: translated guests only. */
function addToPhysmap(x: HcCtx, start: number, arg: number): number {
  if (start > 0xffff) return -E.EDOM;
  const b = x.g.read(arg, 16);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  if (dv.getUint32(4, true) === XENMAPSPACE_GMFN_FOREIGN) return -E.ENOSYS;
  return exists(x, dv.getUint16(0, true)) ? -E.EACCES : -E.ESRCH;
}

/** xen_remove_from_physmap {domid u16, gpfn @4}: translated guests only. */
function removeFromPhysmap(x: HcCtx, start: number, arg: number): number {
  if (start) return -E.EINVAL;
  const b = x.g.read(arg, 8);
  if (!b) return -E.EFAULT;
  return exists(x, new DataView(b.buffer).getUint16(0, true)) ? -E.EACCES : -E.ESRCH;
}

/** xen_memory_map {nr_entries @0, buffer @4}: the map the toolstack gave the domain. */
function memoryMap(x: HcCtx, arg: number): number {
  const b = x.g.read(arg, 8);
  if (!b) return -E.EFAULT;
  const map = x.dom.memoryMap;
  if (map.length === 0) return -E.ENOSYS;
  const dv = new DataView(b.buffer);
  const n = Math.min(dv.getUint32(0, true), map.length), buf = dv.getUint32(4, true) | 0;
  const out = new Uint8Array(n * E820_ENTRY), ov = new DataView(out.buffer);
  map.slice(0, n).forEach((e, k) => {
    const o = k * E820_ENTRY;
    ov.setUint32(o, e.addr % 4294967296, true);
    ov.setUint32(o + 4, Math.floor(e.addr / 4294967296), true);
    ov.setUint32(o + 8, e.size % 4294967296, true);
    ov.setUint32(o + 12, Math.floor(e.size / 4294967296), true);
    ov.setUint32(o + 16, e.type, true);
  });
  if (!x.g.write(buf, out)) return -E.EFAULT;
  dv.setUint32(0, n, true);
  return x.g.write(arg, b) ? 0 : -E.EFAULT;
}

/**
 * machphys_mfn_list {max_extents @0, extent_start @4, nr_extents @8}: the MFN starting
 * each 2 MiB chunk of the M2P, at most max_extents of them; nr_extents says how many.
 */
function machphysMfnList(x: HcCtx, arg: number): number {
  const b = x.g.read(arg, 12);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  const max = dv.getUint32(0, true), list = dv.getUint32(4, true) | 0;
  const frames = x.hv.mm.ft.m2pFrames;
  const chunks = Math.ceil(frames.length / M2P_CHUNK_FRAMES);
  let i = 0;
  for (; i !== max && i < chunks; i++) {
    x.g.setU32((list + i * 4) | 0, frames[i * M2P_CHUNK_FRAMES]!);
    if (!x.g.ok) return -E.EFAULT;
  }
  dv.setUint32(8, i, true);
  return x.g.write(arg, b) ? 0 : -E.EFAULT;
}
