// Per-vcpu memory state of a PV guest, over the page-type engine: the page
// table base (NEW_BASEPTR, MOV CR3, with the TLB flush and LDT-cache drop Xen
// does), the GDT frames (set_gdt) and the LDT pages the CPU has used, the
// registered vcpu_info frame, the CPU's descriptor hook, and the release of all
// of that when a domain is destroyed.
//
// What the guest sees: segment loads find its GDT in its set_gdt frames, Xen's
// reserved descriptors at 0xE000..0xEFFF (the flat selectors), and its LDT
// through its own page tables. An LDT page is checked the first time a
// descriptor is loaded from it (it takes the seg_desc type, so every one of its
// 512 descriptors passes check_descriptor and no writable mapping exists) and
// the reference is kept until SET_LDT, a base-pointer switch or destruction, as
// Xen keeps its LDT shadow mappings. A page that is not mapped or cannot take
// the type gives the guest #PF with CR2 = the descriptor's linear address.
// Simplified: Xen also drops the LDT shadow when the guest unmaps a cached LDT
// page; here it stays until the next SET_LDT or base-pointer switch (the frame
// keeps its seg_desc type meanwhile, so nothing unchecked can be loaded).
// The accessed bit is written straight into the GDT/LDT frame, as the processor
// does through Xen's own writable mapping of those frames.
import { R } from '../shared/layout';
import { PGT_WRITABLE } from '../shared/layout';
import { DESC_OK, DESC_OUTSIDE, DESC_RAISED, type Cpu, type DescHook } from '../cpu/cpu';
import { raise } from '../cpu/exceptions';
import { E, SHINFO, VCPUI } from '../abi/xen';
import { pvDescriptor } from './desc';
import { ptwrFault } from './traps/ptwr';
import { PTE_P, pteMfn } from './mm/pte';
import type { Domain } from './domain';
import type { Hypervisor } from './hypervisor';
import type { Vcpu } from './vcpu';

/** LDT page index -> machine frame holding a seg_desc reference, per vcpu. */
const ldtPages = new WeakMap<Vcpu, Map<number, number>>();

/** Drop the LDT pages a vcpu has loaded descriptors from (Xen's pv_destroy_ldt). */
export function dropLdtCache(hv: Hypervisor, v: Vcpu): void {
  const pages = ldtPages.get(v);
  if (!pages) return;
  for (const mfn of pages.values()) hv.mm.putSegDescPage(mfn);
  pages.clear();
}

/** The LDT pages a vcpu has cached (page index -> frame), for snapshots. */
export function ldtCacheOf(v: Vcpu): ReadonlyMap<number, number> {
  return ldtPages.get(v) ?? new Map();
}

/** A restored vcpu's LDT cache; the frames' seg_desc references come with the restored frame table. */
export function setLdtCache(v: Vcpu, pages: ReadonlyMap<number, number>): void {
  ldtPages.set(v, new Map(pages));
}

/**
 * NEW_BASEPTR and MOV CR3: vcpu `v` now runs on the L3 `mfn` (validated and
 * type-referenced by the engine); CR3 is loaded, the TLB flushed, the LDT
 * cache dropped. 0 or the engine's errno, with nothing changed on failure.
 */
export function setBaseptr(hv: Hypervisor, dom: Domain, v: Vcpu, mfn: number): number {
  const rc = hv.mm.newBaseptr(dom.id, v.id, mfn);
  if (rc !== 0) return rc;
  v.cpu.r[R.CR3] = mfn * 4096;
  dropLdtCache(hv, v);
  v.cpu.tlbFlush(true);
  return 0;
}

/** Replace a vcpu's GDT frames, releasing the old ones (the new ones already hold seg_desc references). */
export function replaceGdt(hv: Hypervisor, v: Vcpu, frames: number[], entries: number): void {
  for (const mfn of v.gdtFrames) hv.mm.putSegDescPage(mfn);
  v.gdtFrames = frames;
  v.gdtEnts = entries;
}

/** The descriptor hook the CPU uses for every segment load of PV vcpu `v`. */
export function pvDescHook(hv: Hypervisor, dom: Domain, v: Vcpu): DescHook {
  const out = new Int32Array(2);
  return {
    fetch(c: Cpu, sel: number): number {
      const index = (sel & 0xffff) >>> 3;
      if (sel & 4) return ldtFetch(hv, dom, v, c, index);
      if (!pvDescriptor(v, c.m32, sel, out)) return DESC_OUTSIDE;
      c.descLo = out[0];
      c.descHi = out[1];
      c.descAddr = index < v.gdtEnts ? v.gdtFrames[index >>> 9] * 4096 + (index & 511) * 8 : -1;
      return DESC_OK;
    },
    setAccessed(c: Cpu, addr: number, hi: number): void {
      // Xen's reserved descriptors and the zero ones past gdt_ents have no frame.
      if (addr < 0) return;
      c.m8[addr + 5] = (hi >>> 8) & 0xff;
      c.code.notifyWrite(addr + 5, 1);
    },
  };
}

function ldtFetch(hv: Hypervisor, dom: Domain, v: Vcpu, c: Cpu, index: number): number {
  if (index >= v.ldtEnts) return DESC_OUTSIDE;
  let pages = ldtPages.get(v);
  if (!pages) { pages = new Map(); ldtPages.set(v, pages); }
  const page = index >>> 9;
  let mfn = pages.get(page);
  if (mfn === undefined) {
    mfn = mapLdtPage(hv, dom, v, (v.ldtBase + page * 4096) | 0);
    if (mfn < 0) {
      c.r[R.CR2] = (v.ldtBase + index * 8) | 0;
      raise(c, 14, 0);
      return DESC_RAISED;
    }
    pages.set(page, mfn);
  }
  const addr = mfn * 4096 + (index & 511) * 8;
  c.descLo = c.m32[addr >>> 2];
  c.descHi = c.m32[(addr >>> 2) + 1];
  c.descAddr = addr;
  return DESC_OK;
}

/** The guest frame mapped at `va` by its current tables, with a seg_desc reference taken; -1 if none. */
function mapLdtPage(hv: Hypervisor, dom: Domain, v: Vcpu, va: number): number {
  const l3 = hv.mm.baseptr(dom.id, v.id);
  const slot = l3 < 0 ? null : hv.mm.findL1Slot(l3, va);
  if (slot === null) return -1;
  const [lo, hi] = hv.mm.readEntry(slot.l1mfn, slot.index);
  if (!(lo & PTE_P)) return -1;
  const mfn = pteMfn(lo, hi);
  return hv.mm.getSegDescPage(dom.id, mfn) === 0 ? mfn : -1;
}

/** Install the PV descriptor hook on each vcpu of a new domain, and the writable-page-table hook (Hypervisor.createDomain). */
export function attachVcpuMm(hv: Hypervisor, dom: Domain, v: Vcpu): void {
  v.cpu.descHook = pvDescHook(hv, dom, v);
  hv.pageFaultHook ??= (d, u, error) => ptwrFault(hv, d, u, error);
}

/**
 * VCPUOP_register_vcpu_info after the adapter's argument checks (-EBUSY,
 * -ENXIO): the frame must be the domain's (-EINVAL) and typable writable
 * (-EACCES); it keeps that type reference while registered. The current
 * contents are copied, every selector bit and upcall_pending set (a spurious
 * upcall, so nothing is lost), and the time info refreshed.
 */
export function registerVcpuInfo(hv: Hypervisor, dom: Domain, v: Vcpu, mfn: number, offset: number): number {
  if (v.vcpuInfoRegistered) return -E.EBUSY;
  if (offset < 0 || offset > 4096 - SHINFO.VCPU_INFO_SIZE || (offset & 3) !== 0) return -E.ENXIO;
  if (!hv.mm.getPage(mfn, dom.id)) return -E.EINVAL;
  if (hv.mm.getPageType(mfn, PGT_WRITABLE) !== 0) {
    hv.mm.putPage(mfn);
    return -E.EACCES;
  }
  const m8 = hv.mem.u8, to = mfn * 4096 + offset;
  m8.copyWithin(to, v.vcpuInfoAddr, v.vcpuInfoAddr + SHINFO.VCPU_INFO_SIZE);
  hv.code.notifyWrite(to, SHINFO.VCPU_INFO_SIZE);
  v.vcpuInfoAddr = to;
  v.vcpuInfoRegistered = true;
  hv.sharedInfo.get(dom.id)?.setVcpuInfo(v.id, to);
  hv.mem.i32[(to + VCPUI.PENDING_SEL) >>> 2] = -1;
  m8[to + VCPUI.UPCALL_PENDING] = 1;
  hv.updateTimeInfo(v);
  if (v.state === 'blocked') hv.wakeVcpu(v);
  return 0;
}

/**
 * Release everything the hypervisor holds in a domain's memory on behalf of
 * its vcpus -- base pointers, GDT frames, cached LDT pages, registered
 * vcpu_info frames -- then the domain's memory itself (mm.releaseDomain).
 * The toolstack calls this while destroying a domain, after the grant and
 * event-channel engines have let go. Returns the engine's result.
 */
export function destroyDomainMemory(hv: Hypervisor, dom: Domain): ReturnType<Hypervisor['mm']['releaseDomain']> {
  for (const v of dom.vcpus) {
    hv.mm.clearBaseptr(dom.id, v.id);
    dropLdtCache(hv, v);
    replaceGdt(hv, v, [], 0);
    v.ldtBase = 0;
    v.ldtEnts = 0;
    if (v.vcpuInfoRegistered) {
      const mfn = Math.floor(v.vcpuInfoAddr / 4096);
      v.vcpuInfoRegistered = false;
      v.vcpuInfoAddr = dom.sharedInfoMfn * 4096 + SHINFO.VCPU_INFO + v.id * SHINFO.VCPU_INFO_SIZE;
      hv.mm.putPageAndType(mfn);
    }
    v.cpu.descHook = null;
  }
  return hv.mm.releaseDomain(dom.id);
}
