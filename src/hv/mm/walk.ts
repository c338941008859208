// Software walks of a 32-bit PAE guest's page tables, as Xen's map_guest_l1e
// does through its linear map: from the L3 in use, find the L1 entry that maps a
// virtual address. Only present, non-PSE directory entries are followed; the
// caller checks that the L1 found is the guest's own validated L1.
import { PTE_P, PTE_PSE, pteMfn } from './pte';
import type { MmState } from './state';

export interface L1Slot {
  /** The frame holding the L1 entry (not yet checked to be an L1). */
  l1mfn: number;
  /** Entry index inside it. */
  index: number;
}

/** The L1 slot for `va` under the L3 `l3mfn`, or null if the walk stops before it. */
export function findL1Slot(s: MmState, l3mfn: number, va: number): L1Slot | null {
  const ft = s.ft;
  if (!ft.isFrame(l3mfn)) return null;
  const v = va >>> 0;
  const l3lo = s.entryLo(l3mfn, v >>> 30);
  if (!(l3lo & PTE_P)) return null;
  const l2mfn = pteMfn(l3lo, s.entryHi(l3mfn, v >>> 30));
  if (!ft.isFrame(l2mfn)) return null;
  const i2 = (v >>> 21) & 511;
  const l2lo = s.entryLo(l2mfn, i2);
  if ((l2lo & (PTE_P | PTE_PSE)) !== PTE_P) return null;
  const l1mfn = pteMfn(l2lo, s.entryHi(l2mfn, i2));
  if (!ft.isFrame(l1mfn)) return null;
  return { l1mfn, index: (v >>> 12) & 511 };
}
