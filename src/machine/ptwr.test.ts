// Writable page tables: guest code in a domain built from the hello kernel
// writes its own L1 through a read-only mapping. With the assist on, checked
// stores land (MOV, the two halves, CMPXCHG8B, LOCK BTR) and execution goes on;
// a store the checks refuse, or any store without the assist, is a #PF for the
// guest with CR2 = the written address.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAT_KERNEL_CS, HC, VMASST } from '../abi/xen';
import { R } from '../shared/layout';
import { callHypercall } from '../hv/hypercalls/index';
import { type MmGuest, ctxFor, l2EntryAddr, makeGuest, mword, peek, poke, useKernel } from './mmguest.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
  useKernel(readFileSync(join(GUESTS, 'build/tests/hello.elf')));
});

/** spare[0] becomes the L1 at mappedEnd; it maps itself read-only at mappedEnd + 0x1000. */
function setup(g: MmGuest, assist: boolean): { l1va: number; va: number } {
  const va = g.built.layout.mappedEnd, l1 = g.spare[0];
  poke(g, g.buf + 0x100, [l2EntryAddr(g, va), 0, l1 * 4096 | 0x67, 0, l1 * 4096 + 8, 0, l1 * 4096 | 0x21, 0]);
  expect(callHypercall(ctxFor(g.hv, g.dom, g.v), HC.mmu_update, g.buf + 0x100, 2, 0, 0x7ff0, 0)).toBe(0);
  if (assist) g.dom.vmAssist |= 1 << VMASST.WRITABLE_PAGETABLES;
  return { l1va: va + 0x1000, va };
}

function run(g: MmGuest, code: number[]): { at: number; handler: number } {
  const at = g.buf + 0x2000, handler = at + 0x800;
  const hm = ctxFor(g.hv, g.dom, g.v).g;
  hm.write(at, new Uint8Array(code));
  hm.write(handler, new Uint8Array([0xeb, 0xfe]));
  g.v.traps[14] = { cs: FLAT_KERNEL_CS, eip: handler, flags: 0 };
  g.v.cpu.r[R.EIP] = at;
  g.hv.unpause(g.dom);
  g.hv.run(300);
  return { at, handler };
}

const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** movl $imm, addr */
const MOVL = (addr: number, imm: number) => [0xc7, 0x05, ...le(addr), ...le(imm)];
/** mov addr, %ebx */
const LOAD_EBX = (addr: number) => [0x8b, 0x1d, ...le(addr)];

describe('writable page tables', () => {
  it('emulates the two 32-bit halves of a PTE store and the new mapping works', () => {
    const g = makeGuest();
    const { l1va, va } = setup(g, true);
    const data = g.spare[1];
    g.hv.mem.i32[data * 1024 + 4] = 0x5a5a;
    const entry = l1va + 2 * 8;
    const { handler } = run(g, [...MOVL(entry + 4, 0), ...MOVL(entry, data * 4096 | 0x23), ...LOAD_EBX(va + 0x2010), 0xeb, 0xfe]);
    const r = g.v.cpu.r;
    expect(r[R.EIP]).not.toBe(handler);
    expect(mword(g, g.spare[0] * 4096 + 16) & ~0x60).toBe(data * 4096 | 0x03);
    expect(r[R.EBX]).toBe(0x5a5a);
    expect(g.hv.mm.audit(g.hv.gnttab.heldReferences())).toEqual([]);
  });

  it('CMPXCHG8B and LOCK BTR on an entry set flags and registers as the instruction does', () => {
    const g = makeGuest();
    const { l1va } = setup(g, true);
    const data = g.spare[1], entry = l1va + 3 * 8;
    // edx:eax = 0 (expected), ecx:ebx = new entry; cmpxchg8b (entry); lock btrl $1, (entry)
    run(g, [0x31, 0xc0, 0x31, 0xd2, 0x31, 0xc9, 0xbb, ...le(data * 4096 | 0x23),
      0x0f, 0xc7, 0x0d, ...le(entry), 0xf0, 0x0f, 0xba, 0x35, ...le(entry), 1, 0xeb, 0xfe]);
    const r = g.v.cpu.r;
    expect(mword(g, g.spare[0] * 4096 + 24)).toBe(data * 4096 | 0x21);
    expect(r[R.EFLAGS] & 1).toBe(1); // BTR: CF = the old RW bit
    expect(g.hv.mm.ft.typeCount(data)).toBe(0);
  });

  it('refuses a writable mapping of a page table: #PF to the guest, entry unchanged', () => {
    const g = makeGuest();
    const { l1va } = setup(g, true);
    const entry = l1va + 4 * 8;
    const { at, handler } = run(g, [...MOVL(entry, g.l3 * 4096 | 0x23), 0xeb, 0xfe]);
    const r = g.v.cpu.r;
    expect(r[R.EIP] >>> 0).toBe(handler >>> 0);
    expect(mword(g, g.spare[0] * 4096 + 32)).toBe(0);
    expect(g.v.cr2 >>> 0).toBe(entry >>> 0);
    // Bounce frame: error code (present, write), the faulting EIP.
    expect(peek(g, r[R.ESP])).toBe(3);
    expect(peek(g, r[R.ESP] + 4)).toBe(at >>> 0);
  });

  it('without the assist the write faults to the guest', () => {
    const g = makeGuest();
    const { l1va } = setup(g, false);
    const { handler } = run(g, [...MOVL(l1va + 16, g.spare[1] * 4096 | 0x23), 0xeb, 0xfe]);
    expect(g.v.cpu.r[R.EIP] >>> 0).toBe(handler >>> 0);
    expect(mword(g, g.spare[0] * 4096 + 16)).toBe(0);
  });
});
