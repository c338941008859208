// GrantHooks over the page-type engine (src/hv/mm): what the hypervisor passes to GrantTables.
// Grant frames are Xen-heap frames shared with the domain (writable-typed for good). A host
// mapping's PTE is built here as Xen's grant_to_pte_flags does for a 32-bit PV guest:
// Present|Accessed|Dirty|NX, RW unless GNTMAP_readonly, User with GNTMAP_application_map, and
// the GNTMAP guest_avail bits (16..18) in PTE bits 9..11; the address is a linear address in the
// vcpu's current page tables, or with GNTMAP_contains_pte the PTE's machine address. A linear
// address must fit 32 bits. Refused here: GNTTABOP_unmap_and_replace (a new_addr other than 0)
// fails with GNTST_general_error; Xen keeps it only for classic-Xen kernels.
import { DOMID_XEN, GNTMAP, GNTST } from '../../abi/xen';
import type { MmEngine } from '../mm/engine';
import type { PteTarget } from '../mm/hostmap';
import { PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US } from '../mm/pte';
import type { GrantEvent } from './events';
import type { GrantHooks } from './host';
import { PGT_WRITABLE } from '../../shared/layout';

const NX_HI = 0x80000000 | 0;

export interface GrantHookExtras {
  flushTlb?(dom: number): void;
  frameWritten?(mfn: number): void;
  tableReleased?(dom: number): void;
  onEvent?(e: GrantEvent): void;
}

export function grantHooksOverMm(mm: MmEngine, extras: GrantHookExtras = {}): GrantHooks {
  const target = (dom: number, vcpu: number, addr: number, flags: number): PteTarget | null => {
    if (flags & GNTMAP.contains_pte) return { pte: addr };
    if (!Number.isInteger(addr) || addr < 0 || addr > 0xffffffff) return null;
    const l3 = mm.baseptr(dom, vcpu);
    return l3 < 0 ? null : { l3mfn: l3, va: addr };
  };
  return {
    getPage: (mfn, owner) => mm.getPage(mfn, owner),
    putPage: (mfn) => mm.putPage(mfn),
    getWritableType: (mfn) => mm.getPageType(mfn, PGT_WRITABLE) === 0,
    putWritableType: (mfn) => mm.putPageType(mfn),

    installHostMapping(dom, vcpu, hostAddr, mfn, flags) {
      const t = target(dom, vcpu, hostAddr, flags);
      if (!t) return GNTST.general_error;
      let lo = PTE_P | PTE_A | PTE_D | ((flags >>> 16) & 7) << 9;
      if (!(flags & GNTMAP.readonly)) lo |= PTE_RW;
      if (flags & GNTMAP.application_map) lo |= PTE_US;
      lo = (lo | (mfn << 12)) | 0;
      return mm.installHostMapping(dom, t, lo, (mfn >>> 20) | NX_HI);
    },
    removeHostMapping(dom, vcpu, hostAddr, mfn, newAddr, flags) {
      if (newAddr) return GNTST.general_error;
      const t = target(dom, vcpu, hostAddr, flags);
      if (!t) return GNTST.general_error;
      return mm.removeHostMapping(dom, t, mfn, flags & GNTMAP.readonly ? PTE_P : PTE_P | PTE_RW);
    },
    flushTlb: extras.flushTlb,

    allocGrantFrame(dom) {
      const mfn = mm.ft.allocate(DOMID_XEN);
      if (mfn < 0) return -1;
      mm.ft.shareWithGuest(mfn, dom, false);
      return mfn;
    },
    freeGrantFrame(_dom, mfn) {
      // The hypervisor takes back a frame it shared (a guest may not: force is ours only).
      mm.putPageType(mfn);
      mm.ft.dropAllocation(mfn, true);
    },

    frameWritten: extras.frameWritten,
    tableReleased: extras.tableReleased,
    onEvent: extras.onEvent,
  };
}
