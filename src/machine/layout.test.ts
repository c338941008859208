import { describe, expect, it } from 'vitest';
import { parseXenElf, type XenImage } from './elf';
import { BOOT_L1E_FLAGS, BOOT_L1E_RO_FLAGS, bootEntryFlags, computeLayout, LayoutError } from './layout';
import { BASE, buildElf, standardNotes } from './elfimage.testutil';
import { SIF_MOD_START_PFN } from '../abi/xen';

/** The image of the worked example (2.3): 10 MiB kernel at p_paddr 16 MiB, VIRT_BASE 0xC0000000. */
function example(over: Partial<XenImage> = {}): XenImage {
  const img = parseXenElf(buildElf({
    entry: 0xc1000000,
    segments: [{ paddr: 0x01000000, filesz: 0x100, memsz: 0x00a00000 }],
    notes: standardNotes({ ENTRY: 0xc1000000, HYPERCALL_PAGE: 0xc1001000 }),
  }));
  return { ...img, ...over };
}

describe('computeLayout: the worked example of 2.3', () => {
  const l = computeLayout(example(), { nrPages: 65536 });

  it('places every object at the PFN and VA the builder would', () => {
    const table = {
      padding: [l.padding.pfn, l.padding.pages, l.padding.va],
      kernel: [l.kernel.pfn, l.kernel.pages, l.kernel.va],
      p2m: [l.p2m.pfn, l.p2m.pages, l.p2m.va],
      startInfo: [l.startInfo.pfn, l.startInfo.pages, l.startInfo.va],
      xenstore: [l.xenstore.pfn, l.xenstore.pages, l.xenstore.va],
      console: [l.console.pfn, l.console.pages, l.console.va],
      pageTables: [l.pageTables.pfn, l.pageTables.pages, l.pageTables.va],
      bootStack: [l.bootStack.pfn, l.bootStack.pages, l.bootStack.va],
      mappedPadding: [l.mappedPadding.pfn, l.mappedPadding.pages, l.mappedPadding.va],
    };
    expect(table).toEqual({
      padding: [0x0000, 0x1000, 0xc0000000],
      kernel: [0x1000, 0xa00, 0xc1000000],
      p2m: [0x1a00, 0x40, 0xc1a00000],
      startInfo: [0x1a40, 1, 0xc1a40000],
      xenstore: [0x1a41, 1, 0xc1a41000],
      console: [0x1a42, 1, 0xc1a42000],
      pageTables: [0x1a43, 16, 0xc1a43000],
      bootStack: [0x1a53, 1, 0xc1a53000],
      mappedPadding: [0x1a54, 0x1c00 - 0x1a54, 0xc1a54000],
    });
    expect(l.initrd).toBeUndefined();
    expect(l.allocatedPages).toBe(0x1c00);
  });

  it('builds 16 bootstrap tables: the L3, one L2 (slot 3) and 14 L1s', () => {
    expect(l.nrPtFrames).toBe(16);
    expect(l.ptBase).toBe(0xc1a43000);
    expect(l.mappedEnd).toBe(0xc1c00000);
    const [l3, l2, ...l1s] = l.ptFrames;
    // L3 slots 0-2 empty, slot 3 -> the L2.
    expect(l3).toEqual({ level: 3, pfn: 0x1a43, base: 0, firstSlot: 3, count: 1, firstPfn: 0x1a44 });
    // The L2 for 0xC0000000-0xFFFFFFFF: 14 entries for 0xC0000000-0xC1BFFFFF, pointing at the L1s.
    expect(l2).toEqual({ level: 2, pfn: 0x1a44, base: 0xc0000000, firstSlot: 0, count: 14, firstPfn: 0x1a45 });
    expect(l1s).toHaveLength(14);
    l1s.forEach((f, j) => expect(f).toEqual({
      level: 1, pfn: 0x1a45 + j, base: 0xc0000000 + j * 0x200000, firstSlot: 0, count: 512, firstPfn: j * 512,
    }));
    expect(l1s[13].pfn).toBe(0x1a52);
  });

  it('maps the page tables read-only and everything else read-write', () => {
    expect(bootEntryFlags(l, 1, 0x1a43)).toBe(BOOT_L1E_RO_FLAGS);
    expect(bootEntryFlags(l, 1, 0x1a52)).toBe(BOOT_L1E_RO_FLAGS);
    expect(bootEntryFlags(l, 1, 0x1a53)).toBe(BOOT_L1E_FLAGS);
    expect(bootEntryFlags(l, 1, 0x1a42)).toBe(BOOT_L1E_FLAGS);
    expect(bootEntryFlags(l, 2, 0x1a45)).toBe(0x67);
    expect(bootEntryFlags(l, 3, 0x1a44)).toBe(0x67);
  });

  it('gives the initial registers and start_info values', () => {
    expect(l.regs).toEqual({ eip: 0xc1000000, esp: 0xc1a54000, esi: 0xc1a40000 });
    expect(l.hypercallPfn).toBe(0x1001);
    expect([l.siFlags, l.modStart, l.modLen]).toEqual([0, 0, 0]);
  });
});

describe('computeLayout: edge cases', () => {
  it('needs no padding when the kernel starts at VIRT_BASE', () => {
    const img = parseXenElf(buildElf());
    const l = computeLayout(img, { nrPages: 4096 });
    expect(l.padding.pages).toBe(0);
    expect(l.kernel).toEqual({ pfn: 0, pages: 3, va: BASE });
    expect(l.p2m).toEqual({ pfn: 3, pages: 4, va: BASE + 0x3000 });
    // 1 L3 + 1 L2 + 2 L1s for 0xC0000000-0xC03FFFFF.
    expect(l.nrPtFrames).toBe(4);
    expect(l.mappedEnd).toBe(BASE + 0x400000);
    expect(l.regs.esp).toBe(l.bootStack.va + 0x1000);
  });

  it('maps an initrd after the kernel', () => {
    const l = computeLayout(example(), { nrPages: 65536, initrdBytes: 0x12345 });
    expect(l.initrd).toEqual({ pfn: 0x1a00, pages: 0x13, va: 0xc1a00000, mapped: true });
    expect(l.p2m.pfn).toBe(0x1a13);
    expect([l.siFlags, l.modStart, l.modLen]).toEqual([0, 0xc1a00000, 0x12345]);
  });

  it('leaves the initrd unmapped after the mapped area when the kernel has MOD_START_PFN', () => {
    const l = computeLayout(example({ modStartPfn: true }), { nrPages: 65536, initrdBytes: 0x12345 });
    expect(l.p2m.pfn).toBe(0x1a00);
    expect(l.initrd).toEqual({ pfn: 0x1c00, pages: 0x13, va: 0xc1c00000, mapped: false });
    expect([l.siFlags, l.modStart, l.modLen]).toEqual([SIF_MOD_START_PFN, 0x1c00, 0x13000]);
    const forced = computeLayout(example({ modStartPfn: true }), { nrPages: 65536, initrdBytes: 10, mapInitrd: true });
    expect(forced.initrd?.mapped).toBe(true);
  });

  it('adds L2s for every 1 GiB slot from VIRT_BASE to slot 3 for a low kernel', () => {
    const img = parseXenElf(buildElf({
      entry: 0x100000, segments: [{ paddr: 0x100000, filesz: 0x10, memsz: 0x1000 }],
      notes: standardNotes({ VIRT_BASE: 0, ENTRY: 0x100000, HYPERCALL_PAGE: null }),
    }));
    const l = computeLayout(img, { nrPages: 8192 });
    expect(l.padding.pages).toBe(0x100);
    const l3 = l.ptFrames[0];
    expect(l3).toMatchObject({ firstSlot: 0, count: 4 });
    const l2s = l.ptFrames.filter((f) => f.level === 2);
    expect(l2s.map((f) => f.count)).toEqual([2, 0, 0, 0]);
    expect(l.nrPtFrames).toBe(1 + 4 + 2);
  });

  it('refuses memory too small for the kernel or for the initial mapping', () => {
    expect(() => computeLayout(example(), { nrPages: 0x1000 })).toThrow(/not enough memory: the kernel needs 2560 pages/);
    expect(() => computeLayout(example(), { nrPages: 0x1b00 })).toThrow(/not enough memory for the initial mapping/);
    expect(() => computeLayout(example(), { nrPages: 0 })).toThrow(LayoutError);
    expect(() => computeLayout(example(), { nrPages: 1.5 })).toThrow(/whole number of pages/);
  });

  it('refuses an initial mapping that reaches the hypervisor hole', () => {
    const high = 0xf5780000;
    const img = parseXenElf(buildElf({
      entry: high, notes: standardNotes({ VIRT_BASE: high, ENTRY: high, HYPERCALL_PAGE: high + 0x1000 }),
    }));
    expect(() => computeLayout(img, { nrPages: 4096 })).toThrow(/reaches into the hypervisor hole at 0xf5800000/);
    const ok = 0xf5000000;
    const fits = parseXenElf(buildElf({ entry: ok, notes: standardNotes({ VIRT_BASE: ok, ENTRY: ok, HYPERCALL_PAGE: null }) }));
    expect(computeLayout(fits, { nrPages: 4096 }).mappedEnd).toBe(0xf5400000);
  });

  it('refuses a kernel that does not start on a page boundary', () => {
    expect(() => computeLayout(example({ virtKstart: 0xc1000800 }), { nrPages: 65536 })).toThrow(/not on a page boundary/);
  });
});
