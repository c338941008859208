// mmuext_op on a domain built from the hello test kernel: pins, base pointers,
// flushes, LDT, page clearing and copying, refusals with Xen's errnos, *done.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, HC } from '../abi/xen';
import { R, PGF_PINNED, PGT_L1, PGT_L3 } from '../shared/layout';
import { callHypercall } from '../hv/hypercalls/index';
import { MMUEXT } from '../hv/hypercalls/mmuext';
import { type MmGuest, ctxFor, makeGuest, mword, peek, poke, setMword, useKernel } from './mmguest.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
  useKernel(readFileSync(join(GUESTS, 'build/tests/hello.elf')));
});

function ext(g: MmGuest, ops: [number, number, number][], foreigndom = 0x7ff0): { rc: number | null; done: number } {
  const at = g.buf + 0x100;
  poke(g, g.buf, [0xdead]);
  ops.forEach((op, i) => poke(g, at + i * 12, op));
  const rc = callHypercall(ctxFor(g.hv, g.dom, g.v), HC.mmuext_op, at, ops.length, g.buf, foreigndom, 0);
  return { rc, done: peek(g, g.buf) };
}

describe('mmuext_op', () => {
  it('pins and unpins an L1; pinning twice or unpinning an unpinned table is -EINVAL', () => {
    const g = makeGuest();
    const f = g.spare[0], ft = g.hv.mm.ft;
    expect(ext(g, [[MMUEXT.PIN_L1_TABLE, f, 0]])).toEqual({ rc: 0, done: 1 });
    expect(ft.type(f)).toBe(PGT_L1);
    expect(ft.typeWord(f) & PGF_PINNED).toBeTruthy();
    expect(ext(g, [[MMUEXT.PIN_L1_TABLE, f, 0]]).rc).toBe(-E.EINVAL);
    expect(ext(g, [[MMUEXT.UNPIN_TABLE, f, 0]]).rc).toBe(0);
    expect(ft.typeCount(f)).toBe(0);
    expect(ext(g, [[MMUEXT.UNPIN_TABLE, f, 0]]).rc).toBe(-E.EINVAL);
    // PIN_L4 is ignored for a 32-bit guest, whatever the frame.
    expect(ext(g, [[MMUEXT.PIN_L4_TABLE, 0xfffff, 0]]).rc).toBe(0);
  });

  it('refuses to pin an invalid table and stops there, with done counting what went before', () => {
    const g = makeGuest();
    const bad = g.spare[1];
    setMword(g, bad * 4096, g.l3 * 4096 | 3); // a writable mapping of the L3
    const r = ext(g, [[MMUEXT.PIN_L1_TABLE, g.spare[0], 0], [MMUEXT.PIN_L1_TABLE, bad, 0], [MMUEXT.PIN_L1_TABLE, g.spare[2], 0]]);
    expect(r).toEqual({ rc: -E.EBUSY, done: 1 });
    expect(g.hv.mm.ft.typeCount(bad)).toBe(0);
    expect(g.hv.mm.ft.typeCount(g.spare[2])).toBe(0);
    // Another domain's frame.
    const other = makeGuest({ m: g.m, domid: 2 });
    expect(ext(g, [[MMUEXT.PIN_L1_TABLE, other.spare[0], 0]]).rc).toBe(-E.EINVAL);
  });

  it('NEW_BASEPTR switches CR3 to a new L3 and back; a non-L3 is refused with CR3 unchanged', () => {
    const g = makeGuest();
    const [l3, l2] = [g.spare[4], g.spare[5]];
    // A fresh L3: slot 3 gets a new (empty) L2; Xen's slots are the hypervisor's.
    setMword(g, l3 * 4096 + 24, l2 * 4096 | 1);
    // No *done: after the switch the argument page is no longer mapped.
    poke(g, g.buf + 0x100, [MMUEXT.NEW_BASEPTR, l3, 0]);
    expect(callHypercall(ctxFor(g.hv, g.dom, g.v), HC.mmuext_op, g.buf + 0x100, 1, 0, 0x7ff0, 0)).toBe(0);
    expect(g.v.cpu.r[R.CR3]).toBe(l3 * 4096);
    expect(g.hv.mm.baseptr(g.dom.id, 0)).toBe(l3);
    expect(g.hv.mm.ft.type(l3)).toBe(PGT_L3);
    // Back with MOV CR3 (same path, extended CR3): the new L3's reference goes.
    const ext3 = (m: number) => ((m << 12) | (m >>> 20)) | 0;
    expect(g.hv.setGuestCr3(g.dom, g.v, ext3(g.l3))).toBe(0);
    expect(g.v.cpu.r[R.CR3]).toBe(g.l3 * 4096);
    expect(g.hv.mm.ft.typeCount(l3)).toBe(0);
    expect(ext(g, [[MMUEXT.PIN_L1_TABLE, g.spare[0], 0], [MMUEXT.NEW_BASEPTR, g.spare[0], 0]])).toEqual({ rc: -E.EINVAL, done: 1 });
    expect(g.v.cpu.r[R.CR3]).toBe(g.l3 * 4096);
    expect(g.hv.setGuestCr3(g.dom, g.v, ext3(g.spare[0]))).not.toBe(0);
    expect(g.hv.setGuestCr3(g.dom, g.v, 0x7fff000)).not.toBe(0);
    expect(g.v.cpu.r[R.CR3]).toBe(g.l3 * 4096);
  });

  it('flushes: local, all, a vcpu bitmap (unreadable -> -EINVAL), one page', () => {
    const g = makeGuest({ vcpus: 2 });
    const va = g.buf + 0x1000;
    peek(g, va);
    expect(g.v.cpu.tlb[va >>> 12]).not.toBe(0);
    expect(ext(g, [[MMUEXT.INVLPG_LOCAL, va, 0]]).rc).toBe(0);
    expect(g.v.cpu.tlb[va >>> 12]).toBe(0);
    peek(g, va);
    expect(ext(g, [[MMUEXT.TLB_FLUSH_LOCAL, 0, 0]]).rc).toBe(0);
    expect(g.v.cpu.tlb[va >>> 12]).toBe(0);
    poke(g, g.buf + 0x80, [1]);
    expect(ext(g, [[MMUEXT.TLB_FLUSH_MULTI, 0, g.buf + 0x80], [MMUEXT.INVLPG_MULTI, va, g.buf + 0x80]]).rc).toBe(0);
    expect(ext(g, [[MMUEXT.TLB_FLUSH_MULTI, 0, 0x1000]])).toEqual({ rc: -E.EINVAL, done: 0 });
    expect(ext(g, [[MMUEXT.TLB_FLUSH_ALL, 0, 0], [MMUEXT.INVLPG_ALL, va, 0]]).rc).toBe(0);
  });

  it('refuses cache flushes (-EACCES), bad SET_LDT (-EINVAL), NEW_USER_BASEPTR, MARK_SUPER and unknown commands', () => {
    const g = makeGuest();
    expect(ext(g, [[MMUEXT.FLUSH_CACHE, 0, 0]]).rc).toBe(-E.EACCES);
    expect(ext(g, [[MMUEXT.FLUSH_CACHE_GLOBAL, 0, 0]]).rc).toBe(-E.EACCES);
    expect(ext(g, [[MMUEXT.SET_LDT, 0x1004, 1]]).rc).toBe(-E.EINVAL);
    expect(ext(g, [[MMUEXT.SET_LDT, 0x1000, 8193]]).rc).toBe(-E.EINVAL);
    expect(ext(g, [[MMUEXT.SET_LDT, 0x2000, 16]]).rc).toBe(0);
    expect([g.v.ldtBase, g.v.ldtEnts]).toEqual([0x2000, 16]);
    expect(ext(g, [[MMUEXT.SET_LDT, 0x1234, 0]]).rc).toBe(0);
    expect([g.v.ldtBase, g.v.ldtEnts]).toEqual([0, 0]);
    expect(ext(g, [[MMUEXT.NEW_USER_BASEPTR, g.l3, 0]]).rc).toBe(-E.EINVAL);
    expect(ext(g, [[MMUEXT.MARK_SUPER, 0, 0]]).rc).toBe(-E.EOPNOTSUPP);
    expect(ext(g, [[MMUEXT.UNMARK_SUPER, 0, 0]]).rc).toBe(-E.EOPNOTSUPP);
    expect(ext(g, [[14, 0, 0]]).rc).toBe(-E.ENOSYS);
    expect(ext(g, [[99, 0, 0]]).rc).toBe(-E.ENOSYS);
  });

  it('clears and copies pages it may write; a page table cannot be written', () => {
    const g = makeGuest();
    const [a, b] = [g.spare[6], g.spare[7]];
    setMword(g, a * 4096 + 40, 0xabcd);
    expect(ext(g, [[MMUEXT.COPY_PAGE, b, a]]).rc).toBe(0);
    expect(mword(g, b * 4096 + 40)).toBe(0xabcd);
    expect(ext(g, [[MMUEXT.CLEAR_PAGE, a, 0]]).rc).toBe(0);
    expect(mword(g, a * 4096 + 40)).toBe(0);
    expect(ext(g, [[MMUEXT.CLEAR_PAGE, g.l3, 0]]).rc).toBe(-E.EINVAL);
    expect(ext(g, [[MMUEXT.COPY_PAGE, g.l3, a]]).rc).toBe(-E.EINVAL);
  });

  it('foreigndom: own id or unknown -> -ESRCH, DOMID_IO -> -EINVAL, another domain -> -EPERM', () => {
    const g = makeGuest();
    makeGuest({ m: g.m, domid: 2 });
    const op: [number, number, number] = [MMUEXT.TLB_FLUSH_LOCAL, 0, 0];
    expect(ext(g, [op], 1).rc).toBe(-E.ESRCH);
    expect(ext(g, [op], 55).rc).toBe(-E.ESRCH);
    expect(ext(g, [op], 0x7ff1).rc).toBe(-E.EINVAL);
    expect(ext(g, [op], 2).rc).toBe(-E.EPERM);
    // Early refusals do not write *done.
    expect(ext(g, [op], 2).done).toBe(0xdead);
  });

  it('gives -EFAULT for an unreadable op list', () => {
    const g = makeGuest();
    expect(callHypercall(ctxFor(g.hv, g.dom, g.v), HC.mmuext_op, 0x1000, 1, 0, 0x7ff0, 0)).toBe(-E.EFAULT);
  });
});
