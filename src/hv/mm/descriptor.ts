// Xen's check_descriptor for a 32-bit PV guest: what may sit in a GDT frame, an
// LDT page or an update_descriptor write. The guest kernel runs in ring 1, so
// nothing may grant ring 0 and nothing may reach Xen.
//
// Accepted unchanged: not-present descriptors, and system type 0 (the second
// half of a call gate). Otherwise DPL 0 becomes DPL 1. Code/data: refused if L
// (64-bit) is set; a segment based at 0 whose size exceeds the hypervisor hole
// start (0xF5800000) is widened to the full 4 GiB (older PAE guests used limits
// ending at 0xF6800000). A 32-bit call gate (type 0xC) is accepted if its target
// is a guest GDT selector, an LDT selector or FLAT_RING1_CS, and its reserved
// bits 5..7 are clear; its DPL is forced to 0 so every use traps to Xen for
// emulation, and the original DPL is kept in the target selector's RPL. Every
// other system descriptor (TSS, LDT, task/interrupt/trap gates, 16-bit gates)
// is refused.
import { FIRST_RESERVED_GDT_ENTRY, FLAT_RING1_CS, HYPERVISOR_VIRT_START } from '../../abi/xen';

const SEG_P = 1 << 15, SEG_S = 1 << 12, SEG_DPL = 3 << 13, SEG_L = 1 << 21, SEG_G = 1 << 23;
const SEG_TYPE = 0xf << 8, TYPE_CALL_GATE32 = 0xc << 8;
/** The guest kernel's privilege level (and the RPL Xen forces on its selectors). */
const GUEST_KERNEL_RPL = 1;

export interface Descriptor { lo: number; hi: number }

/** The descriptor as Xen would store it, or null if it must be refused. */
export function checkDescriptor(lo: number, hi: number): Descriptor | null {
  let a = lo | 0, b = hi | 0;
  if (!(b & SEG_P)) return { lo: a, hi: b };
  let dpl = (b >>> 13) & 3;
  if (dpl < GUEST_KERNEL_RPL) dpl = GUEST_KERNEL_RPL;
  b = (b & ~SEG_DPL) | (dpl << 13);

  if (b & SEG_S) {
    if (b & SEG_L) return null;
    const base = ((b & 0xff000000) | ((b & 0xff) << 16) | (a >>> 16)) >>> 0;
    let size = ((b & 0xf0000) | (a & 0xffff)) + 1;
    if (b & SEG_G) size *= 4096;
    if (base === 0 && size > HYPERVISOR_VIRT_START) {
      a |= 0xffff;
      b |= 0xf0000;
    }
    return { lo: a, hi: b };
  }
  // Type 0 is harmless; the DPL fix-up above is not stored for it.
  if ((b & SEG_TYPE) === 0) return { lo: lo | 0, hi: hi | 0 };
  if ((b & SEG_TYPE) !== TYPE_CALL_GATE32) return null;
  let cs = a >>> 16;
  if (!gateSelectorOk(cs)) return null;
  b &= ~SEG_DPL;
  cs = (cs & ~3) | dpl;
  a = (a & 0xffff) | (cs << 16);
  if (b & 0xe0) return null;
  return { lo: a, hi: b };
}

/** A call gate may lead to a guest GDT selector, an LDT selector, or Xen's flat ring-1 code. */
function gateSelectorOk(sel: number): boolean {
  return (sel >>> 3) < FIRST_RESERVED_GDT_ENTRY || sel === FLAT_RING1_CS || (sel & 4) !== 0;
}
