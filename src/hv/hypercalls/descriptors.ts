// set_gdt (2) and update_descriptor (10): the guest's descriptor tables
// (xen-pv32-abi.md 5.5, 6.8).
//
// set_gdt: EBX points to uint32 machine frame numbers, ECX is the entry count.
// More than 7168 entries -> -EINVAL before anything is read; an unreadable
// frame list -> -EFAULT; each of the ceil(entries / 512) frames must be the
// guest's and take the seg_desc type, which checks all 512 descriptors and
// fails while the frame has a writable mapping -> -EINVAL, nothing changed.
// Then the old GDT's frames are released, the new ones recorded on the vcpu
// (the CPU reads them for every segment load, vcpumm.ts) and the TLB flushed.
// update_descriptor: machine address (EBX low, ECX high) of an 8-byte slot and
// the descriptor (EDX low, ESI high): checked and fixed as check_descriptor
// does, then stored if the frame is a descriptor page or typable writable
// (-EINVAL otherwise, e.g. a page table). A GDT or LDT frame in use is read at
// each segment load, so the next load sees the new descriptor.
import { E, FIRST_RESERVED_GDT_ENTRY } from '../../abi/xen';
import { replaceGdt } from '../vcpumm';
import type { HcFn } from './types';

const DESCS_PER_FRAME = 512;

export const setGdt: HcFn = (x, list, entries) => {
  const { hv, dom, v, g } = x;
  const ents = entries >>> 0;
  if (ents > FIRST_RESERVED_GDT_ENTRY) return -E.EINVAL;
  const nr = Math.ceil(ents / DESCS_PER_FRAME);
  if (!g.range(list, nr * 4)) return -E.EFAULT;
  const frames: number[] = [];
  for (let i = 0; i < nr; i++) {
    frames.push(g.u32((list + i * 4) | 0) >>> 0);
    if (!g.ok) return -E.EFAULT;
  }
  const rc = hv.mm.acquireGdtFrames(dom.id, frames, ents);
  if (rc !== 0) return rc;
  replaceGdt(hv, v, frames, ents);
  v.cpu.tlbFlush(true);
  return 0;
};

export const updateDescriptor: HcFn = (x, paLo, paHi, lo, hi) => {
  const addr = (paLo >>> 0) + (paHi >>> 0) * 0x100000000;
  return x.hv.mm.updateDescriptor(x.dom.id, addr, lo, hi);
};
