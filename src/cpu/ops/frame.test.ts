import { describe, expect, it } from 'vitest';
import { R, SEG_SS } from '../../shared/layout';
import { EXIT_EXCEPTION, EXIT_LIMIT, SS_ } from '../defs';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000;

function machine(): TestMachine {
  const m = testMachine();
  m.cpu.interceptExc = -1;
  return m;
}
function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}
const d = (m: TestMachine, a: number) => m.mem.i32[a >> 2];
const w = (m: TestMachine, a: number) => m.mem.u8[a] | (m.mem.u8[a + 1] << 8);

/** SS as a 16-bit (B = 0) flat read/write data segment. */
function stack16(m: TestMachine): void {
  m.cpu.setSeg(SEG_SS, 0x10, 0, 0xffff, 0x93);
}

describe('ENTER', () => {
  it('level 0: push EBP, EBP = ESP, reserve the frame', () => {
    const m = machine();
    m.cpu.r[R.ESP] = 0x8000; m.cpu.r[R.EBP] = 0x1234;
    expect(exec(m, [0xc8, 0x10, 0x00, 0x00])).toBe(EXIT_LIMIT); // enter 16,0
    expect(d(m, 0x7ffc)).toBe(0x1234);
    expect(m.cpu.r[R.EBP]).toBe(0x7ffc);
    expect(m.cpu.r[R.ESP]).toBe(0x7ffc - 16);
  });
  it('level 3: copies two enclosing frame pointers, then pushes the new one', () => {
    const m = machine();
    m.cpu.r[R.ESP] = 0x8000; m.cpu.r[R.EBP] = 0x9000;
    m.mem.i32[(0x9000 - 4) >> 2] = 0xaaaa;
    m.mem.i32[(0x9000 - 8) >> 2] = 0xbbbb;
    exec(m, [0xc8, 0x08, 0x00, 0x03]); // enter 8,3
    expect(d(m, 0x7ffc)).toBe(0x9000);
    expect(d(m, 0x7ff8)).toBe(0xaaaa);
    expect(d(m, 0x7ff4)).toBe(0xbbbb);
    expect(d(m, 0x7ff0)).toBe(0x7ffc);
    expect(m.cpu.r[R.EBP]).toBe(0x7ffc);
    expect(m.cpu.r[R.ESP]).toBe(0x7ff0 - 8);
  });
  it('level 1 pushes only EBP and the frame pointer; the level is taken mod 32', () => {
    const m = machine();
    m.cpu.r[R.ESP] = 0x8000; m.cpu.r[R.EBP] = 0x5555;
    exec(m, [0xc8, 0x00, 0x00, 0x21]); // enter 0,33
    expect(d(m, 0x7ffc)).toBe(0x5555);
    expect(d(m, 0x7ff8)).toBe(0x7ffc);
    expect(m.cpu.r[R.ESP]).toBe(0x7ff8);
  });
  it('16-bit operand size on a 32-bit stack', () => {
    const m = machine();
    m.cpu.r[R.ESP] = 0x8000; m.cpu.r[R.EBP] = 0x1234_5678;
    exec(m, [0x66, 0xc8, 0x04, 0x00, 0x01]); // enter 4,1 (o16)
    expect(w(m, 0x7ffe)).toBe(0x5678);
    expect(w(m, 0x7ffc)).toBe(0x7ffe);
    // BP <- FrameTemp[15:0]: the upper half of EBP stays (as the real processor does).
    expect(m.cpu.r[R.EBP]).toBe(0x1234_7ffe);
    expect(m.cpu.r[R.ESP]).toBe(0x7ffc - 4);
  });
  it('on a 16-bit stack SP wraps and only BP changes', () => {
    const m = machine();
    stack16(m);
    m.cpu.r[R.ESP] = 0xabcd_0000 | 0; m.cpu.r[R.EBP] = 0x1111_2222;
    exec(m, [0xc8, 0x10, 0x00, 0x00]); // enter 16,0 (o32): EBP pushed at SP = 0xfffc
    expect(d(m, 0xfffc)).toBe(0x1111_2222);
    expect(m.cpu.r[R.EBP] >>> 0).toBe(0x1111_fffc);
    expect(m.cpu.r[R.ESP] >>> 0).toBe(0xabcd_ffec);
  });
  it('a final ESP outside the stack segment is #SS(0), with no register changed', () => {
    const m = machine();
    m.cpu.setSeg(SEG_SS, 0x10, 0, 0x7fff, 0x93 | 0x4000); // expand-up, limit 0x7fff
    m.cpu.r[R.ESP] = 0x100; m.cpu.r[R.EBP] = 0x42;
    expect(exec(m, [0xc8, 0x00, 0x01, 0x00])).toBe(EXIT_EXCEPTION); // enter 256,0: ESP wraps below 0
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(SS_);
    expect(m.cpu.r[R.EXIT_ERROR]).toBe(0);
    expect(m.cpu.r[R.ESP]).toBe(0x100);
    expect(m.cpu.r[R.EBP]).toBe(0x42);
  });
});

describe('LEAVE', () => {
  it('ESP = EBP, pop EBP', () => {
    const m = machine();
    m.cpu.r[R.ESP] = 0x7000; m.cpu.r[R.EBP] = 0x7ffc;
    m.mem.i32[0x7ffc >> 2] = 0x1234;
    exec(m, [0xc9]);
    expect(m.cpu.r[R.EBP]).toBe(0x1234);
    expect(m.cpu.r[R.ESP]).toBe(0x8000);
  });
  it('16-bit operand size pops BP only', () => {
    const m = machine();
    m.cpu.r[R.EBP] = 0x7ffe;
    m.mem.u8[0x7ffe] = 0x34; m.mem.u8[0x7fff] = 0x12;
    exec(m, [0x66, 0xc9]);
    expect(m.cpu.r[R.EBP]).toBe(0x1234);
    expect(m.cpu.r[R.ESP]).toBe(0x8000);
  });
  it('a 16-bit stack uses SP = BP and keeps the upper half of ESP', () => {
    const m = machine();
    stack16(m);
    m.cpu.r[R.ESP] = 0x9999_0000 | 0; m.cpu.r[R.EBP] = 0x7777_4000;
    m.mem.i32[0x4000 >> 2] = 0xcafe;
    exec(m, [0xc9]);
    expect(m.cpu.r[R.EBP]).toBe(0xcafe);
    expect(m.cpu.r[R.ESP] >>> 0).toBe(0x9999_4004);
  });
});

describe('PUSHA and POPA', () => {
  it('PUSHAD stores EAX..EDI with the original ESP; POPAD restores all but ESP', () => {
    const m = machine();
    for (let n = 0; n < 8; n++) m.cpu.r[n] = 0x100 * (n + 1);
    m.cpu.r[R.ESP] = 0x8000;
    exec(m, [0x60]);
    expect(m.cpu.r[R.ESP]).toBe(0x8000 - 32);
    for (let n = 0; n < 8; n++) expect(d(m, 0x8000 - 4 * (n + 1))).toBe(n === 4 ? 0x8000 : 0x100 * (n + 1));
    for (let n = 0; n < 8; n++) if (n !== 4) m.cpu.r[n] = 0;
    m.mem.i32[(0x8000 - 20) >> 2] = 0x1234; // the saved ESP slot is ignored
    exec(m, [0x61]);
    for (let n = 0; n < 8; n++) expect(m.cpu.r[n]).toBe(n === 4 ? 0x8000 : 0x100 * (n + 1));
  });
  it('16-bit forms move words and keep the upper halves', () => {
    const m = machine();
    for (let n = 0; n < 8; n++) m.cpu.r[n] = 0x11110000 | (n + 1);
    m.cpu.r[R.ESP] = 0x8000;
    exec(m, [0x66, 0x60]);
    expect(m.cpu.r[R.ESP]).toBe(0x8000 - 16);
    expect(w(m, 0x8000 - 2)).toBe(1);
    expect(w(m, 0x8000 - 10)).toBe(0x8000);
    expect(w(m, 0x8000 - 16)).toBe(8);
    for (let n = 0; n < 8; n++) if (n !== 4) m.cpu.r[n] = 0x22220000;
    exec(m, [0x66, 0x61]);
    for (let n = 0; n < 8; n++) if (n !== 4) expect(m.cpu.r[n]).toBe(0x22220000 | (n + 1));
    expect(m.cpu.r[R.ESP]).toBe(0x8000);
  });
  it('POPAD reading past the stack limit faults with no register changed', () => {
    const m = machine();
    m.cpu.setSeg(SEG_SS, 0x10, 0, 0x8010, 0x93 | 0x4000);
    for (let n = 0; n < 8; n++) m.cpu.r[n] = n;
    m.cpu.r[R.ESP] = 0x8000;
    expect(exec(m, [0x61])).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(SS_);
    for (let n = 0; n < 8; n++) expect(m.cpu.r[n]).toBe(n === 4 ? 0x8000 : n);
  });
  it('PUSHAD on a 16-bit stack wraps SP', () => {
    const m = machine();
    stack16(m);
    m.cpu.r[R.ESP] = 0x0008;
    exec(m, [0x60]);
    expect(m.cpu.r[R.ESP]).toBe(0xffe8);
    expect(d(m, 0x0004)).toBe(m.cpu.r[R.EAX]);
    expect(d(m, 0xfff4)).toBe(0x0008); // the original ESP
  });
});
