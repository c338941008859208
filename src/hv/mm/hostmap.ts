// Grant-table host mappings (GNTMAP_host_map) in a PV guest's own L1: the
// table side of Xen's create_grant_pv_mapping / replace_grant_pv_mapping.
//
// The grant code decides whether the granting domain allows the mapping; this
// helper writes the entry and accounts for it exactly like any other present
// L1 entry: a general reference on the mapped frame and, if RW, a writable type
// reference (so the frame can be neither freed nor turned into a page table or
// descriptor page while mapped; a frame that already is one cannot be mapped
// RW). The entry goes in the L1 slot named by a machine address
// (GNTMAP_contains_pte) or found by walking the guest's current tables from a
// virtual address; either way the L1 must be the mapping domain's validated L1.
// Unmapping checks the entry still maps that frame with the same Present/RW and
// drops those references. Results are grant statuses (GNTST_okay or
// GNTST_general_error), as the grant ops report them.
import { DOMID_XEN, GNTST } from '../../abi/xen';
import { PGT_L1, PGT_WRITABLE } from '../../shared/layout';
import { PTE_P, PTE_RW, pteMfn } from './pte';
import { getPage, getPageAnyOwner, getPageType, putPage } from './refs';
import type { MmState } from './state';
import { putFromL1e } from './tables';
import { lockPage, unlockPage } from './update';
import { findL1Slot } from './walk';

/** Where the entry lives: a PTE's machine address, or a VA under the L3 in use. */
export type PteTarget = { pte: number } | { l3mfn: number; va: number };

function locate(s: MmState, target: PteTarget): { l1mfn: number; index: number } | null {
  if ('pte' in target) {
    const a = target.pte;
    if (!Number.isInteger(a) || a < 0 || a % 8 !== 0) return null;
    return { l1mfn: Math.floor(a / 4096), index: (a % 4096) / 8 };
  }
  return findL1Slot(s, target.l3mfn, target.va);
}

/** Run `op` on the entry with the L1 held and locked, or fail with general_error. */
function withL1(s: MmState, dom: number, target: PteTarget, op: (l1mfn: number, i: number) => number): number {
  const slot = locate(s, target);
  if (slot === null || !getPage(s, slot.l1mfn, dom)) return GNTST.general_error;
  let rc: number = GNTST.general_error;
  if (lockPage(s, slot.l1mfn)) {
    if (s.ft.type(slot.l1mfn) === PGT_L1) rc = op(slot.l1mfn, slot.index);
    unlockPage(s, slot.l1mfn);
  }
  putPage(s, slot.l1mfn);
  return rc;
}

/** Install the present entry lo:hi (built by the grant code) in `dom`'s L1. */
export function hostMap(s: MmState, dom: number, target: PteTarget, lo: number, hi: number): number {
  if (!(lo & PTE_P)) return GNTST.general_error;
  const mfn = pteMfn(lo, hi);
  if (!s.ft.isFrame(mfn)) return GNTST.general_error;
  return withL1(s, dom, target, (l1mfn, i) => {
    const owner = getPageAnyOwner(s, mfn);
    if (owner === -1) return GNTST.general_error;
    if (owner === DOMID_XEN || ((lo & PTE_RW) && getPageType(s, mfn, PGT_WRITABLE) !== 0)) {
      putPage(s, mfn);
      return GNTST.general_error;
    }
    const oLo = s.entryLo(l1mfn, i), oHi = s.entryHi(l1mfn, i);
    s.writeEntry(l1mfn, i, lo, hi);
    putFromL1e(s, oLo, oHi);
    return GNTST.okay;
  });
}

/** Remove a host mapping of `mfn` whose Present/RW match `lo`; the entry becomes 0. */
export function hostUnmap(s: MmState, dom: number, target: PteTarget, mfn: number, lo: number): number {
  return withL1(s, dom, target, (l1mfn, i) => {
    const oLo = s.entryLo(l1mfn, i), oHi = s.entryHi(l1mfn, i);
    if (pteMfn(oLo, oHi) !== mfn || ((oLo ^ lo) & (PTE_P | PTE_RW)) !== 0 || !(oLo & PTE_P)) {
      return GNTST.general_error;
    }
    s.writeEntry(l1mfn, i, 0, 0);
    putFromL1e(s, oLo, oHi);
    return GNTST.okay;
  });
}
