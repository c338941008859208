// PAE page-table entries as the page-type engine sees them: 64-bit entries held
// as two int32 halves (lo = bits 0..31, hi = bits 32..63), little-endian in RAM.
//
// Xen reasons about an entry's flags as a 24-bit word: PTE bits 0..11 in bits
// 0..11 and PTE bits 52..63 in bits 12..23 (so NX, PTE bit 63, is bit 23). The
// masks below are Xen's, for a 32-bit PAE guest on 64-bit Xen with an NX-capable
// CPU and no I/O resources (so the cache-attribute bits PWT/PCD/PAT stay
// forbidden in L1 entries), and a release build (PTE bit 62 is the guest's).
// The frame number is PTE bits 12..51 (40 bits); the all-ones value is Xen's
// "invalid MFN".

export const PTE_P = 0x1, PTE_RW = 0x2, PTE_US = 0x4, PTE_PWT = 0x8, PTE_PCD = 0x10,
  PTE_A = 0x20, PTE_D = 0x40, PTE_PSE = 0x80, PTE_G = 0x100;
/** Flag-word bits (24-bit form). */
export const F24_AVAIL = 0xe00, F24_AVAIL_HIGH = 0x7ff << 12, F24_NX = 1 << 23;

/** Everything but P, RW, US, A, D, Avail, Avail-high and NX. */
export const BASE_DISALLOW = ~(PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | F24_AVAIL | F24_AVAIL_HIGH | F24_NX) & 0xffffff;
/** L1: Global is allowed (meant for user mappings). */
export const L1_DISALLOW = BASE_DISALLOW & ~PTE_G;
export const L2_DISALLOW = BASE_DISALLOW;
/** The 32-bit guest's L3: PWT, PCD, PSE, G and every high flag (NX included) are refused. */
export const L3_DISALLOW = 0xfffff198;
/** Flags a guest may change in place without the entry being re-validated. */
export const FASTPATH_WHITELIST = F24_NX | F24_AVAIL_HIGH | F24_AVAIL | PTE_G | PTE_D | PTE_A | PTE_US;

/** Xen's invalid MFN (all 40 frame bits set). */
export const INVALID_MFN40 = 0xffffffffff;

/** The 24-bit flag word of an entry. */
export function flags24(lo: number, hi: number): number {
  return (lo & 0xfff) | (((hi >>> 20) & 0xfff) << 12);
}

/** The frame number an entry names (PTE bits 12..51), exact up to 2^40. */
export function pteMfn(lo: number, hi: number): number {
  return (lo >>> 12) + (hi & 0xfffff) * 0x100000;
}

/**
 * Whether two entries differ in their frame or in any flag outside `keep`
 * (a 24-bit flag mask): Xen's lNe_has_changed.
 */
export function pteChanged(oLo: number, oHi: number, nLo: number, nHi: number, keep: number): boolean {
  const sig = ~keep & 0xffffff;
  const loMask = 0xfffff000 | (sig & 0xfff);
  const hiMask = 0xfffff | (((sig >>> 12) & 0xfff) << 20);
  return ((oLo ^ nLo) & loMask) !== 0 || ((oHi ^ nHi) & hiMask) !== 0;
}

/** A machine address from its two 32-bit halves (exact: RAM is far below 2^53). */
export function maddr(lo: number, hi: number): number {
  return (lo >>> 0) + (hi >>> 0) * 0x100000000;
}

/** xen_pfn_to_cr3 for 32-bit guests ("extended cr3"): the MFN rotated left by 12. */
export function xenPfnToCr3(mfn: number): number {
  return ((mfn << 12) | (mfn >>> 20)) >>> 0;
}

/** xen_cr3_to_pfn: the inverse rotation. */
export function xenCr3ToPfn(cr3: number): number {
  return ((cr3 >>> 12) | (cr3 << 20)) >>> 0;
}
