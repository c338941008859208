// The domain builder: what Xen's toolstack (libxenguest + libxl) does to start
// a 32-bit PAE PV guest, following xen-pv32-abi.md section 2. It parses the
// image, allocates the domain's frames (PFN i gets the i-th frame handed out,
// lowest machine frame first), loads the kernel (with its BSD symbol area) and
// initrd, writes the P2M list, start_info, the xenstore and console pages, the
// bootstrap page tables (the tables themselves mapped read-only), fills the
// hypercall page, allocates the xenstore and console event channels (ports 1
// and 2) and seeds grant entries 0 and 1, sets vcpu 0's registers and pins the
// L3. The domain is left paused.
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, PGT_L3 } from '../shared/layout';
import {
  FLAT_KERNEL_CS, FLAT_KERNEL_DS, HYPERCALL_STUB_BYTES, HYPERCALL_STUBS, HC, MAX_GUEST_CMDLINE, SI, VMASST,
} from '../abi/xen';
import { CR0_ET, CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_NXE } from '../cpu/defs';
import type { Hypervisor } from '../hv/hypervisor';
import type { Domain } from '../hv/domain';
import { pvLoadSeg } from '../hv/desc';
import { parseXenElf, type XenImage } from './elf';
import { bootEntryFlags, computeLayout, type BootLayout } from './layout';
import { bsdSymtabBytes } from './elfsyms';

export interface BuildConfig {
  domid: number;
  name: string;
  kernel: Uint8Array;
  memMiB: number;
  vcpus?: number;
  cmdline?: string;
  ramdisk?: Uint8Array;
  /** The domain serving the console and xenstore rings (dom0). */
  backendDomid?: number;
}

export interface BuiltDomain {
  dom: Domain;
  image: XenImage;
  layout: BootLayout;
  /** Machine frame of each PFN. */
  p2m: Int32Array;
}

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

export function buildDomain(hv: Hypervisor, cfg: BuildConfig): BuiltDomain {
  const image = parseXenElf(cfg.kernel);
  const nrPages = Math.floor((cfg.memMiB * 1024 * 1024) / 4096);
  const cmdline = cfg.cmdline ?? '';
  if (cmdline.length >= MAX_GUEST_CMDLINE) throw new BuildError(`command line longer than ${MAX_GUEST_CMDLINE - 1} bytes`);
  const layout = computeLayout(image, { nrPages, initrdBytes: cfg.ramdisk?.length, mapInitrd: true });
  const ft = hv.mm.ft;
  const dom = hv.createDomain(cfg.domid, cfg.name, cfg.vcpus ?? 1);
  dom.maxPages = nrPages;
  // libxl gives a PV domain one E820 RAM entry covering its maximum memory.
  dom.memoryMap = [{ addr: 0, size: nrPages * 4096, type: 1 }];
  dom.backendDomid = cfg.backendDomid ?? 0;

  // Memory: PFN i -> the i-th frame allocated.
  const p2m = new Int32Array(nrPages);
  for (let pfn = 0; pfn < nrPages; pfn++) {
    const mfn = ft.allocate(dom.id);
    if (mfn < 0) throw new BuildError(`out of machine memory after ${pfn} of ${nrPages} pages for ${cfg.name}`);
    p2m[pfn] = mfn;
    ft.m2pSet(mfn, pfn);
  }
  const ram = hv.mem.u8, ram32 = hv.mem.i32;
  const maddr = (pfn: number, off = 0) => p2m[pfn] * 4096 + off;
  for (let pfn = 0; pfn < nrPages; pfn++) ram.fill(0, maddr(pfn), maddr(pfn) + 4096);
  const put = (pfnBase: number, byteOff: number, bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) {
      const at = byteOff + done, pfn = pfnBase + Math.floor(at / 4096), off = at % 4096;
      const n = Math.min(bytes.length - done, 4096 - off);
      ram.set(bytes.subarray(done, done + n), maddr(pfn, off));
      done += n;
    }
  };

  // Kernel segments: file bytes at kernel_area + (p_paddr - pstart); the rest is zero already.
  const pstart = image.virtKstart - (image.virtBase - image.paddrOffset);
  for (const seg of image.segments) {
    put(layout.kernel.pfn, seg.paddr - pstart, cfg.kernel.subarray(seg.offset, seg.offset + seg.filesz));
  }
  // BSD_SYMTAB: the symbol area after the kernel's last byte (elfsyms.ts); only what
  // fits in the kernel's pages is written, as libelf confines its copies to them.
  const syms = image.bsdSymtabArea;
  if (syms) {
    const at = syms.va - image.virtKstart;
    put(layout.kernel.pfn, at, bsdSymtabBytes(cfg.kernel, syms, layout.kernel.pages * 4096 - at));
  }
  if (cfg.ramdisk && layout.initrd) put(layout.initrd.pfn, 0, cfg.ramdisk);

  // The P2M list: uint32 MFN per PFN.
  for (let pfn = 0; pfn < nrPages; pfn++) {
    const at = pfn * 4;
    ram32[maddr(layout.p2m.pfn + (at >>> 12), at & 0xfff) >>> 2] = p2m[pfn];
  }

  // Event channels for xenstore and the console, unbound towards the backend (ports 1 and 2).
  const storePort = hv.evtchn.allocUnbound(dom.id, dom.id, dom.backendDomid);
  const consolePort = hv.evtchn.allocUnbound(dom.id, dom.id, dom.backendDomid);
  if (storePort < 0 || consolePort < 0) throw new BuildError('could not allocate the xenstore and console event channels');
  dom.storeMfn = p2m[layout.xenstore.pfn];
  dom.storePort = storePort;
  dom.consoleMfn = p2m[layout.console.pfn];
  dom.consolePort = consolePort;
  // The console page starts disconnected; the backend connects it.
  ram[maddr(layout.console.pfn, 3088)] = 1;

  // start_info.
  const si = new DataView(hv.mem.buffer, maddr(layout.startInfo.pfn), 4096);
  const magic = image.guestType;
  for (let i = 0; i < magic.length; i++) si.setUint8(SI.MAGIC + i, magic.charCodeAt(i));
  si.setUint32(SI.NR_PAGES, nrPages, true);
  si.setUint32(SI.SHARED_INFO, dom.sharedInfoMfn * 4096, true);
  si.setUint32(SI.FLAGS, layout.siFlags, true);
  si.setUint32(SI.STORE_MFN, dom.storeMfn, true);
  si.setUint32(SI.STORE_EVTCHN, storePort, true);
  si.setUint32(SI.CONSOLE_MFN, dom.consoleMfn, true);
  si.setUint32(SI.CONSOLE_EVTCHN, consolePort, true);
  si.setUint32(SI.PT_BASE, layout.ptBase >>> 0, true);
  si.setUint32(SI.NR_PT_FRAMES, layout.nrPtFrames, true);
  si.setUint32(SI.MFN_LIST, layout.p2m.va >>> 0, true);
  si.setUint32(SI.MOD_START, layout.modStart >>> 0, true);
  si.setUint32(SI.MOD_LEN, layout.modLen >>> 0, true);
  for (let i = 0; i < cmdline.length; i++) si.setUint8(SI.CMD_LINE + i, cmdline.charCodeAt(i) & 0xff);
  dom.startInfoMfn = p2m[layout.startInfo.pfn];

  // Bootstrap page tables: each frame's entries map consecutive PFNs.
  for (const f of layout.ptFrames) {
    for (let k = 0; k < f.count; k++) {
      const target = f.firstPfn + k;
      const w = maddr(f.pfn, (f.firstSlot + k) * 8) >>> 2;
      ram32[w] = (p2m[target] * 4096) | bootEntryFlags(layout, f.level, target);
      ram32[w + 1] = Math.floor(p2m[target] / 1048576);
    }
  }

  // The hypercall page (xen-pv32-abi.md 4.2): int3 everywhere, then one stub per hypercall.
  if (layout.hypercallPfn !== undefined) {
    const base = maddr(layout.hypercallPfn);
    ram.fill(0xcc, base, base + 4096);
    for (let i = 0; i < HYPERCALL_STUBS; i++) {
      const o = base + i * HYPERCALL_STUB_BYTES;
      const stub = i === HC.iret
        ? [0x50, 0xb8, i, 0, 0, 0, 0xcd, 0x82] // push %eax; mov $23,%eax; int $0x82
        : [0xb8, i, 0, 0, 0, 0xcd, 0x82, 0xc3]; // mov $i,%eax; int $0x82; ret
      ram.set(stub, o);
    }
  }
  for (let pfn = 0; pfn < nrPages; pfn++) hv.code.notifyWrite(maddr(pfn), 4096);


  // Grant entries 0 and 1 for the console and xenstore backends (unless the guest is its own backend).
  if (dom.backendDomid !== dom.id) hv.gnttab.seedReserved(dom.id, dom.consoleMfn, dom.storeMfn, dom.backendDomid);

  // Pin the L3 and make it vcpu 0's page table base.
  const l3 = p2m[layout.pageTables.pfn];
  // Extended CR3 (the L3 may sit anywhere) for PAE_MODE "yes" and bimodal kernels.
  if (image.paeMode !== 'yes') dom.vmAssist |= 1 << VMASST.PAE_EXTENDED_CR3;
  let rc = hv.mm.pin(dom.id, l3, PGT_L3);
  if (rc !== 0) throw new BuildError(`pinning the bootstrap L3 failed (${rc}): the builder made an invalid page table`);
  rc = hv.mm.newBaseptr(dom.id, 0, l3);
  if (rc !== 0) throw new BuildError(`installing the bootstrap L3 failed (${rc})`);

  // vcpu 0: ring 1 on Xen's flat selectors, paging on, events masked (shared_info did that).
  const v = dom.vcpus[0], c = v.cpu, r = c.r;
  r[R.CR0] = CR0_PE | CR0_ET | CR0_WP | CR0_PG | 0x4;
  r[R.CR4] = CR4_PAE;
  r[R.EFER] = EFER_NXE;
  r[R.CR3] = l3 * 4096;
  c.tlbFlush(true);
  for (const seg of [SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS]) pvLoadSeg(v, c.m32, seg, FLAT_KERNEL_DS);
  pvLoadSeg(v, c.m32, SEG_CS, FLAT_KERNEL_CS);
  c.setCpl(1);
  r[R.EIP] = layout.regs.eip;
  r[R.ESP] = layout.regs.esp;
  r[R.ESI] = layout.regs.esi;
  r[R.EFLAGS] = 0x202;
  v.kernelSs = FLAT_KERNEL_DS;
  v.kernelSp = layout.regs.esp;
  v.initialised = true;
  v.state = 'runnable';
  // Its 10 ms periodic timer (every PV vcpu has one) runs from now.
  v.periodicNext = hv.time.now + v.periodicPeriod;
  return { dom, image, layout, p2m };
}
