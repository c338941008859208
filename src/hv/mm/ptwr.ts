// Writable page tables (VMASST_TYPE_writable_pagetables): the store part of
// Xen's ptwr emulation. The trap side (a ring-1 write fault on a read-only
// mapping of the guest's own validated L1, instruction decoding) is the
// caller's; here one emulated store or CMPXCHG lands in the L1.
//
// Checked: naturally aligned, 1/2/4/8 bytes inside the page; the frame is the
// guest's validated L1. Partial stores are widened to the whole 8-byte entry.
// The new entry is validated exactly as mmu_update would (no fast path, as in
// Xen); if that fails on a plain 4-byte store to the upper half, Xen assumes the
// guest writes the halves in the "wrong" order and stores the entry with
// Present cleared. Any other failure: PTWR_UNHANDLEABLE, and the caller delivers
// the original #PF. A CMPXCHG whose comparison fails stores nothing and reports
// PTWR_CMPXCHG_FAILED; the caller reads the entry back for the accumulator.
import { PGT_L1 } from '../../shared/layout';
import { PTE_P } from './pte';
import { getPage, putPage } from './refs';
import type { MmState } from './state';
import { getFromL1e, putFromL1e } from './tables';
import { lockPage, unlockPage } from './update';

export const PTWR_OK = 0, PTWR_UNHANDLEABLE = 1, PTWR_CMPXCHG_FAILED = 2;

const scratch = new DataView(new ArrayBuffer(8));

/** Merge `bytes` bytes of vLo:vHi at byte `off` of the entry eLo:eHi; result in scratch. */
function merge(eLo: number, eHi: number, off: number, bytes: number, vLo: number, vHi: number): void {
  scratch.setInt32(0, eLo, true);
  scratch.setInt32(4, eHi, true);
  for (let k = 0; k < bytes; k++) {
    const byte = k < 4 ? (vLo >>> (8 * k)) & 0xff : (vHi >>> (8 * (k - 4))) & 0xff;
    scratch.setUint8(off + k, byte);
  }
}

/**
 * Emulate a store (`cmp` null) or a CMPXCHG (`cmp` = the expected old value of
 * the same width) of `bytes` bytes at byte `offset` of `dom`'s L1 `l1mfn`.
 */
export function ptwrUpdate(s: MmState, dom: number, l1mfn: number, offset: number, bytes: number,
  vLo: number, vHi: number, cmp: { lo: number; hi: number } | null): number {
  if ((bytes !== 1 && bytes !== 2 && bytes !== 4 && bytes !== 8) || !Number.isInteger(offset) ||
      offset < 0 || offset + bytes > 4096 || (offset & (bytes - 1)) !== 0) {
    return PTWR_UNHANDLEABLE;
  }
  if (!getPage(s, l1mfn, dom)) return PTWR_UNHANDLEABLE;
  let rc = PTWR_UNHANDLEABLE;
  if (lockPage(s, l1mfn)) {
    if (s.ft.type(l1mfn) === PGT_L1) rc = store(s, dom, l1mfn, offset, bytes, vLo, vHi, cmp);
    unlockPage(s, l1mfn);
  }
  putPage(s, l1mfn);
  return rc;
}

function store(s: MmState, dom: number, l1mfn: number, offset: number, bytes: number,
  vLo: number, vHi: number, cmp: { lo: number; hi: number } | null): number {
  const i = offset >>> 3, off = offset & 7;
  const oLo = s.entryLo(l1mfn, i), oHi = s.entryHi(l1mfn, i);
  merge(oLo, oHi, off, bytes, vLo, vHi);
  let nLo = scratch.getInt32(0, true);
  const nHi = scratch.getInt32(4, true);
  let expLo = oLo, expHi = oHi;
  if (cmp !== null) {
    merge(oLo, oHi, off, bytes, cmp.lo, cmp.hi);
    expLo = scratch.getInt32(0, true);
    expHi = scratch.getInt32(4, true);
  }
  if (nLo & PTE_P) {
    if (getFromL1e(s, nLo, nHi, dom, dom) !== 0) {
      if (bytes !== 4 || !(offset & 4) || cmp !== null) return PTWR_UNHANDLEABLE;
      nLo &= ~PTE_P; // the lower half is expected next
    }
  }
  if (cmp !== null && (oLo !== expLo || oHi !== expHi)) {
    putFromL1e(s, nLo, nHi);
    return PTWR_CMPXCHG_FAILED;
  }
  s.writeEntry(l1mfn, i, nLo, nHi);
  putFromL1e(s, oLo, oHi);
  return PTWR_OK;
}
