// Validation of page-table and descriptor frames, entry by entry (Xen's
// get_page_from_lNe / put_page_from_lNe, promote_lN_table / demote_lN_table).
//
// What a present entry costs while its table is validated:
//   L1: a general reference on the mapped frame, plus a writable type reference
//       if RW=1. The frame must be the page owner's RAM: a frame owned by anyone
//       else (Xen's own included) -> -EBUSY; not RAM -> -EPERM (no domain here
//       has I/O memory); the invalid MFN -> -EINVAL; bad flags -> -EINVAL; RW=1
//       on a page table or descriptor page -> -EBUSY.
//   L2: a general reference and an L1 type reference on the target, or a linear
//       reference to an already-validated L2 (read-only entry, roles never mixed;
//       a self-reference costs nothing). In the L2 of an L3's slot 3 (the
//       pae_xen_l2), slots 428.. are Xen's: skipped, then filled with the M2P map.
//   L3: a general reference and an L2 type reference on slots 0..2; slot 3 must
//       be present and holds an L2 of type pae_xen_l2 that nothing else
//       references (type count exactly 1). Slots 4..511 are zeroed; present
//       entries get RW|User added (and lose RW|User|Accessed on devalidation).
// A failure undoes the references taken so far and returns the entry's errno.
import { HypervisorBug } from '../../shared/bugs';
import {
  PGF_PAE_XEN_L2, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_MASK, PGT_SEG_DESC, PGT_WRITABLE,
} from '../../shared/layout';
import { E, XEN_L2_FIRST_SLOT } from '../../abi/xen';
import { checkDescriptor } from './descriptor';
import { PT_ENTRIES } from './frametable';
import {
  INVALID_MFN40, L1_DISALLOW, L2_DISALLOW, L3_DISALLOW, PTE_A, PTE_P, PTE_RW, PTE_US, flags24, pteMfn,
} from './pte';
import { getPage, getPageAndType, getPageAnyOwner, getPageType, putPage, putPageType } from './refs';
import type { MmState } from './state';

/** Flags a Xen slot entry carries in a guest L2: present, read-only, supervisor. */
const XEN_SLOT_FLAGS = PTE_P | PTE_A;

/** References for a present L1 entry of a table owned by `l1Owner`, mapping `pgOwner`'s frame. */
export function getFromL1e(s: MmState, lo: number, hi: number, l1Owner: number, pgOwner: number): number {
  void l1Owner; // PV guests: only the page owner matters (no translated or dom_cow owners here)
  if (flags24(lo, hi) & L1_DISALLOW) return -E.EINVAL;
  const mfn = pteMfn(lo, hi);
  if (!s.ft.isFrame(mfn)) return mfn === INVALID_MFN40 ? -E.EINVAL : -E.EPERM;
  const owner = getPageAnyOwner(s, mfn);
  if (owner !== pgOwner) {
    if (owner !== -1) putPage(s, mfn);
    return -E.EBUSY;
  }
  if ((lo & PTE_RW) && getPageType(s, mfn, PGT_WRITABLE) !== 0) {
    putPage(s, mfn);
    return -E.EBUSY;
  }
  return 0;
}

/** Drop what a present L1 entry held. */
export function putFromL1e(s: MmState, lo: number, hi: number): void {
  if (!(lo & PTE_P)) return;
  const mfn = pteMfn(lo, hi);
  if (!s.ft.isFrame(mfn)) return;
  if (lo & PTE_RW) putPageType(s, mfn);
  putPage(s, mfn);
}

export function getFromL2e(s: MmState, lo: number, hi: number, l2mfn: number, dom: number): number {
  if (flags24(lo, hi) & L2_DISALLOW) return -E.EINVAL;
  const rc = getPageAndType(s, pteMfn(lo, hi), PGT_L1, dom);
  if (rc === -E.EINVAL && getL2Linear(s, lo, hi, l2mfn, dom)) return 0;
  return rc;
}

/** A read-only L2 entry naming another validated L2 of the same domain (6.4). */
function getL2Linear(s: MmState, lo: number, hi: number, l2mfn: number, dom: number): boolean {
  if (lo & PTE_RW) return false;
  const mfn = pteMfn(lo, hi);
  if (mfn === l2mfn) return true;
  const ft = s.ft;
  if (ft.owner(l2mfn) !== dom || !getPage(s, mfn, dom)) return false;
  // The table holding linear entries may not itself be a linear target, and the
  // target may not hold linear entries.
  if (s.linear[l2mfn] < 0 || s.linear[mfn] > 0 ||
      (ft.typeWord(mfn) & (PGT_MASK | PGF_VALIDATED)) !== (PGT_L2 | PGF_VALIDATED)) {
    putPage(s, mfn);
    return false;
  }
  s.addLinear(l2mfn, 1);
  s.addLinear(mfn, -1);
  ft.setTypeCount(mfn, ft.typeCount(mfn) + 1);
  return true;
}

/** Drop what a present L2 (or L3) entry held; `ptmfn` is the table it sits in. */
export function putFromPde(s: MmState, lo: number, hi: number, ptmfn: number): boolean {
  if (!(lo & PTE_P)) return false;
  const mfn = pteMfn(lo, hi);
  if (mfn === ptmfn) return false;
  putPageType(s, mfn, ptmfn);
  putPage(s, mfn);
  return true;
}

export function getFromL3e(s: MmState, lo: number, hi: number, dom: number): number {
  if (flags24(lo, hi) & L3_DISALLOW) return -E.EINVAL;
  return getPageAndType(s, pteMfn(lo, hi), PGT_L2, dom);
}

/** Validate a frame whose type count just went 0 -> 1. */
export function validate(s: MmState, mfn: number, type: number): number {
  switch (type & PGT_MASK) {
    case PGT_L1: return promoteL1(s, mfn);
    case PGT_L2: return promoteL2(s, mfn, (type & PGF_PAE_XEN_L2) !== 0);
    case PGT_L3: return promoteL3(s, mfn);
    case PGT_SEG_DESC: return validateSegDesc(s, mfn);
    default: return -E.EINVAL; // L4 tables do not exist for 32-bit guests
  }
}

/** Drop every reference a table's entries hold (its last type reference is going). */
export function devalidate(s: MmState, mfn: number, type: number): void {
  switch (type) {
    case PGT_L1:
      for (let i = 0; i < PT_ENTRIES; i++) putFromL1e(s, s.entryLo(mfn, i), s.entryHi(mfn, i));
      return;
    case PGT_L2: {
      const last = s.ft.typeWord(mfn) & PGF_PAE_XEN_L2 ? XEN_L2_FIRST_SLOT : PT_ENTRIES;
      for (let i = last - 1; i >= 0; i--) putFromPde(s, s.entryLo(mfn, i), s.entryHi(mfn, i), mfn);
      return;
    }
    case PGT_L3:
      for (let i = 3; i >= 0; i--) unholdL3e(s, mfn, i);
      return;
    default:
      throw new HypervisorBug(`devalidate frame ${mfn} of type ${type}`);
  }
}

function promoteL1(s: MmState, mfn: number): number {
  const dom = s.ft.owner(mfn);
  for (let i = 0; i < PT_ENTRIES; i++) {
    const lo = s.entryLo(mfn, i);
    if (!(lo & PTE_P)) continue;
    const rc = getFromL1e(s, lo, s.entryHi(mfn, i), dom, dom);
    if (rc !== 0) {
      while (i-- > 0) putFromL1e(s, s.entryLo(mfn, i), s.entryHi(mfn, i));
      return rc;
    }
  }
  return 0;
}

function promoteL2(s: MmState, mfn: number, paeXen: boolean): number {
  const dom = s.ft.owner(mfn);
  const last = paeXen ? XEN_L2_FIRST_SLOT : PT_ENTRIES;
  for (let i = 0; i < last; i++) {
    const lo = s.entryLo(mfn, i);
    if (!(lo & PTE_P)) continue;
    const rc = getFromL2e(s, lo, s.entryHi(mfn, i), mfn, dom);
    if (rc !== 0) {
      while (i-- > 0) putFromPde(s, s.entryLo(mfn, i), s.entryHi(mfn, i), mfn);
      return rc;
    }
  }
  if (paeXen) fillXenSlots(s, mfn);
  return 0;
}

/** Xen's slots of a pae_xen_l2: the M2P L1s from slot 428 on, the rest empty. */
function fillXenSlots(s: MmState, mfn: number): void {
  const l1s = s.ft.m2pL1s;
  for (let i = XEN_L2_FIRST_SLOT; i < PT_ENTRIES; i++) {
    const l1 = l1s[i - XEN_L2_FIRST_SLOT];
    s.writeEntry(mfn, i, l1 === undefined ? 0 : (l1 << 12) | XEN_SLOT_FLAGS, 0);
  }
}

function promoteL3(s: MmState, mfn: number): number {
  const dom = s.ft.owner(mfn);
  // The hardware (a long-mode walk of the guest's L3) sees all 512 slots.
  s.ft.ram32.fill(0, mfn * 1024 + 8, mfn * 1024 + 1024);
  s.hooks.notifyWrite?.(mfn * 4096 + 32, 4096 - 32);
  for (let i = 0; i < 4; i++) {
    const lo = s.entryLo(mfn, i), hi = s.entryHi(mfn, i);
    let rc = 0;
    if (i === 3) {
      rc = holdL3Slot3(s, lo, hi, dom);
    } else if (lo & PTE_P) {
      rc = getFromL3e(s, lo, hi, dom);
    }
    if (rc !== 0) {
      while (i-- > 0) {
        const plo = s.entryLo(mfn, i);
        if (!putFromPde(s, plo, s.entryHi(mfn, i), mfn)) continue;
        s.writeEntry(mfn, i, plo & ~(PTE_RW | PTE_US | PTE_A), s.entryHi(mfn, i));
      }
      return rc;
    }
    if (lo & PTE_P) s.writeEntry(mfn, i, lo | PTE_RW | PTE_US, hi);
  }
  return 0;
}

/** Slot 3: present, allowed flags, an L2 that becomes pae_xen_l2 and is not shared. */
function holdL3Slot3(s: MmState, lo: number, hi: number, dom: number): number {
  if (!(lo & PTE_P) || (flags24(lo, hi) & L3_DISALLOW)) return -E.EINVAL;
  const l2 = pteMfn(lo, hi);
  const rc = getPageAndType(s, l2, PGT_L2 | PGF_PAE_XEN_L2, dom);
  if (rc !== 0) return rc;
  if (s.ft.typeCount(l2) !== 1) {
    putPageType(s, l2);
    putPage(s, l2);
    return -E.EINVAL;
  }
  return 0;
}

/** Devalidating an L3 slot: drop its references and take back RW|User|Accessed. */
function unholdL3e(s: MmState, mfn: number, i: number): void {
  const lo = s.entryLo(mfn, i), hi = s.entryHi(mfn, i);
  if (putFromPde(s, lo, hi, mfn)) s.writeEntry(mfn, i, lo & ~(PTE_RW | PTE_US | PTE_A), hi);
}

/** All 512 descriptors must pass check_descriptor; fixed-up ones are written back as we go. */
function validateSegDesc(s: MmState, mfn: number): number {
  for (let i = 0; i < PT_ENTRIES; i++) {
    const a = s.entryLo(mfn, i), b = s.entryHi(mfn, i);
    const d = checkDescriptor(a, b);
    if (d === null) return -E.EINVAL;
    if (d.lo !== a || d.hi !== b) s.writeEntry(mfn, i, d.lo, d.hi);
  }
  return 0;
}
