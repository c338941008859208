import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { AC, AF, CF, DF, EXIT_LIMIT, ID, IF, IOPL, NT, OF, PF, RF, SF, TF, VIF, VIP, VM, ZF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000, STACK = 0x8000;

function machine(cpl = 0, flags = 0): TestMachine {
  const m = testMachine({ cpl });
  m.cpu.interceptExc = -1;
  m.cpu.r[R.ESP] = STACK;
  m.cpu.r[R.EFLAGS] = 0x2 | flags;
  return m;
}
function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}
const flags = (m: TestMachine) => getEflags(m.cpu.r);

describe('CLC STC CMC CLD STD', () => {
  it('change only their flag', () => {
    const m = machine(0, ZF | SF);
    exec(m, [0xf9]); // stc
    expect(flags(m)).toBe(0x2 | ZF | SF | CF);
    exec(m, [0xf5]); // cmc
    expect(flags(m)).toBe(0x2 | ZF | SF);
    exec(m, [0xf5]);
    expect(flags(m) & CF).toBe(CF);
    exec(m, [0xf8]); // clc
    expect(flags(m)).toBe(0x2 | ZF | SF);
    exec(m, [0xfd]); // std
    expect(flags(m)).toBe(0x2 | ZF | SF | DF);
    exec(m, [0xfc]); // cld
    expect(flags(m)).toBe(0x2 | ZF | SF);
  });
  it('CMC complements a lazily held carry', () => {
    const m = machine();
    m.cpu.r[R.EAX] = -1;
    exec(m, [0x83, 0xc0, 0x01, 0xf5], 2); // add eax,1; cmc
    expect(flags(m) & (CF | ZF)).toBe(ZF);
  });
});

describe('LAHF SAHF', () => {
  it('LAHF: AH = SF ZF 0 AF 0 PF 1 CF', () => {
    const m = machine(0, SF | ZF | AF | PF | CF | OF | DF);
    m.cpu.r[R.EAX] = 0x11110011;
    exec(m, [0x9f]);
    expect(m.cpu.r[R.EAX]).toBe(0x1111d711);
  });
  it('SAHF loads SF ZF AF PF CF from AH; OF and the rest stay', () => {
    const m = machine(0, OF);
    m.cpu.r[R.EAX] = 0xff00;
    exec(m, [0x9e]);
    expect(flags(m)).toBe(0x2 | OF | SF | ZF | AF | PF | CF);
    m.cpu.r[R.EAX] = 0x2a00; // bits 5, 3, 1: none of the five
    exec(m, [0x9e]);
    expect(flags(m)).toBe(0x2 | OF);
  });
});

describe('PUSHF', () => {
  it('pushes EFLAGS with VM and RF cleared', () => {
    const m = machine(0, CF | IF | RF | AC);
    expect(exec(m, [0x9c])).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESP]).toBe(STACK - 4);
    expect(m.mem.i32[(STACK - 4) >> 2]).toBe(0x2 | CF | IF | AC);
  });
  it('16-bit: the low word', () => {
    const m = machine(0, ZF | IF | AC);
    exec(m, [0x66, 0x9c]);
    expect(m.cpu.r[R.ESP]).toBe(STACK - 2);
    expect(m.mem.u8[STACK - 2] | (m.mem.u8[STACK - 1] << 8)).toBe(0x2 | ZF | IF);
  });
});

describe('POPF', () => {
  const ALL = 0xffffffff | 0;
  it('at CPL 0: every non-reserved flag but VM VIP VIF; RF cleared; bit 1 set', () => {
    const m = machine(0, VIP);
    m.mem.i32[STACK >> 2] = ALL;
    exec(m, [0x9d]);
    const want = 0x2 | CF | PF | AF | ZF | SF | TF | IF | DF | OF | IOPL | NT | AC | ID | VIP;
    expect(flags(m)).toBe(want);
    expect(m.cpu.r[R.ESP]).toBe(STACK + 4);
    m.mem.i32[STACK >> 2] = 0;
    m.cpu.r[R.ESP] = STACK;
    m.cpu.r[R.EFLAGS] |= VM | VIF | RF;
    exec(m, [0x9d]);
    expect(flags(m)).toBe(0x2 | VM | VIF | VIP);
  });
  it('at CPL 3 with IOPL 0: IF and IOPL unchanged, no fault', () => {
    const m = machine(3, IF);
    m.mem.i32[STACK >> 2] = (IOPL | CF | AC) & ~IF;
    expect(exec(m, [0x9d])).toBe(EXIT_LIMIT);
    expect(flags(m)).toBe(0x2 | IF | CF | AC);
  });
  it('at CPL 1 with IOPL 1: IF changes, IOPL does not', () => {
    const m = machine(1, 0x1000 | IF);
    m.mem.i32[STACK >> 2] = 0x3000;
    exec(m, [0x9d]);
    expect(flags(m)).toBe(0x2 | 0x1000);
  });
  it('16-bit: only the low word changes', () => {
    const m = machine(0, AC | ID | CF);
    m.mem.u8[STACK] = 0xd5; m.mem.u8[STACK + 1] = 0x08; // SF ZF AF PF CF OF
    exec(m, [0x66, 0x9d]);
    expect(flags(m)).toBe(0x2 | AC | ID | SF | ZF | AF | PF | CF | OF);
    expect(m.cpu.r[R.ESP]).toBe(STACK + 2);
  });
  it('in real mode (CR0.PE = 0) acts as CPL 0', () => {
    const m = machine(3, 0);
    m.cpu.r[R.CR0] &= ~1;
    m.mem.i32[STACK >> 2] = IOPL | IF;
    exec(m, [0x9d]);
    expect(flags(m)).toBe(0x2 | IOPL | IF);
  });
});
