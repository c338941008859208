// Trap and privileged-instruction handling for a 32-bit PV guest, driven
// through handleExit on a real domain built from guests/tests/hello.elf: the
// exit state the CPU would leave is set by hand, then we look at where the
// vcpu resumes. ABI facts pinned here (xen-pv32-abi.md 6.7, 6.13):
// - from guest user mode, CLI/STI are emulated when the virtual IOPL is 3
//   (with or without architectural IOPL) and are #GP(0) otherwise;
// - other privileged instructions from user mode are #GP(0);
// - CPUID faulting: PLATFORM_INFO bit 31 is set, MISC_FEATURES_ENABLES bit 0
//   enables it (other bits #GP), then CPUID in user mode, plain or behind the
//   forced-emulation prefix, is #GP(0) (the forced one at the CPUID opcode);
//   the kernel's CPUID is always answered;
// - the forced-emulation prefix works from user mode too;
// - a #UD whose signature bytes cannot be read is #PF(0) at the first
//   unreadable byte.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { R, SEG_CS, SEG_SS } from '../shared/layout';
import { EXIT_CPUID, EXIT_EXCEPTION, EXIT_PRIV } from '../cpu/defs';
import { FLAT_KERNEL_CS, FLAT_KERNEL_SS, FLAT_USER_CS, FLAT_USER_SS, VMASST } from '../abi/xen';
import { Machine } from './machine';
import { pvLoadSeg } from '../hv/desc';
import { GuestMem } from '../hv/guestmem';
import type { Domain } from '../hv/domain';
import type { Vcpu } from '../hv/vcpu';
import { handleExit } from '../hv/traps/exits';

const ROOT = resolve(__dirname, '../..');
let kernel: Uint8Array;

beforeAll(() => {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/tests/hello.elf'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building guests/tests/hello.elf failed:\n${res.stdout}${res.stderr}`);
  kernel = readFileSync(resolve(ROOT, 'guests/build/tests/hello.elf'));
});

const HANDLER = [0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0, 0, 0, 0, 0, 0xd00, 0xe00];

interface Rig {
  m: Machine;
  dom: Domain;
  v: Vcpu;
  /** Where test code is written; trap handlers sit at HANDLER[n] above it. */
  code: number;
  /** First virtual address past the initial mapping (not mapped). */
  unmapped: number;
}

function rig(): Rig {
  const m = new Machine({ ramMiB: 32 });
  const built = m.createGuest({ name: 'privop', kernel, memMiB: 8 });
  const { dom } = built, v = dom.vcpus[0], L = built.layout;
  // Free mapped RAM after the boot stack: test code in its first page, handlers in the next.
  const code = L.mappedPadding.va, base = code + 0x1000;
  for (const vec of [1, 3, 6, 13, 14]) v.traps[vec] = { cs: FLAT_KERNEL_CS, eip: base + HANDLER[vec], flags: 0 };
  v.kernelSs = FLAT_KERNEL_SS;
  v.kernelSp = L.bootStack.va + L.bootStack.pages * 4096;
  return { m, dom, v, code, unmapped: L.mappedEnd };
}

function write(r: Rig, va: number, bytes: number[]): void {
  const g = new GuestMem(r.v.cpu);
  bytes.forEach((b, k) => g.setU8(va + k, b));
  expect(g.ok).toBe(true);
}

function enter(r: Rig, user: boolean, eip: number): void {
  const c = r.v.cpu, m32 = c.m32;
  expect(pvLoadSeg(r.v, m32, SEG_CS, user ? FLAT_USER_CS : FLAT_KERNEL_CS)).toBe(true);
  expect(pvLoadSeg(r.v, m32, SEG_SS, user ? FLAT_USER_SS : FLAT_KERNEL_SS)).toBe(true);
  c.setCpl(user ? 3 : 1);
  c.r[R.EIP] = eip;
  c.r[R.ESP] = r.v.kernelSp - 0x400;
}

/** Leave the CPU as it does after `reason` at EIP, then let the hypervisor handle it. */
function exit(r: Rig, reason: number, vector = 0, error = 0, nextEip = 0): void {
  const c = r.v.cpu;
  c.r[R.EXIT_VECTOR] = vector;
  c.r[R.EXIT_ERROR] = error;
  c.r[R.EXIT_NEXT_EIP] = nextEip;
  handleExit(r.m.hv, r.dom, r.v, reason);
  expect(r.dom.crashReason).toBe('');
}

function eipNow(r: Rig): number {
  return r.v.cpu.r[R.EIP] >>> 0;
}

/** The vector whose handler the vcpu now sits at, or -1 if it resumed elsewhere. */
function trappedTo(r: Rig): number {
  const eip = r.v.cpu.r[R.EIP] >>> 0;
  return r.v.traps.findIndex((t, vec) => t.cs !== 0 && t.eip >>> 0 === eip && vec < HANDLER.length);
}

/** The error code of the frame the last bounce pushed. */
function frameError(r: Rig): number {
  const g = new GuestMem(r.v.cpu);
  return g.u32(r.v.cpu.r[R.ESP]);
}

describe('user-mode CLI/STI against the virtual IOPL', () => {
  for (const op of [0xfa, 0xfb]) {
    for (const iopl of [0, 1, 3]) {
      it(`${op === 0xfa ? 'CLI' : 'STI'} at vIOPL ${iopl}`, () => {
        const r = rig();
        r.v.iopl = iopl;
        write(r, r.code, [op, 0x90]);
        enter(r, true, r.code);
        exit(r, EXIT_EXCEPTION, 13, 0);
        if (iopl === 3) {
          expect(eipNow(r)).toBe(r.code + 1);
          expect(r.v.cpu.r[R.CPL]).toBe(3);
        } else {
          expect(trappedTo(r)).toBe(13);
          expect(frameError(r)).toBe(0);
        }
      });
    }
  }

  it('kernel CLI with architectural IOPL is allowed at vIOPL 0 (the kernel counts as ring 0)', () => {
    const r = rig();
    r.dom.vmAssist |= 1 << VMASST.ARCHITECTURAL_IOPL;
    write(r, r.code, [0xfa]);
    enter(r, false, r.code);
    exit(r, EXIT_EXCEPTION, 13, 0);
    expect(eipNow(r)).toBe(r.code + 1);
  });

  it('other privileged instructions from user mode stay #GP(0), even at vIOPL 3', () => {
    const r = rig();
    r.v.iopl = 3;
    write(r, r.code, [0x0f, 0x06]); // CLTS
    r.v.virtualTs = true;
    enter(r, true, r.code);
    exit(r, EXIT_EXCEPTION, 13, 0);
    expect(trappedTo(r)).toBe(13);
    expect(r.v.virtualTs).toBe(true);
  });
});

describe('CPUID faulting', () => {
  function rdmsr(r: Rig, msr: number): [number, number] | 'gp' {
    write(r, r.code, [0x0f, 0x32]);
    enter(r, false, r.code);
    r.v.cpu.r[R.ECX] = msr;
    exit(r, EXIT_PRIV);
    if (eipNow(r) !== r.code + 2) return 'gp';
    return [r.v.cpu.r[R.EAX] >>> 0, r.v.cpu.r[R.EDX] >>> 0];
  }
  function wrmsr(r: Rig, msr: number, lo: number, hi = 0): boolean {
    write(r, r.code, [0x0f, 0x30]);
    enter(r, false, r.code);
    Object.assign(r.v.cpu.r, { [R.ECX]: msr, [R.EAX]: lo, [R.EDX]: hi });
    exit(r, EXIT_PRIV);
    return eipNow(r) === r.code + 2;
  }
  function cpuid(r: Rig, user: boolean): 'gp' | number {
    write(r, r.code, [0x0f, 0xa2]);
    enter(r, user, r.code);
    r.v.cpu.r[R.EAX] = 0;
    exit(r, EXIT_CPUID, 0, 0, r.code + 2);
    if (trappedTo(r) === 13) return 'gp';
    expect(eipNow(r)).toBe(r.code + 2);
    return r.v.cpu.r[R.EBX];
  }
  const FEP = [0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2];
  function forced(r: Rig, user: boolean): 'gp' | number {
    write(r, r.code, FEP);
    enter(r, user, r.code);
    r.v.cpu.r[R.EAX] = 0;
    exit(r, EXIT_EXCEPTION, 6, 0);
    if (trappedTo(r) === 13) {
      // The fault is reported at the CPUID opcode, after the signature.
      const g = new GuestMem(r.v.cpu);
      expect(g.u32(r.v.cpu.r[R.ESP] + 4) >>> 0).toBe(r.code + 5);
      return 'gp';
    }
    expect(eipNow(r)).toBe(r.code + 7);
    return r.v.cpu.r[R.EBX];
  }

  it('is advertised, off at start, and only bit 0 of MISC_FEATURES_ENABLES exists', () => {
    const r = rig();
    expect(rdmsr(r, 0xce)).toEqual([0x80000000, 0]);
    expect(rdmsr(r, 0x140)).toEqual([0, 0]);
    expect(wrmsr(r, 0x140, 2)).toBe(false);
    expect(wrmsr(r, 0x140, 1, 1)).toBe(false);
    expect(wrmsr(r, 0x140, 1)).toBe(true);
    expect(rdmsr(r, 0x140)).toEqual([1, 0]);
  });

  it('off: CPUID answers in both modes, forced or not', () => {
    const r = rig();
    expect(cpuid(r, false)).toBe(0x756e6547);
    expect(cpuid(r, true)).toBe(0x756e6547);
    expect(forced(r, false)).toBe(0x756e6547);
    expect(forced(r, true)).toBe(0x756e6547);
  });

  it('on: user-mode CPUID is #GP(0), the kernel is still answered; off again restores it', () => {
    const r = rig();
    expect(wrmsr(r, 0x140, 1)).toBe(true);
    expect(cpuid(r, false)).toBe(0x756e6547);
    expect(forced(r, false)).toBe(0x756e6547);
    expect(cpuid(r, true)).toBe('gp');
    expect(frameError(r)).toBe(0);
    expect(forced(r, true)).toBe('gp');
    expect(wrmsr(r, 0x140, 0)).toBe(true);
    expect(cpuid(r, true)).toBe(0x756e6547);
  });
});

describe('#UD', () => {
  it('without the signature is the guest\'s #UD', () => {
    const r = rig();
    write(r, r.code, [0x0f, 0x0b, 0x90, 0x90, 0x90, 0x90, 0x90]);
    enter(r, true, r.code);
    exit(r, EXIT_EXCEPTION, 6, 0);
    expect(trappedTo(r)).toBe(6);
  });

  it('whose signature runs into an unmapped page is #PF(0) at the first unreadable byte', () => {
    const r = rig();
    const at = r.unmapped - 2;
    write(r, at, [0x0f, 0x0b]);
    enter(r, false, at);
    exit(r, EXIT_EXCEPTION, 6, 0);
    expect(trappedTo(r)).toBe(14);
    expect(frameError(r)).toBe(0);
    expect(r.v.cr2 >>> 0).toBe(r.unmapped >>> 0);
  });
});
