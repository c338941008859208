// mmu_update (1) and update_va_mapping (14) / update_va_mapping_otherdomain
// (22): the guest changes its page-table entries through checked requests
// (xen-pv32-abi.md 5.2, 5.4; the checks themselves are the page-type engine's,
// src/hv/mm/update.ts).
//
// mmu_update: 16-byte requests {ptr u64, val u64}; in order, stopping at the
// first error, which is returned; *done (if the pointer is not NULL) gets the
// number completed -- also across continuations, as Xen's MMU_UPDATE_PREEMPTED
// count flag carries it. foreigndom: bits 0-15 the page owner (DOMID_SELF, or
// another domain / DOMID_IO), bits 16-31 the page-table owner + 1. Its own
// domid named explicitly -> -ESRCH (Xen's get_pg_owner); naming another domain
// needs privilege, so a domU gets -EPERM at the first request (Xen's XSM
// default), except DOMID_IO as page owner. Batches longer than MMU_BATCH go on
// in a hypercall continuation.
// update_va_mapping: the L1 entry for `va` under the vcpu's current L3, then the
// UVMF flush -- none, the whole TLB or one page, on this vcpu, all vcpus or a
// vcpu bitmap -- only when the update succeeded. An unreadable bitmap ->
// -EFAULT (the update stays, nothing flushed).
import { DOMID_IO, DOMID_SELF, DOMID_XEN, E } from '../../abi/xen';
import type { Domain } from '../domain';
import type { GuestMem } from '../guestmem';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import type { HcCtx, HcFn } from './types';

/** Xen's MMU_UPDATE_PREEMPTED: the count of a continued batch carries it; *done is read back. */
export const MMU_UPDATE_PREEMPTED = 0x80000000;
/** Requests handled per invocation before a continuation (Xen's preemption check). */
export const MMU_BATCH = 512;

/** Can `dom` act on another domain's memory? Only a privileged domain (none of the emulated guests). */
export function isPrivileged(dom: Domain): boolean {
  return dom.id === 0;
}

/**
 * Xen's get_pg_owner: DOMID_SELF is the caller; DOMID_IO and DOMID_XEN stand for
 * themselves; the caller's own id named explicitly, or an unknown domain -> -1
 * (the caller returns -ESRCH).
 */
export function pgOwnerOf(hv: Hypervisor, caller: Domain, domid: number): number {
  const id = domid & 0xffff;
  if (id === caller.id) return -1;
  if (id === DOMID_SELF) return caller.id;
  if (id === DOMID_IO || id === DOMID_XEN) return id;
  return hv.domains.has(id) ? id : -1;
}

/** The vcpus named by a guest bitmap of uint32 words (Xen's vcpumask_to_pcpumask), or null if unreadable. */
export function vcpusInMask(x: HcCtx, ptr: number): Vcpu[] | null {
  const out: Vcpu[] = [];
  const vs = x.dom.vcpus;
  for (let w = 0; w * 32 < vs.length; w++) {
    const bits = x.g.u32((ptr + w * 4) | 0);
    if (!x.g.ok) return null;
    for (let b = 0; b < 32 && w * 32 + b < vs.length; b++) if ((bits >>> b) & 1) out.push(vs[w * 32 + b]);
  }
  return out;
}

/** Flush the whole TLB (va null) or one page of each vcpu in `vs`. */
export function flushVcpus(vs: readonly Vcpu[], va: number | null): void {
  for (const u of vs) {
    if (va === null) u.cpu.tlbFlush(true);
    else u.cpu.tlbFlushPage(va);
  }
}

/**
 * A batch's count and how many entries are already done: a continuation marks
 * the count with MMU_UPDATE_PREEMPTED and the guest's *done holds the progress.
 */
export function batchProgress(g: GuestMem, count: number, pdone: number): { n: number; done: number } {
  let n = count >>> 0, done = 0;
  if (n & MMU_UPDATE_PREEMPTED) {
    n = (n & ~MMU_UPDATE_PREEMPTED) >>> 0;
    if (pdone !== 0) {
      done = g.u32(pdone) >>> 0;
      if (!g.ok) { done = 0; g.ok = true; }
    }
  }
  return { n, done };
}

export const mmuUpdate: HcFn = (x, reqs, count, pdone, foreigndom) => {
  const { hv, dom, g } = x;
  const { n, done } = batchProgress(g, count, pdone);
  if (!g.range(reqs, n * 16)) return -E.EFAULT;
  const ptDom = foreigndom >>> 16;
  let ptOwner = dom.id;
  if (ptDom !== 0) {
    if (!hv.domains.has(ptDom - 1)) return -E.ESRCH;
    ptOwner = ptDom - 1;
  }
  const pgOwner = pgOwnerOf(hv, dom, foreigndom);
  if (pgOwner < 0) return -E.ESRCH;
  const priv = isPrivileged(dom);

  let rc = 0, i = 0;
  for (; i < n; i++) {
    if (i >= MMU_BATCH) break;
    const a = (reqs + i * 16) | 0;
    const ptrLo = g.u32(a), ptrHi = g.u32(a + 4), valLo = g.u32(a + 8), valHi = g.u32(a + 12);
    if (!g.ok) { rc = -E.EFAULT; break; }
    const cmd = ptrLo & 7;
    // Xen's XSM default: the page owner (unless DOMID_IO) and the table owner must be the caller.
    const denied = (o: number) => !priv && o !== dom.id;
    const pgDenied = pgOwner !== DOMID_IO && denied(pgOwner);
    if (cmd === 0 || cmd === 2 || cmd === 3) {
      if (pgDenied || denied(ptOwner)) { rc = -E.EPERM; break; }
    } else if (cmd === 1 && ptOwner === dom.id && pgDenied) {
      rc = -E.EPERM;
      break;
    }
    rc = hv.mm.mmuUpdate(dom.id, ptOwner, pgOwner, ptrLo, ptrHi, valLo, valHi);
    if (rc !== 0) break;
  }
  let ret = rc;
  if (rc === 0 && i < n) ret = hv.continuation(x.v, (reqs + i * 16) | 0, ((n - i) | MMU_UPDATE_PREEMPTED) >>> 0, pdone, foreigndom);
  if (pdone !== 0) g.setU32(pdone, done + i);
  return ret;
};

/** UVMF_NONE is 0: no flush. */
const UVMF_TLB_FLUSH = 1, UVMF_INVLPG = 2, UVMF_FLUSHTYPE_MASK = 3;
const UVMF_LOCAL = 0, UVMF_ALL = 4;

function updateVaMappingFor(x: HcCtx, va: number, lo: number, hi: number, flags: number, pgOwner: number): number {
  const { hv, dom, v } = x;
  if (pgOwner !== dom.id && !isPrivileged(dom)) return -E.EPERM;
  const rc = hv.mm.updateVaMapping(dom.id, pgOwner, hv.mm.baseptr(dom.id, v.id), va, lo, hi);
  if (rc !== 0) return rc;
  const type = flags & UVMF_FLUSHTYPE_MASK;
  if (type !== UVMF_TLB_FLUSH && type !== UVMF_INVLPG) return 0;
  const page = type === UVMF_INVLPG ? va : null;
  const bmap = flags & ~UVMF_FLUSHTYPE_MASK;
  if (bmap === UVMF_LOCAL) flushVcpus([v], page);
  else if (bmap === UVMF_ALL) flushVcpus(dom.vcpus, page);
  else {
    const vs = vcpusInMask(x, bmap);
    if (vs === null) return -E.EFAULT;
    flushVcpus(vs, page);
  }
  return 0;
}

export const updateVaMapping: HcFn = (x, va, lo, hi, flags) => updateVaMappingFor(x, va, lo, hi, flags, x.dom.id);

export const updateVaMappingOtherdomain: HcFn = (x, va, lo, hi, flags, domid) => {
  const owner = pgOwnerOf(x.hv, x.dom, domid);
  if (owner < 0) return -E.ESRCH;
  return updateVaMappingFor(x, va, lo, hi, flags, owner);
};
