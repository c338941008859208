// General references and typed references: Xen's get_page/put_page and
// get_page_type/put_page_type, the core of "direct paging".
//
// The rule: a frame's type may change only while its type count is 0. Taking a
// reference of another type while the count is non-zero fails (-EINVAL). On
// the 0 -> 1 step to a page-table or descriptor type the frame is validated
// (tables.ts); on the last put of a page-table type it is devalidated (the
// references its entries held are dropped) and its validated flag cleared.
// Writable, shared and descriptor pages keep their validated flag at count 0:
// their contents can only change through checked paths while they keep the type.
//
// Simplified: Xen validates large tables preemptibly and may leave a frame
// "partially validated" across a hypercall continuation; we validate in one go
// and, on failure, undo the references taken so far before returning.
// Xen flushes TLBs on every type change (filtered by timestamps); we ask for a
// flush only when a frame leaves the writable type, the case that matters
// (stale writable translations of a frame about to become a table).
import { HypervisorBug } from '../../shared/bugs';
import {
  PGF_PAE_XEN_L2, PGF_VALIDATED, PGT_L1, PGT_L4, PGT_MASK, PGT_SHARED, PGT_WRITABLE,
} from '../../shared/layout';
import { E } from '../../abi/xen';
import type { MmState } from './state';
import { devalidate, validate } from './tables';

const COUNT_MAX = 0x7ffffff0;
const NO_OWNER = -1;

/** Take a general reference on `mfn` if `dom` owns it (Xen's get_page). */
export function getPage(s: MmState, mfn: number, dom: number): boolean {
  const ft = s.ft;
  if (!ft.isFrame(mfn)) return false;
  const rc = ft.refCount(mfn);
  if (rc <= 0 || rc >= COUNT_MAX || ft.owner(mfn) !== dom) return false;
  ft.setRefCount(mfn, rc + 1);
  return true;
}

/**
 * Take a general reference whoever owns the frame and return the owner, or -1
 * (taking nothing) if the frame is free or its count would overflow
 * (Xen's page_get_owner_and_reference).
 */
export function getPageAnyOwner(s: MmState, mfn: number): number {
  const ft = s.ft;
  const rc = ft.refCount(mfn);
  if (rc <= 0 || rc >= COUNT_MAX) return NO_OWNER;
  ft.setRefCount(mfn, rc + 1);
  return ft.owner(mfn);
}

/** Drop a general reference; the frame is freed when the last one goes. */
export function putPage(s: MmState, mfn: number): void {
  const ft = s.ft;
  const rc = ft.refCount(mfn) - 1;
  if (rc < 0) throw new HypervisorBug(`put_page on frame ${mfn} with no references`);
  ft.setRefCount(mfn, rc);
  if (rc === 0) {
    if (ft.typeCount(mfn) !== 0) throw new HypervisorBug(`frame ${mfn} lost its last reference while typed`);
    ft.release(mfn);
  }
}

/**
 * Take a reference of `type` (PGT_*, optionally | PGF_PAE_XEN_L2), validating
 * the frame on a 0 -> 1 change. Returns 0 or a negative errno. The caller holds
 * a general reference.
 */
export function getPageType(s: MmState, mfn: number, type: number): number {
  const ft = s.ft;
  const want = type & (PGT_MASK | PGF_PAE_XEN_L2);
  const w = ft.typeWord(mfn);
  const n = ft.typeCount(mfn);
  if (n >= COUNT_MAX) return -E.EINVAL;
  if (n > 0) {
    if ((w & (PGT_MASK | PGF_PAE_XEN_L2)) !== want) return -E.EINVAL;
    // A frame is only unvalidated with a count while its own validation runs,
    // and validation never asks for the type of a frame above it in the tree.
    if (!(w & PGF_VALIDATED)) throw new HypervisorBug(`frame ${mfn}: type reference on a table under validation`);
    ft.setTypeCount(mfn, n + 1);
    return 0;
  }
  let nw = w;
  if ((w & (PGT_MASK | PGF_PAE_XEN_L2)) !== want) {
    nw = (w & ~(PGT_MASK | PGF_VALIDATED | PGF_PAE_XEN_L2)) | want;
    if ((w & PGT_MASK) === PGT_WRITABLE) s.flush(ft.owner(mfn), 'retype');
  }
  ft.setTypeWord(mfn, nw);
  ft.setTypeCount(mfn, 1);
  if (nw & PGF_VALIDATED) return 0;
  const t = want & PGT_MASK;
  if (t === PGT_WRITABLE || t === PGT_SHARED) {
    ft.setTypeWord(mfn, nw | PGF_VALIDATED);
    return 0;
  }
  s.addLinear(mfn, -s.linear[mfn]);
  const rc = validate(s, mfn, want);
  if (rc !== 0) {
    // Xen clears the whole type word of a frame that failed validation.
    ft.setTypeWord(mfn, 0);
    ft.setTypeCount(mfn, 0);
    s.addLinear(mfn, -s.linear[mfn]);
    return rc;
  }
  ft.setTypeWord(mfn, ft.typeWord(mfn) | PGF_VALIDATED);
  return 0;
}

/**
 * Drop a type reference. `ptpg` is the table whose entry held it (-1 if none):
 * when both are L2s the reference was a linear one and the linear counters
 * drop too.
 */
export function putPageType(s: MmState, mfn: number, ptpg = -1): void {
  const ft = s.ft;
  const w = ft.typeWord(mfn);
  const n = ft.typeCount(mfn);
  if (n <= 0 || !(w & PGF_VALIDATED)) {
    throw new HypervisorBug(`put_page_type on frame ${mfn} (count ${n}, type word ${w.toString(16)})`);
  }
  const t = w & PGT_MASK;
  const linear = ptpg >= 0 && t === ft.type(ptpg);
  if (n === 1 && t >= PGT_L1 && t <= PGT_L4) {
    ft.setTypeWord(mfn, w & ~PGF_VALIDATED);
    devalidate(s, mfn, t);
    ft.setTypeWord(mfn, ft.typeWord(mfn) & ~PGF_PAE_XEN_L2);
  }
  if (linear) {
    s.addLinear(mfn, 1);
    s.addLinear(ptpg, -1);
  }
  ft.setTypeCount(mfn, n - 1);
}

/** get_page + get_page_type for `dom`'s frame: -EINVAL if not its frame, else the type error. */
export function getPageAndType(s: MmState, mfn: number, type: number, dom: number): number {
  if (!getPage(s, mfn, dom)) return -E.EINVAL;
  const rc = getPageType(s, mfn, type);
  if (rc !== 0) putPage(s, mfn);
  return rc;
}

export function putPageAndType(s: MmState, mfn: number, ptpg = -1): void {
  putPageType(s, mfn, ptpg);
  putPage(s, mfn);
}
