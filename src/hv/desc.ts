// Segment descriptors as a 32-bit PV guest has them: its own GDT frames (set_gdt,
// up to 14 pages = indices 0..7167), Xen's reserved page after them (the flat
// ring-1 and ring-3 selectors every PV guest may use without a GDT), and its
// LDT (MMUEXT_SET_LDT, read through its own page tables). The hypervisor uses
// this when it loads CS/SS for bounce frames and iret, and the CPU uses it
// for every segment load while a PV guest runs.
import { FIRST_RESERVED_GDT_ENTRY } from '../abi/xen';
import { GuestMem } from './guestmem';
import { checkDescriptor } from './mm/descriptor';
import type { Vcpu } from './vcpu';
import { descAttr, descBase, descLimit } from '../cpu/segments';

/** Xen's compat GDT entries (index -> [lo, hi]), from 64-bit Xen's boot_compat_gdt. */
const XEN_GDT: ReadonlyMap<number, readonly [number, number]> = new Map([
  [7169, [0x0000ffff, 0x00af9b00]], // 0xe008 Xen ring-0 code (64-bit)
  [7170, [0x0000ffff, 0x00cf9300]], // 0xe010 Xen ring-0 data
  [7171, [0x0000ffff, 0x00cfbb00]], // 0xe019 FLAT_RING1_CS
  [7172, [0x0000ffff, 0x00cfb300]], // 0xe021 FLAT_RING1_DS/SS
  [7173, [0x0000ffff, 0x00cffb00]], // 0xe02b FLAT_RING3_CS
  [7174, [0x0000ffff, 0x00cff300]], // 0xe033 FLAT_RING3_DS/SS
]);

/**
 * Fetch the 8-byte descriptor for `sel` into out[0] (low) and out[1] (high).
 * Returns false when the selector is beyond its table (or the LDT page is not
 * mapped); a zero descriptor inside the table is returned as zeros.
 */
export function pvDescriptor(v: Vcpu, m32: Int32Array, sel: number, out: Int32Array): boolean {
  const index = (sel & 0xffff) >>> 3;
  if (sel & 4) {
    if (index >= v.ldtEnts) return false;
    const g = new GuestMem(v.cpu);
    g.limit = 0x100000000;
    const lo = g.u32(v.ldtBase + index * 8), hi = g.u32(v.ldtBase + index * 8 + 4);
    // An LDT descriptor counts only as Xen would have checked it (mm/descriptor.ts):
    // a refused one (a gate, a TSS, 64-bit code...) cannot be loaded from here.
    const d = g.ok ? checkDescriptor(lo, hi) : null;
    if (!d) return false;
    out[0] = d.lo;
    out[1] = d.hi;
    return true;
  }
  if (index >= FIRST_RESERVED_GDT_ENTRY) {
    if (index >= FIRST_RESERVED_GDT_ENTRY + 512) return false;
    const d = XEN_GDT.get(index);
    out[0] = d ? d[0] : 0;
    out[1] = d ? d[1] : 0;
    return true;
  }
  if (index >= v.gdtEnts) {
    // Inside the guest's 14 pages but past gdt_ents: reads as a zero descriptor.
    out[0] = 0;
    out[1] = 0;
    return true;
  }
  const frame = v.gdtFrames[index >>> 9];
  const w = (frame * 4096 + (index & 511) * 8) >>> 2;
  out[0] = m32[w];
  out[1] = m32[w + 1];
  return true;
}

/** The segment-cache values (base, limit, attributes) of a descriptor. */
export function cacheOf(lo: number, hi: number): [number, number, number] {
  return [descBase(lo, hi), descLimit(lo, hi), descAttr(hi)];
}

const scratch = new Int32Array(2);

/**
 * Load segment register `seg` with `sel` for the hypervisor (bounce frames,
 * iret, failsafe): the descriptor must exist and be present, a code segment for
 * CS and writable data for SS. Returns false when it cannot be loaded.
 */
export function pvLoadSeg(v: Vcpu, m32: Int32Array, seg: number, sel: number): boolean {
  if ((sel & 0xfffc) === 0) {
    if (seg === 1 || seg === 2) return false;
    v.cpu.setSeg(seg, sel, 0, 0, 0);
    return true;
  }
  if (!pvDescriptor(v, m32, sel, scratch)) return false;
  const hi = scratch[1];
  if (!(hi & 0x8000) || !(hi & 0x1000)) return false;
  const code = (hi & 0x800) !== 0;
  if (seg === 1 && !code) return false;
  if (seg === 2 && (code || !(hi & 0x200))) return false;
  const [base, limit, attr] = cacheOf(scratch[0], hi);
  v.cpu.setSeg(seg, sel, base, limit, attr);
  return true;
}
