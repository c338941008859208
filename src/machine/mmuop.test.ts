// mmu_update and update_va_mapping on a domain built from the hello test
// kernel: entries installed and refused with Xen's errnos, *done counting,
// foreigndom rules, continuations past a batch, UVMF flushes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, HC } from '../abi/xen';
import { R, PGT_L1, PGT_WRITABLE } from '../shared/layout';
import { callHypercall } from '../hv/hypercalls/index';
import { MMU_BATCH, MMU_UPDATE_PREEMPTED } from '../hv/hypercalls/mmu';
import { type MmGuest, ctxFor, l2EntryAddr, makeGuest, mword, peek, poke, useKernel } from './mmguest.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
  useKernel(readFileSync(join(GUESTS, 'build/tests/hello.elf')));
});

const P = 1, RW = 2, A = 0x20;

function hc(g: MmGuest, nr: number, ...a: number[]): number | null {
  // A fresh context per call, as the dispatcher makes one per hypercall.
  return callHypercall(ctxFor(g.hv, g.dom, g.v), nr, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0);
}

/** Requests at g.buf + 0x100; *done at g.buf. */
function mmuUpdate(g: MmGuest, reqs: [number, number][], foreigndom = 0x7ff0): { rc: number | null; done: number } {
  const at = g.buf + 0x100;
  poke(g, g.buf, [0xdead]);
  reqs.forEach(([ptr, val], i) => poke(g, at + i * 16, [ptr, 0, val, 0]));
  const rc = hc(g, HC.mmu_update, at, reqs.length, g.buf, foreigndom);
  return { rc, done: peek(g, g.buf) };
}

/** Hook spare[0] in as the L1 for the 2 MiB at mappedEnd; returns that VA. */
function installL1(g: MmGuest): number {
  const va = g.built.layout.mappedEnd;
  const { rc } = mmuUpdate(g, [[l2EntryAddr(g, va), g.spare[0] * 4096 | P | RW | A]]);
  expect(rc).toBe(0);
  return va;
}

describe('mmu_update', () => {
  it('installs an L1 in the L2 and a mapping in the L1, counting done', () => {
    const g = makeGuest();
    const va = installL1(g);
    expect(g.hv.mm.ft.type(g.spare[0])).toBe(PGT_L1);
    const data = g.spare[1];
    g.hv.mem.i32[data * 1024] = 0x12345678;
    const r = mmuUpdate(g, [[g.spare[0] * 4096, data * 4096 | P | RW | A]]);
    expect(r).toEqual({ rc: 0, done: 1 });
    expect(peek(g, va)).toBe(0x12345678);
    expect(g.hv.mm.ft.type(data)).toBe(PGT_WRITABLE);
  });

  it('refuses a writable mapping of a page table (-EBUSY) and stops at the first error', () => {
    const g = makeGuest();
    installL1(g);
    const l1 = g.spare[0] * 4096;
    const r = mmuUpdate(g, [
      [l1 + 8, g.spare[1] * 4096 | P | A],
      [l1 + 16, g.l3 * 4096 | P | RW | A],
      [l1 + 24, g.spare[2] * 4096 | P | A],
    ]);
    expect(r).toEqual({ rc: -E.EBUSY, done: 1 });
    expect(mword(g, l1 + 16)).toBe(0);
    expect(mword(g, l1 + 24)).toBe(0);
    // Read-only is fine.
    expect(mmuUpdate(g, [[l1 + 16, g.l3 * 4096 | P | A]]).rc).toBe(0);
  });

  it('refuses another domain\'s frame, and foreign owners for a domU', () => {
    const g = makeGuest();
    const other = makeGuest({ m: g.m, domid: 2 });
    installL1(g);
    const l1 = g.spare[0] * 4096;
    expect(mmuUpdate(g, [[l1, other.spare[1] * 4096 | P | A]])).toEqual({ rc: -E.EBUSY, done: 0 });
    // foreigndom naming another domain: -EPERM at the first request (XSM default).
    expect(mmuUpdate(g, [[l1, g.spare[1] * 4096 | P | A]], 2)).toEqual({ rc: -E.EPERM, done: 0 });
    expect(mmuUpdate(g, [[l1, g.spare[1] * 4096 | P | A]], (2 + 1) << 16 | 0x7ff0)).toEqual({ rc: -E.EPERM, done: 0 });
    // Its own domid named explicitly, or an unknown domain: -ESRCH before anything is done.
    expect(mmuUpdate(g, [[l1, g.spare[1] * 4096 | P | A]], 1).rc).toBe(-E.ESRCH);
    expect(mmuUpdate(g, [[l1, g.spare[1] * 4096 | P | A]], 77).rc).toBe(-E.ESRCH);
    expect(mmuUpdate(g, [[l1, g.spare[1] * 4096 | P | A]], 9 << 16).rc).toBe(-E.ESRCH);
    expect(mword(g, l1)).toBe(0);
  });

  it('gives -EFAULT for an unreadable request list, -ENOSYS for unknown commands', () => {
    const g = makeGuest();
    expect(hc(g, HC.mmu_update, 0x1000, 1, 0, 0x7ff0)).toBe(-E.EFAULT);
    expect(hc(g, HC.mmu_update, 0xf57ff000, 0x200, 0, 0x7ff0)).toBe(-E.EFAULT);
    expect(mmuUpdate(g, [[g.spare[0] * 4096 | 5, 0]]).rc).toBe(-E.ENOSYS);
  });

  it('MMU_MACHPHYS_UPDATE sets the M2P of its own frame only', () => {
    const g = makeGuest();
    const other = makeGuest({ m: g.m, domid: 2 });
    expect(mmuUpdate(g, [[g.spare[3] * 4096 | 1, 0x1234]]).rc).toBe(0);
    expect(g.hv.mm.ft.m2pGet(g.spare[3])).toBe(0x1234);
    expect(mmuUpdate(g, [[other.spare[3] * 4096 | 1, 0x1234]]).rc).toBe(-E.EINVAL);
  });

  it('continues a long batch with MMU_UPDATE_PREEMPTED and keeps *done across the pieces', () => {
    const g = makeGuest();
    const n = MMU_BATCH + 40, at = g.buf + 0x100;
    for (let i = 0; i < n; i++) poke(g, at + i * 16, [g.spare[3] * 4096 | 1, 0, i, 0]);
    poke(g, g.buf, [0]);
    const r = g.v.cpu.r;
    r[R.EIP] = 0x1000;
    r[R.EAX] = HC.mmu_update;
    const rc = hc(g, HC.mmu_update, at, n, g.buf, 0x7ff0);
    expect(rc).toBe(HC.mmu_update);
    expect(r[R.EIP]).toBe(0x1000 - 2);
    expect(r[R.EBX] >>> 0).toBe(at + MMU_BATCH * 16);
    expect(r[R.ECX] >>> 0).toBe((40 | MMU_UPDATE_PREEMPTED) >>> 0);
    expect(peek(g, g.buf)).toBe(MMU_BATCH);
    expect(hc(g, HC.mmu_update, r[R.EBX], r[R.ECX], r[R.EDX], r[R.ESI])).toBe(0);
    expect(peek(g, g.buf)).toBe(n);
    expect(g.hv.mm.ft.m2pGet(g.spare[3])).toBe(n - 1);
  });
});

describe('update_va_mapping', () => {
  it('changes the entry for a VA through the current tables, flushing as asked', () => {
    const g = makeGuest();
    const va = installL1(g);
    const [d1, d2] = [g.spare[1], g.spare[2]];
    g.hv.mem.i32[d1 * 1024] = 111;
    g.hv.mem.i32[d2 * 1024] = 222;
    expect(hc(g, HC.update_va_mapping, va, d1 * 4096 | P | RW | A, 0, 2)).toBe(0);
    expect(peek(g, va)).toBe(111);
    // UVMF_NONE: the TLB keeps the old translation (the guest flushes later).
    expect(hc(g, HC.update_va_mapping, va, d2 * 4096 | P | RW | A, 0, 0)).toBe(0);
    expect(peek(g, va)).toBe(111);
    // UVMF_INVLPG | UVMF_ALL.
    expect(hc(g, HC.update_va_mapping, va, d2 * 4096 | P | RW | A, 0, 2 | 4)).toBe(0);
    expect(peek(g, va)).toBe(222);
    expect(mword(g, g.spare[0] * 4096)).toBe(d2 * 4096 | P | RW | A);
  });

  it('refuses a VA without an L1 (-EINVAL), a page table mapped writable (-EBUSY), and flushes nothing then', () => {
    const g = makeGuest();
    const va = installL1(g);
    expect(hc(g, HC.update_va_mapping, 0x40000000, g.spare[1] * 4096 | P, 0, 1)).toBe(-E.EINVAL);
    expect(hc(g, HC.update_va_mapping, va, g.l3 * 4096 | P | RW, 0, 1)).toBe(-E.EBUSY);
  });

  it('reads a vcpu bitmap for UVMF_MULTI: unreadable -> -EFAULT with the entry changed', () => {
    const g = makeGuest();
    const va = installL1(g);
    poke(g, g.buf, [1]);
    expect(hc(g, HC.update_va_mapping, va, g.spare[1] * 4096 | P | A, 0, g.buf | 1)).toBe(0);
    expect(hc(g, HC.update_va_mapping, va, g.spare[2] * 4096 | P | A, 0, 0x2000 | 1)).toBe(-E.EFAULT);
    expect(mword(g, g.spare[0] * 4096)).toBe(g.spare[2] * 4096 | P | A);
  });

  it('update_va_mapping_otherdomain: own id -> -ESRCH, another domain -> -EPERM, DOMID_SELF works', () => {
    const g = makeGuest();
    makeGuest({ m: g.m, domid: 2 });
    const va = installL1(g);
    expect(hc(g, HC.update_va_mapping_otherdomain, va, g.spare[1] * 4096 | P, 0, 0, 1)).toBe(-E.ESRCH);
    expect(hc(g, HC.update_va_mapping_otherdomain, va, g.spare[1] * 4096 | P, 0, 0, 2)).toBe(-E.EPERM);
    expect(hc(g, HC.update_va_mapping_otherdomain, va, g.spare[1] * 4096 | P, 0, 0, 0x7ff0)).toBe(0);
  });
});
