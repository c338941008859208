// Segment-register loads (MOV/POP/LDS.../LSS) against the checks the Intel SDM
// lists for them, each with its exact vector and error code. Exceptions are
// intercepted so each fault shows up as an exit with EIP on the instruction.
import { describe, expect, it } from 'vitest';
import { R, SEG_DS, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import { EXIT_EXCEPTION, EXIT_LIMIT, GP, NP, SS_, UD } from '../defs';
import { NOERR } from '../exceptions';
import {
  CODE, DS0, DS1, DS3, FREE, GDT, LDT, pmMachine, segDesc, STACK, T_CODE_CONF_XR, T_CODE_X, T_CODE_XR,
  T_DATA_RO, T_DATA_RW, TSS_SEL, type PmMachine,
} from '../testing-desc';

const SEL = FREE * 8; // 0x58: the descriptor each test defines

function machine(cpl: number): PmMachine {
  const m = pmMachine(cpl);
  m.cpu.interceptExc = -1;
  return m;
}

/** Run one instruction, which must fault with `vec`/`err` and change nothing. */
function expectFault(m: PmMachine, vec: number, err: number): void {
  const before = m.cpu.r.slice(0, R.CPL + 1);
  expect(m.run(1)).toBe(EXIT_EXCEPTION);
  expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR]]).toEqual([vec, err]);
  expect(m.cpu.r[R.EIP]).toBe(CODE);
  expect(m.cpu.instructions).toBe(0);
  expect(Array.from(m.cpu.r.slice(0, R.CPL + 1))).toEqual(Array.from(before));
}

function seg(m: PmMachine, s: number): number[] {
  const o = R.SEG + s * 4;
  return [m.cpu.r[o] & 0xffff, m.cpu.r[o + 1], m.cpu.r[o + 2], m.cpu.r[o + 3]];
}

// mov ds,ax / mov ss,ax / mov es,ax / mov fs,ax / mov gs,ax
const MOV_DS_AX = [0x8e, 0xd8], MOV_SS_AX = [0x8e, 0xd0];

describe('MOV to a data segment register', () => {
  it('loads base, limit and attributes and sets the accessed bit in the GDT', () => {
    const m = machine(3);
    m.gdt(FREE, segDesc({ base: 0x12345000, limit: 0x1fff, type: T_DATA_RW, dpl: 3, keepAccessed: true }));
    expect(m.rd32(GDT + SEL + 4) & 0x100).toBe(0);
    m.cpu.r[R.EAX] = SEL | 3;
    m.prog(MOV_DS_AX);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(seg(m, SEG_DS)).toEqual([SEL | 3, 0x12345000, 0x1fff, 0x40f3]);
    expect(m.rd32(GDT + SEL + 4) & 0x100).toBe(0x100);
  });

  it('loads a null selector, which then faults on use with #GP(0)', () => {
    const m = machine(3);
    m.cpu.r[R.EAX] = 3;
    // mov ds,ax; mov eax,[0x1000]
    m.prog([...MOV_DS_AX, 0xa1, 0x00, 0x10, 0x00, 0x00]);
    expect(m.run(2)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.SEG + SEG_DS * 4] & 0xffff).toBe(3);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP]]).toEqual([GP, 0, CODE + 2]);
  });

  it('#GP(sel) for a selector beyond the GDT limit', () => {
    const m = machine(0);
    m.cpu.r[R.GDTR_LIMIT] = SEL + 6; // the last descriptor is one byte short
    m.cpu.r[R.EAX] = SEL | 2;
    m.prog(MOV_DS_AX);
    expectFault(m, GP, SEL);
  });

  it('#GP(sel) for an LDT selector beyond the LDT limit, and when there is no LDT', () => {
    const m = machine(0);
    m.cpu.r[R.EAX] = (40 << 3) | 4; // LDT index 40; the LDT has 32 entries
    m.prog(MOV_DS_AX);
    expectFault(m, GP, (40 << 3) | 4);
    const m2 = machine(0);
    m2.ldt(1, segDesc({ type: T_DATA_RW, dpl: 0 }));
    m2.cpu.r[R.LDTR + 3] = 0; // LDTR null
    m2.cpu.r[R.EAX] = 0x0c;
    m2.prog(MOV_DS_AX);
    expectFault(m2, GP, 0x0c);
  });

  it('loads from the LDT', () => {
    const m = machine(0);
    m.ldt(1, segDesc({ base: 0x5000, limit: 0xfff, type: T_DATA_RW, dpl: 0 }));
    m.cpu.r[R.EAX] = 0x0c;
    m.prog(MOV_DS_AX);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(seg(m, SEG_DS).slice(0, 3)).toEqual([0x0c, 0x5000, 0xfff]);
    expect(m.rd32(LDT + 8 + 4) & 0x100).toBe(0x100);
  });

  it('#GP(sel) for a system descriptor', () => {
    const m = machine(0);
    m.cpu.r[R.EAX] = TSS_SEL;
    m.prog(MOV_DS_AX);
    expectFault(m, GP, TSS_SEL);
  });

  it('#GP(sel) for execute-only code; readable code loads', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ type: T_CODE_X, dpl: 0 }));
    m.cpu.r[R.EAX] = SEL;
    m.prog(MOV_DS_AX);
    expectFault(m, GP, SEL);
    m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0 }));
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(seg(m, SEG_DS)[0]).toBe(SEL);
  });

  it('#GP(sel) when CPL > DPL or RPL > DPL for data and non-conforming code', () => {
    const m = machine(3);
    m.cpu.r[R.EAX] = DS0 | 3;
    m.prog(MOV_DS_AX);
    expectFault(m, GP, DS0);
    const m1 = machine(0);
    m1.cpu.r[R.EAX] = (DS1 & ~3) | 2; // RPL 2 > DPL 1
    m1.prog(MOV_DS_AX);
    expectFault(m1, GP, DS1 & ~3);
    const m2 = machine(3);
    m2.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0 }));
    m2.cpu.r[R.EAX] = SEL | 3;
    m2.prog(MOV_DS_AX);
    expectFault(m2, GP, SEL);
  });

  it('ignores privilege for conforming readable code', () => {
    const m = machine(3);
    m.gdt(FREE, segDesc({ type: T_CODE_CONF_XR, dpl: 0 }));
    m.cpu.r[R.EAX] = SEL | 3;
    m.prog(MOV_DS_AX);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(seg(m, SEG_DS)[0]).toBe(SEL | 3);
  });

  it('#NP(sel) for a segment that is not present (after the type and privilege checks)', () => {
    const m = machine(3);
    m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 3, present: false }));
    m.cpu.r[R.EAX] = SEL | 3;
    // mov fs,ax
    m.prog([0x8e, 0xe0]);
    expectFault(m, NP, SEL);
    m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 0, present: false }));
    expectFault(m, GP, SEL);
  });

  it('#UD for MOV CS and for segment register numbers 6 and 7', () => {
    for (const bytes of [[0x8e, 0xc8], [0x8e, 0xf0], [0x8e, 0xf8], [0x8c, 0xf0]]) {
      const m = machine(0);
      m.prog(bytes);
      expectFault(m, UD, NOERR);
    }
  });
});

describe('MOV SS', () => {
  const cases: [string, number, () => [number, number] | null, number, number][] = [
    ['null', 0, () => null, GP, 0],
    ['RPL != CPL', DS3 & ~3, () => null, GP, DS3 & ~3],
    ['DPL != CPL', DS0 | 3, () => null, GP, DS0],
    ['read-only data', SEL | 3, () => segDesc({ type: T_DATA_RO, dpl: 3 }), GP, SEL],
    ['readable code', SEL | 3, () => segDesc({ type: T_CODE_XR, dpl: 3 }), GP, SEL],
    ['not present', SEL | 3, () => segDesc({ type: T_DATA_RW, dpl: 3, present: false }), SS_, SEL],
  ];
  for (const [what, sel, desc, vec, err] of cases) {
    it(`${what}: vector ${vec} error ${err.toString(16)}`, () => {
      const m = machine(3);
      const d = desc();
      if (d) m.gdt(FREE, d);
      m.cpu.r[R.EAX] = sel;
      m.prog(MOV_SS_AX);
      expectFault(m, vec, err);
    });
  }

  it('loads a writable data segment with DPL = RPL = CPL and follows its B bit', () => {
    const m = machine(1);
    m.gdt(FREE, segDesc({ base: 0x40000, limit: 0xffff, type: T_DATA_RW, dpl: 1, db: false }));
    m.cpu.r[R.EAX] = SEL | 1;
    m.cpu.r[R.ESP] = 0x12340010;
    // mov ss,ax; push eax
    m.prog([...MOV_SS_AX, 0x50]);
    expect(m.run(2)).toBe(EXIT_LIMIT);
    expect(seg(m, SEG_SS)[0]).toBe(SEL | 1);
    expect(m.cpu.ss32).toBe(false);
    expect(m.cpu.r[R.ESP]).toBe(0x1234000c); // a 16-bit stack moves only SP
    expect(m.rd32(0x4000c)).toBe(SEL | 1);
  });
});

describe('MOV from a segment register', () => {
  it('zero-extends into a 32-bit register, writes 16 bits with 66 or to memory', () => {
    const m = machine(3);
    m.cpu.r[R.EAX] = -1;
    m.cpu.r[R.ECX] = -1;
    m.cpu.r[R.EBX] = 0x5000;
    m.wr32(0x5000, 0x77777777);
    // mov eax,ds; mov cx,ds (66 8C D9); mov [ebx],ds
    m.prog([0x8c, 0xd8, 0x66, 0x8c, 0xd9, 0x8c, 0x1b]);
    expect(m.run(3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(DS3);
    expect(m.cpu.r[R.ECX]).toBe((0xffff0000 | DS3) | 0);
    expect(m.rd32(0x5000)).toBe((0x77770000 | DS3) | 0);
  });
});

describe('PUSH and POP of segment registers', () => {
  it('a 32-bit push moves ESP by 4 and writes only the low 16 bits; a 16-bit push moves it by 2', () => {
    const m = machine(3);
    const sp = STACK[3];
    m.wr32(sp - 4, 0x55555555);
    // push ds; push cs (66 0E)
    m.prog([0x1e, 0x66, 0x0e]);
    expect(m.run(2)).toBe(EXIT_LIMIT);
    expect(m.rd32(sp - 4)).toBe((0x55550000 | DS3) | 0);
    expect(m.rd16(sp - 6)).toBe(0x2b);
    expect(m.cpu.r[R.ESP]).toBe(sp - 6);
  });

  it('push fs / push gs / push es / push ss', () => {
    const m = machine(0);
    // push fs; push gs; push es; push ss
    m.prog([0x0f, 0xa0, 0x0f, 0xa8, 0x06, 0x16]);
    expect(m.run(4)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESP]).toBe(STACK[0] - 16);
    for (let k = 1; k <= 4; k++) expect(m.rd16(STACK[0] - 4 * k)).toBe(DS0);
  });

  it('pop ds / pop es / pop fs / pop gs / pop ss load checked selectors', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ base: 0x7000, type: T_DATA_RW, dpl: 0 }));
    const sp = STACK[0] - 20;
    for (let k = 0; k < 5; k++) m.wr32(sp + 4 * k, SEL);
    m.cpu.r[R.ESP] = sp;
    // pop ds; pop es; pop fs; pop gs; pop ss
    m.prog([0x1f, 0x07, 0x0f, 0xa1, 0x0f, 0xa9, 0x17]);
    expect(m.run(5)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESP]).toBe(STACK[0]);
    for (const s of [0, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) expect(seg(m, s).slice(0, 2)).toEqual([SEL, 0x7000]);
  });

  it('a pop that fails its checks leaves ESP and the register unchanged', () => {
    const m = machine(3);
    m.cpu.r[R.ESP] = STACK[3] - 4;
    m.wr32(STACK[3] - 4, DS0);
    m.prog([0x1f]); // pop ds
    expectFault(m, GP, DS0);
  });

  it('pop ss with 16-bit operand size reads a word', () => {
    const m = machine(3);
    m.cpu.r[R.ESP] = STACK[3] - 2;
    m.wr32(STACK[3] - 2, DS3);
    m.prog([0x66, 0x17]); // pop ss (16-bit)
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESP]).toBe(STACK[3]);
    expect(seg(m, SEG_SS)[0]).toBe(DS3);
  });
});

describe('LDS, LES, LFS, LGS, LSS', () => {
  it('load the offset into the register and the selector into the segment', () => {
    const m = machine(0);
    // Base 0 (the later loads read through the new DS) with a recognisable limit.
    m.gdt(FREE, segDesc({ limit: 0xabcde, type: T_DATA_RW, dpl: 0 }));
    m.cpu.r[R.EBX] = 0x5000;
    m.wr32(0x5000, 0x11223344);
    m.wr32(0x5004, SEL);
    // lds eax,[ebx]; lfs ecx,[ebx] (0F B4 0B); lgs edx,[ebx] (0F B5 13); les esi,[ebx] (C4 33); lss esp,[ebx]
    m.prog([0xc5, 0x03, 0x0f, 0xb4, 0x0b, 0x0f, 0xb5, 0x13, 0xc4, 0x33, 0x0f, 0xb2, 0x23]);
    expect(m.run(5)).toBe(EXIT_LIMIT);
    for (const g of [R.EAX, R.ECX, R.EDX, R.ESI, R.ESP]) expect(m.cpu.r[g]).toBe(0x11223344);
    for (const s of [0, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) expect(seg(m, s).slice(0, 3)).toEqual([SEL, 0, 0xabcde]);
  });

  it('16-bit operand size reads a 16-bit offset then the selector', () => {
    const m = machine(0);
    m.cpu.r[R.EAX] = 0x7fff0000;
    m.cpu.r[R.EBX] = 0x5000;
    m.wr32(0x5000, (DS0 << 16) | 0xbeef);
    m.prog([0x66, 0xc5, 0x03]); // lds ax,[ebx]
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(0x7fffbeef);
    expect(seg(m, SEG_DS)[0]).toBe(DS0);
  });

  it('a failing segment check leaves the register unchanged; the register form is #UD', () => {
    const m = machine(3);
    m.cpu.r[R.EBX] = 0x5000;
    m.cpu.r[R.EAX] = 0x99;
    m.wr32(0x5000, 0x11223344);
    m.wr32(0x5004, DS0);
    m.prog([0xc5, 0x03]); // lds eax,[ebx]
    expectFault(m, GP, DS0);
    const m2 = machine(0);
    m2.prog([0x0f, 0xb2, 0xe0]); // lss esp,eax
    expectFault(m2, UD, NOERR);
  });

  it('lss with a null selector is #GP(0)', () => {
    const m = machine(0);
    m.cpu.r[R.EBX] = 0x5000;
    m.wr32(0x5000, 0x1000);
    m.wr32(0x5004, 0);
    m.prog([0x0f, 0xb2, 0x23]);
    expectFault(m, GP, 0);
  });
});
