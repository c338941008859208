import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { DF, EXIT_EXCEPTION, EXIT_IO, EXIT_LIMIT, GP, IF, INT_IO } from '../defs';
import { testMachine, type TestMachine } from '../testing';
import { IO_OUT, IO_REP, IO_STRING } from './privio';

const CODE = 0x1000, DATA = 0x2000, TSS = 0x3000, MAP = 0x68;

function machine(cpl = 0, iopl = 0): TestMachine {
  const m = testMachine({ cpl });
  m.cpu.interceptExc = -1;
  m.cpu.r[R.EFLAGS] |= iopl << 12;
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

/** TR -> a 32-bit TSS at TSS with the I/O map at TSS + mapBase; every port denied but those listed. */
function withTss(m: TestMachine, limit: number, allow: number[], mapBase = MAP, attr = 0x8b): void {
  m.cpu.r[R.TR] = 0x28;
  m.cpu.r[R.TR + 1] = TSS;
  m.cpu.r[R.TR + 2] = limit;
  m.cpu.r[R.TR + 3] = attr;
  m.mem.u8[TSS + 0x66] = mapBase & 0xff;
  m.mem.u8[TSS + 0x67] = mapBase >> 8;
  m.mem.u8.fill(0xff, TSS + mapBase, TSS + mapBase + 8193);
  for (const p of allow) m.mem.u8[TSS + mapBase + (p >> 3)] &= ~(1 << (p & 7));
}

// in al,dx / in eax,dx / out dx,al / out dx,eax
const IN_AL = [0xec], IN_EAX = [0xed], OUT_AL = [0xee], OUT_EAX = [0xef];

describe('IN and OUT', () => {
  it('with no device behind a port, IN reads all ones and OUT is dropped', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0x12345678;
    expect(exec(m, [0xe4, 0x60])).toBe(EXIT_LIMIT); // in al,0x60
    expect(m.cpu.r[R.EAX]).toBe(0x123456ff);
    expect(exec(m, [0x66, 0xe5, 0x80])).toBe(EXIT_LIMIT); // in ax,0x80
    expect(m.cpu.r[R.EAX]).toBe(0x1234ffff);
    expect(exec(m, [0xe5, 0x80])).toBe(EXIT_LIMIT); // in eax,0x80
    expect(m.cpu.r[R.EAX]).toBe(-1);
    expect(exec(m, [0xe6, 0x80, 0xef], 2)).toBe(EXIT_LIMIT); // out 0x80,al; out dx,eax
    expect(m.cpu.r[R.EIP]).toBe(CODE + 3);
  });

  it('INT_IO exits before any permission check, not retired, with port, size and direction', () => {
    const m = machine(3);
    m.cpu.intercept = INT_IO;
    expect(exec(m, [0xe4, 0xf0])).toBe(EXIT_IO); // in al,0xf0 (Ib is zero-extended)
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0xf0 | (1 << 16));
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.r[R.EXIT_NEXT_EIP]).toBe(CODE + 2);
    expect(m.cpu.instructions).toBe(0);
    m.cpu.r[R.EDX] = 0xabcd03f8 | 0; // DX = 0x3f8
    expect(exec(m, [0x66, 0xef])).toBe(EXIT_IO); // out dx,ax
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0x3f8 | (2 << 16) | IO_OUT);
    expect(exec(m, [0xed])).toBe(EXIT_IO); // in eax,dx
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0x3f8 | (4 << 16));
    expect(exec(m, [0xf3, 0x6e])).toBe(EXIT_IO); // rep outsb
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0x3f8 | (1 << 16) | IO_OUT | IO_STRING | IO_REP);
    expect(exec(m, [0x6d])).toBe(EXIT_IO); // insd
    expect(m.cpu.r[R.EXIT_INFO]).toBe(0x3f8 | (4 << 16) | IO_STRING);
  });

  it('CPL <= IOPL needs no bitmap', () => {
    for (const [cpl, iopl] of [[3, 3], [1, 1], [1, 3], [0, 0]]) {
      const m = machine(cpl, iopl);
      m.cpu.r[R.TR + 3] = 0; // no usable TSS at all
      expect(exec(m, IN_AL)).toBe(EXIT_LIMIT);
    }
  });
});

describe('the TSS I/O permission bitmap (CPL > IOPL)', () => {
  it('a clear bit allows the port, a set bit is #GP(0)', () => {
    const m = machine(3);
    withTss(m, MAP + 8192, [0x80]);
    m.cpu.r[R.EDX] = 0x80;
    expect(exec(m, IN_AL)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX] & 0xff).toBe(0xff);
    m.cpu.r[R.EDX] = 0x81;
    expectGP(m, exec(m, OUT_AL));
    const k = machine(1); // ring 1 with IOPL 0, as a PV kernel runs
    withTss(k, MAP + 8192, [0x80]);
    k.cpu.r[R.EDX] = 0x81;
    expectGP(k, exec(k, IN_AL));
  });

  it('every port of a multi-byte access must be allowed, across a byte boundary of the map', () => {
    const m = machine(3);
    withTss(m, MAP + 8192, [0x7e, 0x7f, 0x80]);
    m.cpu.r[R.EDX] = 0x7e; // ports 0x7e..0x81: bits 6,7 of byte 15 and 0,1 of byte 16
    expectGP(m, exec(m, IN_EAX));
    const k = machine(3);
    withTss(k, MAP + 8192, [0x7e, 0x7f, 0x80, 0x81]);
    k.cpu.r[R.EDX] = 0x7e;
    expect(exec(k, IN_EAX)).toBe(EXIT_LIMIT);
    expect(exec(k, OUT_EAX)).toBe(EXIT_LIMIT);
    k.cpu.r[R.EDX] = 0x7f; // 0x7f..0x82: 0x82 denied
    expectGP(k, exec(k, OUT_EAX));
    k.cpu.r[R.EDX] = 0x7f;
    expect(exec(k, [0x66, 0xef])).toBe(EXIT_LIMIT); // out dx,ax: 0x7f..0x80
  });

  it('map bytes beyond the TSS limit deny: both bytes holding the port bits must lie within it', () => {
    const m = machine(3);
    // Port 0x80's bit is in map byte 0x10 (TSS offset 0x78); the processor also reads 0x79.
    withTss(m, MAP + 0x10, [0x80, 0x78]);
    m.cpu.r[R.EDX] = 0x80;
    expectGP(m, exec(m, IN_AL));
    m.cpu.r[R.EDX] = 0x78; // byte 0x0f and 0x10: both within the limit
    expect(exec(m, IN_AL)).toBe(EXIT_LIMIT);
    const k = machine(3);
    withTss(k, MAP + 0x11, [0x80]);
    k.cpu.r[R.EDX] = 0x80;
    expect(exec(k, IN_AL)).toBe(EXIT_LIMIT);
  });

  it('a map base at or past the TSS limit means no bitmap: every port is #GP(0)', () => {
    const m = machine(3);
    withTss(m, 0x67, [0x80], 0x68);
    m.cpu.r[R.EDX] = 0x80;
    expectGP(m, exec(m, IN_AL));
  });

  it('a 16-bit TSS has no bitmap: #GP(0)', () => {
    const m = machine(3);
    withTss(m, MAP + 8192, [0x80], MAP, 0x83); // busy 16-bit TSS
    m.cpu.r[R.EDX] = 0x80;
    expectGP(m, exec(m, IN_AL));
  });
});

describe('INS and OUTS', () => {
  it('REP INSB stores all ones to ES:EDI, counting once per iteration', () => {
    const m = machine();
    m.cpu.r[R.EDI] = DATA;
    m.cpu.r[R.ECX] = 4;
    expect(exec(m, [0xf3, 0x6c, 0x90], 4)).toBe(EXIT_LIMIT); // rep insb; nop
    expect(Array.from(m.mem.u8.subarray(DATA, DATA + 5))).toEqual([0xff, 0xff, 0xff, 0xff, 0]);
    expect(m.cpu.r[R.EDI]).toBe(DATA + 4);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 2);
    expect(m.cpu.instructions).toBe(4);
  });

  it('REP INS stops on the instruction budget and resumes where it left off', () => {
    const m = machine();
    m.cpu.r[R.EDI] = DATA;
    m.cpu.r[R.ECX] = 5;
    // rep insw; nop
    expect(exec(m, [0x66, 0xf3, 0x6d, 0x90], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.r[R.ECX]).toBe(3);
    expect(m.cpu.r[R.EDI]).toBe(DATA + 4);
    expect(m.cpu.instructions).toBe(2);
    expect(m.run(4)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.cpu.r[R.EDI]).toBe(DATA + 10);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 4);
    expect(m.cpu.instructions).toBe(6);
  });

  it('REP with a zero count does nothing and counts once; DF makes INS go down', () => {
    const m = machine();
    m.cpu.r[R.ECX] = 0;
    m.cpu.r[R.EDI] = DATA;
    expect(exec(m, [0xf3, 0x6c])).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 2);
    expect(m.mem.u8[DATA]).toBe(0);
    m.cpu.r[R.EFLAGS] |= DF;
    expect(exec(m, [0x6d])).toBe(EXIT_LIMIT); // insd
    expect(m.cpu.r[R.EDI]).toBe(DATA - 4);
    expect(m.mem.i32[DATA >>> 2]).toBe(-1);
  });

  it('a fault part-way through REP OUTSB keeps the finished iterations', () => {
    const m = machine();
    m.cpu.setSeg(3, 0x10, 0, DATA + 1, 0x4093); // DS limit: two bytes at DATA are readable
    m.cpu.r[R.ESI] = DATA;
    m.cpu.r[R.ECX] = 5;
    const reason = exec(m, [0xf3, 0x6e], 10);
    expectGP(m, reason);
    expect(m.cpu.r[R.ESI]).toBe(DATA + 2);
    expect(m.cpu.r[R.ECX]).toBe(3);
    expect(m.cpu.instructions).toBe(2);
  });

  it('the bitmap is checked before memory is touched', () => {
    const m = machine(3);
    withTss(m, MAP + 8192, []);
    m.cpu.r[R.EDI] = DATA;
    m.cpu.r[R.ECX] = 1;
    expectGP(m, exec(m, [0xf3, 0x6c]));
    expect(m.mem.u8[DATA]).toBe(0);
    expect(m.cpu.r[R.ECX]).toBe(1);
  });
});

describe('CLI and STI', () => {
  it('change IF when CPL <= IOPL', () => {
    for (const [cpl, iopl] of [[0, 0], [1, 1], [3, 3]]) {
      const m = machine(cpl, iopl);
      expect(exec(m, [0xfb])).toBe(EXIT_LIMIT);
      expect(m.cpu.r[R.EFLAGS] & IF).toBe(IF);
      expect(exec(m, [0xfa])).toBe(EXIT_LIMIT);
      expect(m.cpu.r[R.EFLAGS] & IF).toBe(0);
    }
  });

  it('are #GP(0) when CPL > IOPL', () => {
    for (const [cpl, iopl] of [[1, 0], [3, 0], [3, 2]]) {
      const m = machine(cpl, iopl);
      expectGP(m, exec(m, [0xfb]));
      expect(m.cpu.r[R.EFLAGS] & IF).toBe(0);
      const k = machine(cpl, iopl);
      k.cpu.r[R.EFLAGS] |= IF;
      expectGP(k, exec(k, [0xfa]));
      expect(k.cpu.r[R.EFLAGS] & IF).toBe(IF);
    }
  });
});
