// mmuext_op's table operations and the descriptor-page operations, as pure
// functions over the frame table (Xen's do_mmuext_op, new_guest_cr3,
// pv_set_gdt, do_update_descriptor).
//
// Pin Ln: the frame must be the page owner's (-EINVAL); the type is taken and
// the table validated if needed -- a validation failure returns the entry's
// errno (-EBUSY for a writable mapping of a table, -EINVAL for bad flags or a
// type clash, as Xen does); already pinned -> -EINVAL. A pin holds one general
// and one type reference. PIN_L4 is accepted and ignored for 32-bit guests.
// Unpin: not the owner's frame or not pinned -> -EINVAL; dropping the last type
// reference devalidates the table and cascades down.
// New base pointer: the vcpu's L3 takes a type reference (validating if needed,
// so pinning first is optional) and the previous L3's is released. The
// -ERANGE rule for L3s above 4 GiB without extended CR3 cannot arise: RAM here
// ends below 4 GiB. Flushing the TLB and the LDT mapping cache is the caller's.
import { E, FIRST_RESERVED_GDT_ENTRY } from '../../abi/xen';
import { PGF_PINNED, PGT_L1, PGT_L2, PGT_L3, PGT_L4, PGT_SEG_DESC, PGT_WRITABLE } from '../../shared/layout';
import { checkDescriptor } from './descriptor';
import { getPage, getPageAndType, getPageType, putPage, putPageAndType, putPageType } from './refs';
import type { MmState } from './state';

export function pinTable(s: MmState, dom: number, mfn: number, type: number): number {
  if (type === PGT_L4) return 0;
  if (type !== PGT_L1 && type !== PGT_L2 && type !== PGT_L3) return -E.EINVAL;
  if (!getPage(s, mfn, dom)) return -E.EINVAL;
  const rc = getPageType(s, mfn, type);
  if (rc !== 0) {
    putPage(s, mfn);
    return rc;
  }
  const w = s.ft.typeWord(mfn);
  if (w & PGF_PINNED) {
    putPageAndType(s, mfn);
    return -E.EINVAL;
  }
  s.ft.setTypeWord(mfn, w | PGF_PINNED);
  return 0;
}

export function unpinTable(s: MmState, dom: number, mfn: number): number {
  if (!getPage(s, mfn, dom)) return -E.EINVAL;
  const w = s.ft.typeWord(mfn);
  if (!(w & PGF_PINNED)) {
    putPage(s, mfn);
    return -E.EINVAL;
  }
  s.ft.setTypeWord(mfn, w & ~PGF_PINNED);
  putPageAndType(s, mfn);
  putPage(s, mfn);
  return 0;
}

function baseKey(dom: number, vcpu: number): number {
  return dom * 65536 + vcpu;
}

/** The L3 vcpu `vcpu` of `dom` runs on, or -1. */
export function currentBase(s: MmState, dom: number, vcpu: number): number {
  return s.bases.get(baseKey(dom, vcpu)) ?? -1;
}

export function newBaseptr(s: MmState, dom: number, vcpu: number, mfn: number): number {
  const key = baseKey(dom, vcpu);
  const old = s.bases.get(key) ?? -1;
  if (old === mfn) return 0;
  const rc = getPageAndType(s, mfn, PGT_L3, dom);
  if (rc !== 0) return rc;
  s.bases.set(key, mfn);
  if (old >= 0) putPageAndType(s, old);
  return 0;
}

/** Forget a vcpu's L3 (vcpu reset or domain destruction), dropping its reference. */
export function clearBaseptr(s: MmState, dom: number, vcpu: number): void {
  const key = baseKey(dom, vcpu);
  const old = s.bases.get(key);
  if (old === undefined) return;
  s.bases.delete(key);
  putPageAndType(s, old);
}

/** MMUEXT_CLEAR_PAGE: the frame must be the page owner's and typable writable. */
export function clearPage(s: MmState, dom: number, mfn: number): number {
  if (getPageAndType(s, mfn, PGT_WRITABLE, dom) !== 0) return -E.EINVAL;
  s.ft.ram8.fill(0, mfn * 4096, mfn * 4096 + 4096);
  s.hooks.notifyWrite?.(mfn * 4096, 4096);
  putPageAndType(s, mfn);
  return 0;
}

/** MMUEXT_COPY_PAGE: the source must be the owner's, the destination typable writable. */
export function copyPage(s: MmState, dom: number, dst: number, src: number): number {
  if (!getPage(s, src, dom)) return -E.EINVAL;
  if (getPageAndType(s, dst, PGT_WRITABLE, dom) !== 0) {
    putPage(s, src);
    return -E.EINVAL;
  }
  s.ft.ram8.copyWithin(dst * 4096, src * 4096, src * 4096 + 4096);
  s.hooks.notifyWrite?.(dst * 4096, 4096);
  putPageAndType(s, dst);
  putPage(s, src);
  return 0;
}

/** A GDT frame or faulted-in LDT page: a general and a seg_desc type reference, or -EINVAL. */
export function getSegDescPage(s: MmState, dom: number, mfn: number): number {
  return getPageAndType(s, mfn, PGT_SEG_DESC, dom) === 0 ? 0 : -E.EINVAL;
}

export function putSegDescPage(s: MmState, mfn: number): void {
  putPageAndType(s, mfn);
}

/**
 * set_gdt's frame checks: `entries` <= 7168 and each of the ceil(entries/512)
 * frames must take the seg_desc type; all or nothing (-EINVAL). The caller then
 * releases the old GDT's frames with putSegDescPage.
 */
export function acquireGdtFrames(s: MmState, dom: number, frames: readonly number[], entries: number): number {
  if (!Number.isInteger(entries) || entries < 0 || entries > FIRST_RESERVED_GDT_ENTRY) return -E.EINVAL;
  const n = Math.ceil(entries / 512);
  if (frames.length < n) return -E.EINVAL;
  for (let i = 0; i < n; i++) {
    if (getSegDescPage(s, dom, frames[i]) !== 0) {
      while (i-- > 0) putSegDescPage(s, frames[i]);
      return -E.EINVAL;
    }
  }
  return 0;
}

/**
 * update_descriptor: the 8-byte slot at machine address `addr` (8-aligned) of
 * one of `dom`'s frames gets the checked descriptor. The frame must be a
 * descriptor page or typable writable (so never a page table).
 */
export function updateDescriptor(s: MmState, dom: number, addr: number, lo: number, hi: number): number {
  if (!Number.isInteger(addr) || addr < 0 || addr % 8 !== 0) return -E.EINVAL;
  const d = checkDescriptor(lo, hi);
  if (d === null) return -E.EINVAL;
  const mfn = Math.floor(addr / 4096);
  if (!getPage(s, mfn, dom)) return -E.EINVAL;
  const type = s.ft.type(mfn) === PGT_SEG_DESC ? PGT_SEG_DESC : PGT_WRITABLE;
  if (getPageType(s, mfn, type) !== 0) {
    putPage(s, mfn);
    return -E.EINVAL;
  }
  s.writeEntry(mfn, (addr % 4096) / 8, d.lo, d.hi);
  putPageType(s, mfn);
  putPage(s, mfn);
  return 0;
}
