// register_vcpu_info (through vcpu_op) and domain memory destruction, on
// domains built from the hello test kernel.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, HC, SHINFO, VCPUI } from '../abi/xen';
import { FRAME_FREE, PGT_WRITABLE } from '../shared/layout';
import { Machine } from './machine';
import { callHypercall } from '../hv/hypercalls/index';
import { MMUEXT } from '../hv/hypercalls/mmuext';
import { type MmGuest, ctxFor, makeGuest, poke, useKernel } from './mmguest.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
  useKernel(readFileSync(join(GUESTS, 'build/tests/hello.elf')));
});

const VCPUOP_register_vcpu_info = 10;

function register(g: MmGuest, vcpu: number, mfn: number, offset: number): number | null {
  poke(g, g.buf + 0x300, [mfn, 0, offset, 0]);
  return callHypercall(ctxFor(g.hv, g.dom, g.v), HC.vcpu_op, VCPUOP_register_vcpu_info, vcpu, g.buf + 0x300, 0, 0);
}

describe('VCPUOP_register_vcpu_info', () => {
  it('moves vcpu_info into a guest frame once, with a spurious upcall pending and a writable type held', () => {
    const g = makeGuest({ vcpus: 2 });
    const v = g.v, m8 = g.hv.mem.u8, f = g.spare[13];
    m8[v.vcpuInfoAddr + VCPUI.UPCALL_MASK] = 1;
    expect(register(g, 0, f, 4093)).toBe(-E.ENXIO);
    expect(register(g, 0, f, 2)).toBe(-E.ENXIO);
    expect(register(g, 0, g.l3, 64)).toBe(-E.EACCES);
    const other = makeGuest({ m: g.m, domid: 2 });
    expect(register(g, 0, other.spare[0], 64)).toBe(-E.EINVAL);
    expect(register(g, 0, f, 64)).toBe(0);
    const at = f * 4096 + 64;
    expect(v.vcpuInfoAddr).toBe(at);
    expect(m8[at + VCPUI.UPCALL_MASK]).toBe(1);
    expect(m8[at + VCPUI.UPCALL_PENDING]).toBe(1);
    expect(g.hv.mem.i32[(at + VCPUI.PENDING_SEL) >>> 2]).toBe(-1);
    expect(g.hv.sharedInfo.get(g.dom.id)!.vcpuInfoAddr(0)).toBe(at);
    expect(g.hv.mm.ft.type(f)).toBe(PGT_WRITABLE);
    expect(g.hv.mm.ft.typeCount(f)).toBe(1);
    // The time info is published at the new place.
    expect(g.hv.mem.i32[(at + VCPUI.TIME) >>> 2] & 1).toBe(0);
    expect(g.hv.mem.i32[(at + VCPUI.TIME) >>> 2]).not.toBe(0);
    expect(register(g, 0, g.spare[14], 0)).toBe(-E.EBUSY);
    // The frame cannot become a page table while registered.
    poke(g, g.buf + 0x100, [MMUEXT.PIN_L1_TABLE, f, 0]);
    expect(callHypercall(ctxFor(g.hv, g.dom, g.v), HC.mmuext_op, g.buf + 0x100, 1, 0, 0x7ff0, 0)).toBe(-E.EINVAL);
    expect(g.dom.vcpus[1].vcpuInfoAddr).toBe(g.dom.sharedInfoMfn * 4096 + SHINFO.VCPU_INFO + SHINFO.VCPU_INFO_SIZE);
  });
});

describe('destroyDomainMemory (through Hypervisor.destroyDomain)', () => {
  it('50 builds and destructions leave every frame free and the audit clean', () => {
    const m = new Machine({ ramMiB: 48, maxVcpus: 4 });
    const hv = m.hv, ft = hv.mm.ft;
    const owners = (): number[] => Array.from({ length: ft.frames }, (_, i) => ft.owner(i));
    const before = owners();
    for (let k = 0; k < 50; k++) {
      const g = makeGuest({ m, domid: 1, vcpus: 2 });
      // Hold what destruction must let go of: a GDT, a registered vcpu_info, an extra pin.
      const gdt = g.spare[8];
      poke(g, g.buf, [gdt]);
      expect(callHypercall(ctxFor(hv, g.dom, g.v), HC.set_gdt, g.buf, 16, 0, 0, 0)).toBe(0);
      expect(register(g, 1, g.spare[13], 0)).toBe(0);
      poke(g, g.buf + 0x100, [MMUEXT.PIN_L1_TABLE, g.spare[0], 0]);
      expect(callHypercall(ctxFor(hv, g.dom, g.v), HC.mmuext_op, g.buf + 0x100, 1, 0, 0x7ff0, 0)).toBe(0);
      // Hypervisor.destroyDomain: event channels, grants, then destroyDomainMemory.
      const res = hv.destroyDomain(g.dom);
      expect(res.remaining).toEqual([]);
      expect(g.dom.vcpus[0].gdtFrames).toEqual([]);
      expect(g.dom.vcpus[1].vcpuInfoRegistered).toBe(false);
      expect(hv.mm.audit(hv.gnttab.heldReferences())).toEqual([]);
    }
    expect(owners()).toEqual(before);
    expect(before.filter((o) => o === FRAME_FREE).length).toBeGreaterThan(0);
  });
});
