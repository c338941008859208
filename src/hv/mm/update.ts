// Changing one entry of a guest page table: mmu_update's requests,
// update_va_mapping, and the writable-page-table emulation's store (ptwr).
//
// The target frame's current type decides (do_mmu_update): a validated L1, L2
// or L3 gets a checked update (mod_lN_entry); a writable page -- or a frame that
// can become one for the moment of the write -- gets a raw 8-byte store; any
// other frame (descriptor page, read-only shared page) -> -EINVAL. A frame that
// is not the page-table owner's -> -EINVAL. L2/L3 updates need the page owner to
// be the page-table owner (-EINVAL otherwise). Checks of a new present entry:
// its flags (-EINVAL), then, unless only NX/Avail/G/D/A/User changed (the fast
// path, no reference work), the references of tables.ts. The old entry's
// references are dropped after the write. L2 slots >= 428 of a pae_xen_l2
// -> -EPERM; L3 slots >= 3 -> -EINVAL. After a successful L2 or L3 update the
// domain's TLBs are flushed (onFlushNeeded 'pagetable'); L1 updates leave
// flushing to the guest, as on Xen.
import { E, XEN_L2_FIRST_SLOT } from '../../abi/xen';
import { PGF_PAE_XEN_L2, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_WRITABLE } from '../../shared/layout';
import {
  FASTPATH_WHITELIST, L1_DISALLOW, L2_DISALLOW, L3_DISALLOW, PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US,
  flags24, pteChanged,
} from './pte';
import { getPage, getPageType, putPage, putPageType } from './refs';
import type { MmState } from './state';
import { getFromL1e, getFromL2e, getFromL3e, putFromL1e, putFromPde } from './tables';
import { findL1Slot } from './walk';

/** mmu_update command numbers (ptr & 7). */
export const MMU_NORMAL_PT_UPDATE = 0, MMU_MACHPHYS_UPDATE = 1, MMU_PT_UPDATE_PRESERVE_AD = 2,
  MMU_PT_UPDATE_NO_TRANSLATE = 3;

function store(s: MmState, mfn: number, i: number, oLo: number, nLo: number, nHi: number, preserveAd: boolean): void {
  s.writeEntry(mfn, i, preserveAd ? nLo | (oLo & (PTE_A | PTE_D)) : nLo, nHi);
}

/** Xen's page_lock: only a validated frame with a type reference may be updated in place. */
export function lockPage(s: MmState, mfn: number): boolean {
  const n = s.ft.typeCount(mfn);
  if (n <= 0 || !(s.ft.typeWord(mfn) & PGF_VALIDATED)) return false;
  s.ft.setTypeCount(mfn, n + 1);
  return true;
}

export function unlockPage(s: MmState, mfn: number): void {
  s.ft.setTypeCount(mfn, s.ft.typeCount(mfn) - 1);
}

/** mod_l1_entry: entry `i` of the validated L1 `l1mfn` (owned by `ptDom`) becomes nLo:nHi. */
export function modL1Entry(s: MmState, l1mfn: number, i: number, nLo: number, nHi: number,
  preserveAd: boolean, ptDom: number, pgDom: number): number {
  const oLo = s.entryLo(l1mfn, i), oHi = s.entryHi(l1mfn, i);
  if (nLo & PTE_P) {
    if (flags24(nLo, nHi) & L1_DISALLOW) return -E.EINVAL;
    if (!pteChanged(oLo, oHi, nLo, nHi, FASTPATH_WHITELIST)) {
      store(s, l1mfn, i, oLo, nLo, nHi, preserveAd);
      return 0;
    }
    const rc = getFromL1e(s, nLo, nHi, ptDom, pgDom);
    if (rc !== 0) return rc;
  }
  store(s, l1mfn, i, oLo, nLo, nHi, preserveAd);
  putFromL1e(s, oLo, oHi);
  return 0;
}

/** mod_l2_entry for a validated L2 owned by `dom`. */
export function modL2Entry(s: MmState, l2mfn: number, i: number, nLo: number, nHi: number,
  preserveAd: boolean, dom: number): number {
  if ((s.ft.typeWord(l2mfn) & PGF_PAE_XEN_L2) && i >= XEN_L2_FIRST_SLOT) return -E.EPERM;
  const oLo = s.entryLo(l2mfn, i), oHi = s.entryHi(l2mfn, i);
  if (nLo & PTE_P) {
    if (flags24(nLo, nHi) & L2_DISALLOW) return -E.EINVAL;
    if (!pteChanged(oLo, oHi, nLo, nHi, FASTPATH_WHITELIST)) {
      store(s, l2mfn, i, oLo, nLo, nHi, preserveAd);
      return 0;
    }
    const rc = getFromL2e(s, nLo, nHi, l2mfn, dom);
    if (rc !== 0) return rc;
  }
  store(s, l2mfn, i, oLo, nLo, nHi, preserveAd);
  putFromPde(s, oLo, oHi, l2mfn);
  return 0;
}

/** mod_l3_entry for a validated L3 owned by `dom`: only slots 0..2 may change. */
export function modL3Entry(s: MmState, l3mfn: number, i: number, nLo: number, nHi: number,
  preserveAd: boolean, dom: number): number {
  if (i >= 3) return -E.EINVAL;
  const oLo = s.entryLo(l3mfn, i), oHi = s.entryHi(l3mfn, i);
  let lo = nLo;
  if (lo & PTE_P) {
    if (flags24(lo, nHi) & L3_DISALLOW) return -E.EINVAL;
    lo |= PTE_RW | PTE_US;
    if (!pteChanged(oLo, oHi, lo, nHi, FASTPATH_WHITELIST)) {
      store(s, l3mfn, i, oLo, lo, nHi, preserveAd);
      return 0;
    }
    const rc = getFromL3e(s, lo, nHi, dom);
    if (rc !== 0) return rc;
  }
  store(s, l3mfn, i, oLo, lo, nHi, preserveAd);
  putFromPde(s, oLo, oHi, l3mfn);
  return 0;
}

/**
 * One mmu_update request. `caller` is the calling domain, `ptOwner` owns the
 * page tables (foreigndom >> 16, or the caller), `pgOwner` the frames mapped
 * (foreigndom & 0xffff, or the caller); the adapter resolves those (-ESRCH).
 */
export function mmuUpdate(s: MmState, caller: number, ptOwner: number, pgOwner: number,
  ptrLo: number, ptrHi: number, valLo: number, valHi: number): number {
  const cmd = ptrLo & 7;
  const mfn = (ptrLo >>> 12) + (ptrHi >>> 0) * 0x100000;
  switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE:
      return normalUpdate(s, ptOwner, pgOwner, mfn, (ptrLo & 0xff8) >>> 3, valLo, valHi,
        cmd === MMU_PT_UPDATE_PRESERVE_AD);
    case MMU_MACHPHYS_UPDATE:
      if (caller !== ptOwner) return -E.EPERM;
      if (!getPage(s, mfn, pgOwner)) return -E.EINVAL;
      s.hooks.notifyWrite?.(s.ft.m2pSet(mfn, valLo), 4);
      putPage(s, mfn);
      return 0;
    default:
      return -E.ENOSYS;
  }
}

function normalUpdate(s: MmState, ptOwner: number, pgOwner: number, mfn: number, i: number,
  valLo: number, valHi: number, preserveAd: boolean): number {
  if (!getPage(s, mfn, ptOwner)) return -E.EINVAL;
  let rc = -E.EINVAL;
  if (lockPage(s, mfn)) {
    switch (s.ft.type(mfn)) {
      case PGT_L1:
        rc = modL1Entry(s, mfn, i, valLo, valHi, preserveAd, ptOwner, pgOwner);
        break;
      case PGT_L2:
        if (pgOwner !== ptOwner) break;
        rc = modL2Entry(s, mfn, i, valLo, valHi, preserveAd, ptOwner);
        if (rc === 0) s.flush(ptOwner, 'pagetable');
        break;
      case PGT_L3:
        if (pgOwner !== ptOwner) break;
        rc = modL3Entry(s, mfn, i, valLo, valHi, preserveAd, ptOwner);
        if (rc === 0) s.flush(ptOwner, 'pagetable');
        break;
      case PGT_WRITABLE:
        s.writeEntry(mfn, i, valLo, valHi);
        rc = 0;
        break;
    }
    unlockPage(s, mfn);
  } else if (getPageType(s, mfn, PGT_WRITABLE) === 0) {
    s.writeEntry(mfn, i, valLo, valHi);
    putPageType(s, mfn);
    rc = 0;
  }
  putPage(s, mfn);
  return rc;
}

/**
 * update_va_mapping's table work: the L1 entry mapping `va` under the L3
 * `l3mfn` (the vcpu's current tables) becomes lo:hi. The L2 entry must be
 * present and lead to a validated L1 owned by `dom`, else -EINVAL. Flushing per
 * the UVMF flags is the adapter's, and only on success.
 */
export function updateVaMapping(s: MmState, dom: number, pgOwner: number, l3mfn: number,
  va: number, lo: number, hi: number): number {
  const slot = findL1Slot(s, l3mfn, va);
  if (slot === null || !getPage(s, slot.l1mfn, dom)) return -E.EINVAL;
  let rc = -E.EINVAL;
  if (lockPage(s, slot.l1mfn)) {
    if (s.ft.type(slot.l1mfn) === PGT_L1) {
      rc = modL1Entry(s, slot.l1mfn, slot.index, lo, hi, false, dom, pgOwner);
    }
    unlockPage(s, slot.l1mfn);
  }
  putPage(s, slot.l1mfn);
  return rc;
}
