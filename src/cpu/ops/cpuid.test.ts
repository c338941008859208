import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import {
  CR4_TSD, EXIT_CPUID, EXIT_EXCEPTION, EXIT_LIMIT, EXIT_MSR, EXIT_RDTSC, GP, IF, INT_CPUID, INT_MSR, INT_PRIV,
  INT_RDTSC,
} from '../defs';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000;
const CPUID = [0x0f, 0xa2], RDTSC = [0x0f, 0x31], RDMSR = [0x0f, 0x32], WRMSR = [0x0f, 0x30];

function machine(cpl = 0): TestMachine {
  const m = testMachine({ cpl });
  m.cpu.interceptExc = -1;
  return m;
}

function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}

function expectGP(m: TestMachine, reason: number): void {
  expect(reason).toBe(EXIT_EXCEPTION);
  expect(m.cpu.r[R.EXIT_VECTOR]).toBe(GP);
  expect(m.cpu.r[R.EXIT_ERROR]).toBe(0);
  expect(m.cpu.r[R.EIP]).toBe(CODE);
}

function cpuid(leaf: number, cpl = 3): number[] {
  const m = machine(cpl);
  m.cpu.r[R.EAX] = leaf;
  expect(exec(m, CPUID)).toBe(EXIT_LIMIT);
  return [m.cpu.r[R.EAX] >>> 0, m.cpu.r[R.EBX] >>> 0, m.cpu.r[R.ECX] >>> 0, m.cpu.r[R.EDX] >>> 0];
}

const ascii = (...regs: number[]): string =>
  regs.map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24)).join('');

describe('CPUID', () => {
  it('leaf 0: maximum leaf 1 and GenuineIntel, at any CPL', () => {
    const [max, b, c, d] = cpuid(0);
    expect(max).toBe(1);
    expect(ascii(b, d, c)).toBe('GenuineIntel');
  });

  it('leaf 1: a family-6 processor with TSC MSR PAE CX8 SEP PGE CMOV PSE and no FPU/MMX/SSE/APIC/PAT', () => {
    const [sig, , ecx, edx] = cpuid(1);
    expect((sig >> 8) & 0xf).toBe(6);
    expect(ecx).toBe(0);
    for (const bit of [3, 4, 5, 6, 8, 11, 13, 15]) expect((edx >>> bit) & 1).toBe(1);
    for (const bit of [0, 9, 12, 14, 16, 17, 23, 24, 25, 26]) expect((edx >>> bit) & 1).toBe(0);
  });

  it('extended leaves: 80000001H reports NX', () => {
    expect(cpuid(0x80000000)[0]).toBe(0x80000001);
    expect(cpuid(0x80000001)[3]).toBe(1 << 20);
  });

  it('a leaf above the maximum returns the highest basic leaf (SDM)', () => {
    expect(cpuid(2)).toEqual(cpuid(1));
    expect(cpuid(0x40000000)).toEqual(cpuid(1));
    expect(cpuid(0x80000008)).toEqual(cpuid(1));
  });

  it('INT_CPUID exits, not retired', () => {
    const m = machine(3);
    m.cpu.intercept = INT_CPUID;
    m.cpu.r[R.EAX] = 0;
    expect(exec(m, CPUID)).toBe(EXIT_CPUID);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.r[R.EXIT_NEXT_EIP]).toBe(CODE + 2);
    expect(m.cpu.r[R.EAX]).toBe(0);
    expect(m.cpu.instructions).toBe(0);
  });
});

describe('RDTSC', () => {
  it('reads retired instructions plus the TSC offset', () => {
    const m = machine(3);
    m.cpu.tscOffset = 2 ** 32 + 5;
    // nop; nop; nop; rdtsc
    expect(exec(m, [0x90, 0x90, 0x90, ...RDTSC], 4)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(8);
    expect(m.cpu.r[R.EDX]).toBe(1);
  });

  it('CR4.TSD makes it #GP(0) outside ring 0 only', () => {
    const m = machine(3);
    m.cpu.r[R.CR4] = CR4_TSD;
    expectGP(m, exec(m, RDTSC));
    const k = machine(0);
    k.cpu.r[R.CR4] = CR4_TSD;
    expect(exec(k, RDTSC)).toBe(EXIT_LIMIT);
  });

  it('INT_RDTSC exits, not retired', () => {
    const m = machine(3);
    m.cpu.intercept = INT_RDTSC;
    expect(exec(m, RDTSC)).toBe(EXIT_RDTSC);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.instructions).toBe(0);
  });
});

describe('RDMSR and WRMSR', () => {
  function wrmsr(m: TestMachine, msr: number, lo: number, hi = 0): number {
    m.cpu.r[R.ECX] = msr; m.cpu.r[R.EAX] = lo; m.cpu.r[R.EDX] = hi;
    return exec(m, WRMSR);
  }
  function rdmsr(m: TestMachine, msr: number): [number, number] {
    m.cpu.r[R.ECX] = msr;
    expect(exec(m, RDMSR)).toBe(EXIT_LIMIT);
    return [m.cpu.r[R.EAX], m.cpu.r[R.EDX]];
  }

  it('SYSENTER_CS/ESP/EIP are read and written', () => {
    const m = machine();
    for (const [msr, slot, v] of [[0x174, R.SYSENTER_CS, 0x10], [0x175, R.SYSENTER_ESP, 0xc0001000 | 0], [0x176, R.SYSENTER_EIP, 0xc0100000 | 0]]) {
      expect(wrmsr(m, msr, v, 0x1234)).toBe(EXIT_LIMIT);
      expect(m.cpu.r[slot]).toBe(v);
      expect(rdmsr(m, msr)).toEqual([v, 0]);
    }
  });

  it('EFER: only NXE is writable; other bits are #GP(0)', () => {
    const m = machine();
    expect(wrmsr(m, 0xc0000080, 0x800)).toBe(EXIT_LIMIT);
    expect(rdmsr(m, 0xc0000080)).toEqual([0x800, 0]);
    for (const [lo, hi] of [[0x1, 0], [0x100, 0], [0x400, 0], [0x800, 1]]) {
      const k = machine();
      expectGP(k, wrmsr(k, 0xc0000080, lo, hi));
      expect(k.cpu.r[R.EFER]).toBe(0);
    }
  });

  it('a TSC write sets the counter from that instruction on', () => {
    const m = machine();
    m.cpu.r[R.ECX] = 0x10; m.cpu.r[R.EAX] = 1000; m.cpu.r[R.EDX] = 2;
    // nop; wrmsr; rdtsc
    expect(exec(m, [0x90, ...WRMSR, ...RDTSC], 3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(1001);
    expect(m.cpu.r[R.EDX]).toBe(2);
    expect(rdmsr(m, 0x10)).toEqual([1002, 2]);
  });

  it('unknown MSRs are #GP(0); the microcode signature reads 0', () => {
    const m = machine();
    m.cpu.r[R.ECX] = 0x1b; // APIC base: there is no APIC
    expectGP(m, exec(m, RDMSR));
    expectGP(m, wrmsr(m, 0x277, 0)); // PAT
    expect(wrmsr(m, 0x8b, 0)).toBe(EXIT_LIMIT);
    expect(rdmsr(m, 0x8b)).toEqual([0, 0]);
  });

  it('INT_MSR exits with 0 for RDMSR and 1 for WRMSR, not retired; the privilege check comes first', () => {
    const m = machine();
    m.cpu.intercept = INT_MSR;
    m.cpu.r[R.ECX] = 0x1b;
    expect(exec(m, RDMSR)).toBe(EXIT_MSR);
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(exec(m, WRMSR)).toBe(EXIT_MSR);
    expect(m.cpu.r[R.EXIT_INFO]).toBe(1);
    expect(m.cpu.instructions).toBe(0);
    const k = machine(1);
    k.cpu.intercept = INT_MSR;
    expectGP(k, exec(k, RDMSR));
  });
});

describe('SYSENTER and SYSEXIT', () => {
  it('SYSENTER enters ring 0 on flat segments from SYSENTER_CS, with IF clear', () => {
    const m = machine(3);
    m.cpu.r[R.SYSENTER_CS] = 0x13; // RPL bits are ignored
    m.cpu.r[R.SYSENTER_ESP] = 0x9000;
    m.cpu.r[R.SYSENTER_EIP] = 0x4000;
    m.cpu.r[R.EFLAGS] |= IF;
    expect(exec(m, [0x0f, 0x34])).toBe(EXIT_LIMIT);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.r[R.SEG + 4]).toBe(0x10); // CS
    expect(m.cpu.r[R.SEG + 7] & 0xffff).toBe(0xc09b);
    expect(m.cpu.r[R.SEG + 8]).toBe(0x18); // SS
    expect(m.cpu.r[R.SEG + 11] & 0xffff).toBe(0xc093);
    expect(m.cpu.r[R.ESP]).toBe(0x9000);
    expect(m.cpu.r[R.EIP]).toBe(0x4000);
    expect(m.cpu.r[R.EFLAGS] & IF).toBe(0);
  });

  it('SYSENTER with a null SYSENTER_CS is #GP(0)', () => {
    const m = machine(3);
    m.cpu.r[R.SYSENTER_CS] = 3;
    expectGP(m, exec(m, [0x0f, 0x34]));
    expect(m.cpu.cpl).toBe(3);
  });

  it('SYSEXIT returns to ring 3 at EDX with ESP = ECX', () => {
    const m = machine(0);
    m.cpu.r[R.SYSENTER_CS] = 0x10;
    m.cpu.r[R.ECX] = 0xbfff0000 | 0;
    m.cpu.r[R.EDX] = 0x8048000;
    expect(exec(m, [0x0f, 0x35])).toBe(EXIT_LIMIT);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.r[R.SEG + 4]).toBe(0x23);
    expect(m.cpu.r[R.SEG + 7] & 0xffff).toBe(0xc0fb);
    expect(m.cpu.r[R.SEG + 8]).toBe(0x2b);
    expect(m.cpu.r[R.SEG + 11] & 0xffff).toBe(0xc0f3);
    expect(m.cpu.r[R.ESP]).toBe(0xbfff0000 | 0);
    expect(m.cpu.r[R.EIP]).toBe(0x8048000);
    const k = machine(0);
    expectGP(k, exec(k, [0x0f, 0x35])); // SYSENTER_CS = 0
    const p = machine(1);
    p.cpu.intercept = INT_PRIV;
    p.cpu.r[R.SYSENTER_CS] = 0x10;
    expect(exec(p, [0x0f, 0x35])).toBe(5); // EXIT_PRIV: a PV hypervisor emulates it
  });
});
