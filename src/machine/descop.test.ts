// set_gdt, update_descriptor and the CPU's segment loads for a PV guest: code
// placed in a domain built from the hello kernel loads Xen's flat selectors,
// its own GDT and LDT descriptors; an out-of-range selector gives the guest
// #GP(selector) through its trap table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, FLAT_KERNEL_CS, HC } from '../abi/xen';
import { R, SEG_DS, SEG_ES, SEG_FS, PGT_SEG_DESC } from '../shared/layout';
import { callHypercall } from '../hv/hypercalls/index';
import { MMUEXT } from '../hv/hypercalls/mmuext';
import { type MmGuest, ctxFor, l2EntryAddr, makeGuest, mword, peek, poke, setMword, useKernel } from './mmguest.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
  useKernel(readFileSync(join(GUESTS, 'build/tests/hello.elf')));
});

function hc(g: MmGuest, nr: number, ...a: number[]): number | null {
  return callHypercall(ctxFor(g.hv, g.dom, g.v), nr, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0);
}

/** A flat, writable DPL-1 data descriptor with the accessed bit clear. */
const DATA1: [number, number] = [0x0000ffff, 0x00cfb200];

function gdtFrame(g: MmGuest): number {
  const f = g.spare[8];
  setMword(g, f * 4096 + 8, DATA1[0]);
  setMword(g, f * 4096 + 12, DATA1[1]);
  return f;
}

/** Place code at a spare page of the mapped area and point vcpu 0 at it, with a #GP handler. */
function runCode(g: MmGuest, code: number[], steps = 200): { handler: number } {
  const at = g.buf + 0x2000, handler = at + 0x800;
  const bytes = new Uint8Array(code);
  const hm = ctxFor(g.hv, g.dom, g.v).g;
  hm.write(at, bytes);
  hm.write(handler, new Uint8Array([0xeb, 0xfe]));
  g.v.traps[13] = { cs: FLAT_KERNEL_CS, eip: handler, flags: 0 };
  g.v.cpu.r[R.EIP] = at;
  g.hv.unpause(g.dom);
  g.hv.run(steps);
  return { handler };
}

describe('set_gdt', () => {
  it('installs checked frames, releases the old ones, and refuses bad lists', () => {
    const g = makeGuest();
    const f = gdtFrame(g);
    poke(g, g.buf, [f]);
    expect(hc(g, HC.set_gdt, g.buf, 7169)).toBe(-E.EINVAL);
    expect(hc(g, HC.set_gdt, 0x1000, 16)).toBe(-E.EFAULT);
    // A frame mapped writable (the argument page itself) cannot become a GDT frame.
    const bufMfn = g.built.p2m[g.built.layout.mappedPadding.pfn];
    poke(g, g.buf + 16, [bufMfn]);
    expect(hc(g, HC.set_gdt, g.buf + 16, 16)).toBe(-E.EINVAL);
    // A frame holding a refused descriptor (a TSS) cannot either.
    const bad = g.spare[9];
    setMword(g, bad * 4096 + 8, 0x0000ffff);
    setMword(g, bad * 4096 + 12, 0x00008900);
    poke(g, g.buf + 32, [bad]);
    expect(hc(g, HC.set_gdt, g.buf + 32, 16)).toBe(-E.EINVAL);
    expect(g.v.gdtFrames).toEqual([]);

    expect(hc(g, HC.set_gdt, g.buf, 16)).toBe(0);
    expect(g.v.gdtFrames).toEqual([f]);
    expect(g.v.gdtEnts).toBe(16);
    expect(g.hv.mm.ft.type(f)).toBe(PGT_SEG_DESC);
    expect(g.hv.mm.ft.typeCount(f)).toBe(1);
    // A new GDT releases the old frame.
    const f2 = g.spare[10];
    poke(g, g.buf + 48, [f2]);
    expect(hc(g, HC.set_gdt, g.buf + 48, 1)).toBe(0);
    expect(g.hv.mm.ft.typeCount(f)).toBe(0);
    expect(g.v.gdtFrames).toEqual([f2]);
  });
});

describe('update_descriptor', () => {
  it('stores checked descriptors into a GDT frame or a writable page, never a page table', () => {
    const g = makeGuest();
    const f = gdtFrame(g);
    poke(g, g.buf, [f]);
    expect(hc(g, HC.set_gdt, g.buf, 16)).toBe(0);
    // DPL 0 becomes DPL 1.
    expect(hc(g, HC.update_descriptor, f * 4096 + 16, 0, 0x0000ffff, 0x00cf9200)).toBe(0);
    expect(mword(g, f * 4096 + 20)).toBe(0x00cfb200);
    expect(hc(g, HC.update_descriptor, f * 4096 + 20, 0, 0x0000ffff, 0x00cf9200)).toBe(-E.EINVAL);
    expect(hc(g, HC.update_descriptor, f * 4096 + 24, 0, 0x0000ffff, 0x00008900)).toBe(-E.EINVAL);
    expect(hc(g, HC.update_descriptor, g.l3 * 4096 + 64, 0, 0, 0)).toBe(-E.EINVAL);
    expect(hc(g, HC.update_descriptor, g.spare[11] * 4096 + 8, 0, DATA1[0], DATA1[1])).toBe(0);
    expect(hc(g, HC.update_descriptor, 0, 1, DATA1[0], DATA1[1])).toBe(-E.EINVAL);
  });
});

describe('segment loads of a PV guest', () => {
  const MOV_AX = (sel: number) => [0x66, 0xb8, sel & 0xff, sel >>> 8];
  const MOV_DS_AX = [0x8e, 0xd8], MOV_ES_AX = [0x8e, 0xc0], MOV_FS_AX = [0x8e, 0xe0];

  it('loads Xen\'s flat selector and a set_gdt descriptor (accessed bit set in the frame); out of range is #GP(sel)', () => {
    const g = makeGuest();
    const f = gdtFrame(g);
    poke(g, g.buf, [f]);
    expect(hc(g, HC.set_gdt, g.buf, 16)).toBe(0);
    const { handler } = runCode(g, [...MOV_AX(0xe033), ...MOV_DS_AX, ...MOV_AX(0x0009), ...MOV_ES_AX,
      ...MOV_AX(0xf001), ...MOV_FS_AX, 0xeb, 0xfe]);
    const r = g.v.cpu.r;
    expect(r[R.SEG + SEG_DS * 4]).toBe(0xe033);
    expect(r[R.SEG + SEG_ES * 4]).toBe(0x0009);
    expect(r[R.SEG + SEG_FS * 4]).not.toBe(0xf001);
    expect(mword(g, f * 4096 + 12) & 0x100).toBe(0x100);
    expect(r[R.EIP] >>> 0).toBe(handler >>> 0);
    // The bounce frame: error code, EIP, CS, EFLAGS (same ring).
    expect(peek(g, r[R.ESP])).toBe(0xf000);
    expect(g.dom.state).toBe('running');
  });

  it('a selector past gdt_ents reads as a zero descriptor: #GP(sel)', () => {
    const g = makeGuest();
    const f = gdtFrame(g);
    poke(g, g.buf, [f]);
    expect(hc(g, HC.set_gdt, g.buf, 2)).toBe(0);
    runCode(g, [...MOV_AX(0x0019), ...MOV_DS_AX, 0xeb, 0xfe]);
    expect(peek(g, g.v.cpu.r[R.ESP])).toBe(0x0018);
  });

  it('loads LDT descriptors from a read-only mapped page after SET_LDT; the page takes the seg_desc type', () => {
    const g = makeGuest();
    const ldt = g.spare[12], l1 = g.spare[0];
    setMword(g, ldt * 4096 + 8, DATA1[0]);
    setMword(g, ldt * 4096 + 12, DATA1[1]);
    // L1 at mappedEnd, mapping the LDT page read-only at mappedEnd.
    const va = g.built.layout.mappedEnd;
    poke(g, g.buf + 0x100, [l2EntryAddr(g, va), 0, l1 * 4096 | 0x23, 0, l1 * 4096, 0, ldt * 4096 | 0x21, 0]);
    expect(hc(g, HC.mmu_update, g.buf + 0x100, 2, 0, 0x7ff0)).toBe(0);
    poke(g, g.buf + 0x200, [MMUEXT.SET_LDT, va, 4]);
    expect(hc(g, HC.mmuext_op, g.buf + 0x200, 1, 0, 0x7ff0)).toBe(0);
    runCode(g, [...MOV_AX(0x000d), ...MOV_ES_AX, ...MOV_AX(0x0025), ...MOV_DS_AX, 0xeb, 0xfe]);
    const r = g.v.cpu.r;
    expect(r[R.SEG + SEG_ES * 4]).toBe(0x000d);
    expect(g.hv.mm.ft.type(ldt)).toBe(PGT_SEG_DESC);
    // Index 4 is past the 4 entries: #GP(0x24).
    expect(peek(g, r[R.ESP])).toBe(0x0024);
  });
});
