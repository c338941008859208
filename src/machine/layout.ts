// Guest image loading, step two: where the domain builder puts everything in a new
// `xen-3.0-x86_32p` domU (ABI map 2.1-2.3), as pure arithmetic on the parsed image.
//
// What the guest sees: pseudo-physical frames handed out by a bump allocator from
// PFN 0 at VIRT_BASE, in this order: padding up to the kernel, the kernel (up to
// its virtual end, which includes a BSD_SYMTAB symbol area, see elf.ts), a mapped
// initrd, the P2M list, start_info, the xenstore ring, the console ring, the
// bootstrap page tables (L3, L2s, L1s), the boot stack, then mapped padding up to
// the 4 MiB boundary that ends the initial mapping (at least 512 KiB after the
// stack). An initrd the kernel lets us leave unmapped (MOD_START_PFN) comes after
// that and is passed as a PFN. VA = VIRT_BASE + PFN * 4096 throughout.
//
// We refuse, with a LayoutError naming the problem, what Xen's builder refuses
// (memory too small for a segment or for the initial mapping, a kernel that does
// not start on a page boundary) and what would silently break on 64-bit Xen: an
// initial mapping reaching into the hypervisor hole at 0xF5800000, whose L2 slots
// Xen overwrites with its own.
import { HYPERVISOR_VIRT_START, MACH2PHYS_MAX_MFN, PAGE_SIZE, SIF_MOD_START_PFN } from '../abi/xen';
import { assert } from '../shared/bugs';
import type { XenImage } from './elf';

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

export interface LayoutOptions {
  /** Guest memory in pages: start_info.nr_pages, and the number of P2M entries. */
  nrPages: number;
  /** Initrd length in bytes; undefined for none. */
  initrdBytes?: number;
  /** Map the initrd even though the kernel allows MOD_START_PFN (as when the tools give it an address). */
  mapInitrd?: boolean;
}

/** A run of pseudo-physical frames and the VA of the first (VIRT_BASE + pfn * 4096). */
export interface Region {
  pfn: number;
  pages: number;
  va: number;
}

/**
 * One bootstrap page-table frame. Its entries [firstSlot, firstSlot + count) point
 * at consecutive PFNs from firstPfn (for L3/L2: the next-level tables; for L1: the
 * mapped pages); every other entry is 0.
 */
export interface PtFrame {
  level: 1 | 2 | 3;
  pfn: number;
  /** First VA the table translates: 0 for the L3, the 1 GiB slot for an L2, the 2 MiB block for an L1. */
  base: number;
  firstSlot: number;
  count: number;
  firstPfn: number;
}

export interface BootLayout {
  virtBase: number;
  nrPages: number;
  /** Frames between VIRT_BASE and the kernel (pages 0 when the kernel starts at VIRT_BASE). */
  padding: Region;
  kernel: Region;
  /** The initrd, if any; `mapped` false means passed by PFN (SIF_MOD_START_PFN). */
  initrd: (Region & { mapped: boolean }) | undefined;
  /** The P2M list (start_info.mfn_list): one uint32 MFN per PFN. */
  p2m: Region;
  startInfo: Region;
  xenstore: Region;
  console: Region;
  /** All bootstrap page tables: L3 first (pt_base), then the L2s, then the L1s. */
  pageTables: Region;
  bootStack: Region;
  /** Allocated, mapped RAM after the boot stack up to the end of the initial mapping. */
  mappedPadding: Region;
  /** End (exclusive) of the initial mapping [virtBase, mappedEnd): a 4 MiB boundary. */
  mappedEnd: number;
  ptBase: number;
  nrPtFrames: number;
  ptFrames: PtFrame[];
  /** PFN of the hypercall page, if the image asked for one. */
  hypercallPfn: number | undefined;
  /** start_info.flags (SIF_MOD_START_PFN for an unmapped initrd, else 0), mod_start and mod_len. */
  siFlags: number;
  modStart: number;
  modLen: number;
  /** Pages the builder allocated in total (the rest of nrPages is free RAM for the guest). */
  allocatedPages: number;
  /** Initial vCPU 0 registers that depend on the layout (2.4). */
  regs: { eip: number; esp: number; esi: number };
}

/** Entry flags of the bootstrap tables (alloc_pgtables_x86_32_pae). */
export const BOOT_L3E_FLAGS = 0x67, BOOT_L2E_FLAGS = 0x67, BOOT_L1E_FLAGS = 0x23, BOOT_L1E_RO_FLAGS = 0x21;

const KB = 1024, MB = 1024 * KB, GB = 1024 * MB;
const hex = (v: number): string => '0x' + v.toString(16);
/** Last byte of the `size`-aligned block containing `addr` (C's `addr | (size - 1)`, without 32-bit bitwise ops). */
const blockEnd = (addr: number, size: number): number => Math.floor(addr / size) * size + size - 1;
const blockStart = (addr: number, size: number): number => Math.floor(addr / size) * size;

/** Flags of a bootstrap entry at `level` pointing at `targetPfn`: L1 entries mapping the tables are read-only. */
export function bootEntryFlags(layout: BootLayout, level: 1 | 2 | 3, targetPfn: number): number {
  if (level === 3) return BOOT_L3E_FLAGS;
  if (level === 2) return BOOT_L2E_FLAGS;
  const pt = layout.pageTables;
  return targetPfn >= pt.pfn && targetPfn < pt.pfn + pt.pages ? BOOT_L1E_RO_FLAGS : BOOT_L1E_FLAGS;
}

/** Compute the domU layout for a parsed image. Throws LayoutError when the builder would refuse. */
export function computeLayout(image: XenImage, opts: LayoutOptions): BootLayout {
  const { nrPages } = opts;
  const virtBase = image.virtBase;
  if (!Number.isInteger(nrPages) || nrPages < 1 || nrPages > MACH2PHYS_MAX_MFN + 1) {
    throw new LayoutError(`memory size must be a whole number of pages from 1 to ${hex(MACH2PHYS_MAX_MFN + 1)}, not ${nrPages}`);
  }
  if (virtBase % PAGE_SIZE) throw new LayoutError(`VIRT_BASE ${hex(virtBase)} is not page aligned`);
  if (image.virtKstart % PAGE_SIZE) throw new LayoutError(`the kernel starts at ${hex(image.virtKstart)}, not on a page boundary`);
  const initrdBytes = opts.initrdBytes;
  if (initrdBytes !== undefined && (!Number.isInteger(initrdBytes) || initrdBytes < 0)) {
    throw new LayoutError(`initrd length must be a whole number of bytes, not ${initrdBytes}`);
  }

  // The bump allocator (xc_dom_chk_alloc_pages): every object takes whole pages.
  let next = 0;
  const alloc = (what: string, pages: number): Region => {
    if (pages > nrPages - next) {
      throw new LayoutError(
        `not enough memory: the ${what} needs ${pages} pages at PFN ${hex(next)} but the domain has ${nrPages} pages`);
    }
    const r = { pfn: next, pages, va: virtBase + next * PAGE_SIZE };
    next += pages;
    return r;
  };
  const pagesFor = (bytes: number): number => Math.ceil(bytes / PAGE_SIZE);

  const padding = alloc('padding before the kernel', (image.virtKstart - virtBase) / PAGE_SIZE);
  const kernel = alloc('kernel', pagesFor(image.virtKend - image.virtKstart));
  const unmapped = initrdBytes !== undefined && image.modStartPfn && !opts.mapInitrd;
  let initrd: BootLayout['initrd'];
  if (initrdBytes !== undefined && !unmapped) initrd = { ...alloc('initrd', pagesFor(initrdBytes)), mapped: true };
  const p2m = alloc('P2M list', pagesFor(nrPages * 4));
  const startInfo = alloc('start_info page', 1);
  const xenstore = alloc('xenstore ring page', 1);
  const console = alloc('console ring page', 1);

  // alloc_pgtables_pv: grow the mapped extent until it covers the tables themselves,
  // the boot stack and 512 KiB of slack, rounded up to 4 MiB.
  const cur = virtBase + next * PAGE_SIZE;
  const extra = 1 + (512 * KB) / PAGE_SIZE;
  let pages = extra, end = 0, counts = { l2: 0, l1: 0, total: 0 };
  for (let round = 0; ; round++) {
    assert(round < 64, 'boot page-table extent did not converge');
    end = blockEnd(cur + pages * PAGE_SIZE, 4 * MB);
    counts = countTables(virtBase, end, nrPages);
    pages = counts.total + extra;
    if (cur + pages * PAGE_SIZE <= end + 1) break;
  }
  const mappedEnd = end + 1;
  if (mappedEnd > HYPERVISOR_VIRT_START) {
    throw new LayoutError(
      `the initial mapping ${hex(virtBase)}-${hex(mappedEnd)} reaches into the hypervisor hole at ` +
      `${hex(HYPERVISOR_VIRT_START)}: VIRT_BASE ${hex(virtBase)} is too high for this kernel and memory size`);
  }
  const pageTables = alloc('bootstrap page tables', counts.total);
  const bootStack = alloc('boot stack', 1);
  const mappedPadding = alloc('mapped padding up to the end of the initial mapping', (mappedEnd - virtBase) / PAGE_SIZE - next);

  let siFlags = 0, modStart = 0, modLen = 0;
  if (initrdBytes !== undefined) {
    if (unmapped) {
      initrd = { ...alloc('initrd', pagesFor(initrdBytes)), mapped: false };
      siFlags = SIF_MOD_START_PFN;
      modStart = initrd.pfn;
      modLen = initrd.pages * PAGE_SIZE;
    } else {
      modStart = initrd!.va;
      modLen = initrdBytes;
    }
  }

  let hypercallPfn: number | undefined;
  if (image.hypercallPage !== undefined) {
    hypercallPfn = Math.floor((image.hypercallPage - virtBase) / PAGE_SIZE);
    if (hypercallPfn < 0 || hypercallPfn >= nrPages) {
      throw new LayoutError(`HYPERCALL_PAGE ${hex(image.hypercallPage)} is outside the domain's memory`);
    }
  }

  return {
    virtBase, nrPages, padding, kernel, initrd, p2m, startInfo, xenstore, console, pageTables, bootStack,
    mappedPadding, mappedEnd, ptBase: pageTables.va, nrPtFrames: counts.total,
    ptFrames: tableFrames(virtBase, end, pageTables.pfn, counts), hypercallPfn, siFlags, modStart, modLen,
    allocatedPages: next,
    regs: { eip: image.entry, esp: bootStack.va + PAGE_SIZE, esi: startInfo.va },
  };
}

/** The L2 range of count_pgtables: whole 1 GiB slots, always including slot 3. */
function l2Range(from: number, to: number): [number, number] {
  return [blockStart(from, GB), to < 0xc0000000 ? 0xffffffff : blockEnd(to, GB)];
}

/** count_pgtables for [from, to] (inclusive): 1 L3, the L2s, the L1s. */
function countTables(from: number, to: number, nrPages: number): { l2: number; l1: number; total: number } {
  const mapped = (to - from + 1) / PAGE_SIZE;
  if (mapped > nrPages) {
    throw new LayoutError(
      `not enough memory for the initial mapping: it needs ${mapped} pages (${hex(from)}-${hex(to + 1)}) ` +
      `but the domain has ${nrPages}`);
  }
  const [l2from, l2to] = l2Range(from, to);
  const l2 = (l2to - l2from + 1) / GB;
  const l1 = (blockEnd(to, 2 * MB) - blockStart(from, 2 * MB) + 1) / (2 * MB);
  return { l2, l1, total: 1 + l2 + l1 };
}

/** setup_pgtables_pv: what each bootstrap table maps, in allocation order. */
function tableFrames(from: number, to: number, ptPfn: number, counts: { l2: number; l1: number }): PtFrame[] {
  const frames: PtFrame[] = [];
  const [l2from] = l2Range(from, to);
  const l1from = blockStart(from, 2 * MB), l1to = blockEnd(to, 2 * MB);
  const l2Pfn = ptPfn + 1, l1Pfn = ptPfn + 1 + counts.l2;
  frames.push({ level: 3, pfn: ptPfn, base: 0, firstSlot: l2from / GB, count: counts.l2, firstPfn: l2Pfn });
  for (let i = 0; i < counts.l2; i++) {
    const base = l2from + i * GB, top = base + GB - 1;
    const lo = Math.max(base, l1from), hi = Math.min(top, l1to);
    frames.push(lo > hi
      ? { level: 2, pfn: l2Pfn + i, base, firstSlot: 0, count: 0, firstPfn: 0 }
      : {
        level: 2, pfn: l2Pfn + i, base, firstSlot: (lo - base) / (2 * MB), count: (hi - lo + 1) / (2 * MB),
        firstPfn: l1Pfn + (lo - l1from) / (2 * MB),
      });
  }
  for (let j = 0; j < counts.l1; j++) {
    const base = l1from + j * 2 * MB, top = base + 2 * MB - 1;
    const lo = Math.max(base, from), hi = Math.min(top, to);
    frames.push({
      level: 1, pfn: l1Pfn + j, base, firstSlot: (lo - base) / PAGE_SIZE, count: (hi - lo + 1) / PAGE_SIZE,
      firstPfn: (lo - from) / PAGE_SIZE,
    });
  }
  return frames;
}
