// GNTTABOP_copy, one element: the hypervisor copies bytes between two machine frames on a
// guest's behalf. Each side is a grant reference of some domain (flag GNTCOPY_*_gref) or, for
// the caller's own memory only (DOMID_SELF), a machine frame number. The source is used
// read-only (GTF_reading while copying), the destination writably (GTF_writing; must not be a
// readonly grant; the frame must take a writable type, so no page table can be written this
// way). Checks come in Xen's order: both domains, then the source grant/frame, then the
// destination, then offset + len within a page (GNTST_bad_copy_arg) — so a bad reference is
// reported before bad lengths. A zero length succeeds without looking at anything.
// Xen keeps the two sides acquired across the elements of a batch while they stay the same;
// we acquire and release per element, which leaves the same state after every element.
import { DOMID_SELF, GNTCOPY, GNTST, PAGE_SIZE } from '../../abi/xen';
import type { RamViews } from '../evtchn/memory';
import type { GrantHooks } from './host';
import { type GrantTable, PIN_DEVW_MASK, PIN_HSTR, PIN_HSTW, PIN_HSTW_MASK, pinWouldOverflow } from './table';

export interface GrantCopyPtr {
  /** Grant reference, or machine frame number when the side is not a gref. */
  ref: number;
  domid: number;
  offset: number;
}
export interface GrantCopy {
  source: GrantCopyPtr;
  dest: GrantCopyPtr;
  len: number;
  flags: number;
}

export interface CopyContext {
  caller: number;
  hooks: GrantHooks;
  ram: RamViews;
  live(dom: number): GrantTable | undefined;
}

/** One side of the copy once acquired. */
interface Side {
  dom: number;
  table: GrantTable;
  readonly: boolean;
  mfn: number;
  /** The grant pinned for this copy, or -1 for a frame given directly. */
  gref: number;
  page: boolean;
  type: boolean;
}

export function grantCopy(ctx: CopyContext, op: GrantCopy): number {
  if (!op.len) return GNTST.okay;
  const srcDom = lockDomain(ctx, op.source, (op.flags & GNTCOPY.source_gref) !== 0);
  if (srcDom < 0) return srcDom;
  const destDom = lockDomain(ctx, op.dest, (op.flags & GNTCOPY.dest_gref) !== 0);
  if (destDom < 0) return destDom;

  const src = side(ctx, srcDom, true);
  let rc = claim(ctx, src, op.source, (op.flags & GNTCOPY.source_gref) !== 0);
  if (rc !== GNTST.okay) return release(ctx, src, rc);
  const dest = side(ctx, destDom, false);
  rc = claim(ctx, dest, op.dest, (op.flags & GNTCOPY.dest_gref) !== 0);
  if (rc !== GNTST.okay) return release(ctx, src, release(ctx, dest, rc));

  // v1 grants always cover the whole page, so the sub-page bounds Xen also checks here
  // reduce to this test.
  if (op.source.offset + op.len > PAGE_SIZE || op.dest.offset + op.len > PAGE_SIZE) {
    return release(ctx, src, release(ctx, dest, GNTST.bad_copy_arg));
  }
  const from = src.mfn * PAGE_SIZE + op.source.offset, to = dest.mfn * PAGE_SIZE + op.dest.offset;
  ctx.ram.u8.copyWithin(to, from, from + op.len);
  ctx.hooks.frameWritten?.(dest.mfn);
  ctx.hooks.onEvent?.({ kind: 'copy', dom: ctx.caller, srcMfn: src.mfn, destMfn: dest.mfn, len: op.len });
  return release(ctx, src, release(ctx, dest, GNTST.okay));
}

/** gnttab_copy_lock_domain: a frame may be named only in the caller's own memory. */
function lockDomain(ctx: CopyContext, ptr: GrantCopyPtr, isGref: boolean): number {
  if (ptr.domid !== DOMID_SELF && !isGref) return GNTST.permission_denied;
  const dom = ptr.domid === DOMID_SELF ? ctx.caller : ptr.domid;
  return ctx.live(dom) ? dom : GNTST.bad_domain;
}

function side(ctx: CopyContext, dom: number, readonly: boolean): Side {
  return { dom, table: ctx.live(dom)!, readonly, mfn: -1, gref: -1, page: false, type: false };
}

/** gnttab_copy_claim_buf: pin the grant or reference the frame; a writable type for the dest. */
function claim(ctx: CopyContext, s: Side, ptr: GrantCopyPtr, isGref: boolean): number {
  if (isGref) {
    const rc = acquire(ctx, s, ptr.ref >>> 0);
    if (rc !== GNTST.okay) return rc;
  } else {
    const mfn = ptr.ref >>> 0;
    if (!ctx.hooks.getPage(mfn, s.dom)) return GNTST.bad_page;
    s.mfn = mfn;
    s.page = true;
  }
  if (!s.readonly) {
    if (!ctx.hooks.getWritableType(s.mfn)) return GNTST.general_error;
    s.type = true;
  }
  return GNTST.okay;
}

/** acquire_grant_for_copy (v1): pin the entry for `caller` and take a reference on its frame. */
function acquire(ctx: CopyContext, s: Side, ref: number): number {
  const t = s.table, caller = ctx.caller, h = ctx.hooks;
  const incr = s.readonly ? PIN_HSTR : PIN_HSTW;
  if (ref >= t.nrEntries) return GNTST.bad_gntref;
  const pin = t.pin[ref]!;
  if (pin && (t.actDom[ref] !== caller || pinWouldOverflow(pin, incr))) return GNTST.general_error;
  if (!pin || (!s.readonly && !(pin & (PIN_DEVW_MASK | PIN_HSTW_MASK)))) {
    if (!t.setStatus(ref, s.readonly, false, caller)) return GNTST.general_error;
    const frame = t.frame(ref);
    if (!h.getPage(frame, s.dom)) {
      t.reduceStatusForPin(ref, s.readonly);
      return GNTST.bad_page;
    }
    if (!pin) {
      t.actDom[ref] = caller;
      t.actMfn[ref] = frame;
    } else if (t.actMfn[ref] !== frame) {
      // The granter changed the frame while the entry stayed pinned.
      h.putPage(frame);
      t.reduceStatusForPin(ref, s.readonly);
      return GNTST.general_error;
    }
  } else if (!h.getPage(t.actMfn[ref]!, s.dom)) {
    t.reduceStatusForPin(ref, s.readonly);
    return GNTST.bad_domain;
  }
  t.pin[ref] = (t.pin[ref]! + incr) >>> 0;
  s.mfn = t.actMfn[ref]!;
  s.gref = ref;
  s.page = true;
  return GNTST.okay;
}

/** gnttab_copy_release_buf: unpin, drop the type and the reference; passes `rc` through. */
function release(ctx: CopyContext, s: Side, rc: number): number {
  if (s.gref >= 0) {
    const t = s.table;
    t.pin[s.gref] = (t.pin[s.gref]! - (s.readonly ? PIN_HSTR : PIN_HSTW)) >>> 0;
    t.reduceStatusForPin(s.gref, s.readonly);
    s.gref = -1;
  }
  if (s.type) ctx.hooks.putWritableType(s.mfn);
  if (s.page) ctx.hooks.putPage(s.mfn);
  s.type = s.page = false;
  return rc;
}
