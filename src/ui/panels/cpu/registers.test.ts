import { describe, expect, it } from 'vitest';
import { K_ADD, K_LOGIC, K_SUB, S32, S8 } from '../../../shared/eflags';
import { R, SEG_ATTR, SEG_CS, SEG_DS, SEG_SEL } from '../../../shared/layout';
import { hex32 } from '../../lib/hex';
import {
  REG_COUNT, REG_INDEX, changedFields, crBits, describeSelector, eflagsBits, eflagsIopl, eflagsOfRegs, modeText,
  readRegisters, retiredOf, ringText,
} from './registers';

function regFile(): Int32Array {
  return new Int32Array(256);
}

describe('EFLAGS from a register file', () => {
  it('evaluates lazy flags: a SUB that borrowed leaves CF and SF, and keeps IF from EFLAGS', () => {
    const r = regFile();
    r[R.EFLAGS] = 0x202;
    r[R.LF_OP] = (K_SUB << 2) | S32; r[R.LF_A] = 1; r[R.LF_B] = 2; r[R.LF_R] = -1;
    const f = eflagsOfRegs(r);
    const set = eflagsBits(f).filter((b) => b.set).map((b) => b.name);
    expect(set).toEqual(['CF', 'PF', 'AF', 'SF', 'IF']);
  });

  it('takes the lazy kind’s size: an 8-bit ADD that wrapped to zero sets ZF and CF', () => {
    const r = regFile();
    r[R.EFLAGS] = 0x2;
    r[R.LF_OP] = (K_ADD << 2) | S8; r[R.LF_A] = 0xff; r[R.LF_B] = 1; r[R.LF_R] = 0x100;
    expect(eflagsBits(eflagsOfRegs(r)).filter((b) => b.set).map((b) => b.name)).toEqual(['CF', 'PF', 'AF', 'ZF']);
  });

  it('uses EFLAGS alone when nothing is lazy, and LOGIC clears CF and OF', () => {
    const r = regFile();
    r[R.EFLAGS] = 0x2 | 0x801 | 0x3000;
    expect(eflagsOfRegs(r)).toBe(0x3803);
    expect(eflagsIopl(eflagsOfRegs(r))).toBe(3);
    r[R.LF_OP] = (K_LOGIC << 2) | S32; r[R.LF_R] = 0x80;
    expect(eflagsOfRegs(r) & 0x8c1).toBe(0);
  });
});

describe('register snapshot', () => {
  it('reads the general registers, EIP, EFLAGS, selectors, control registers and CPL', () => {
    const r = regFile();
    for (let i = 0; i < 8; i++) r[i] = 0x1000 * (i + 1);
    r[R.EIP] = 0xc0001234 | 0;
    r[R.EFLAGS] = 0x246;
    r[R.SEG + SEG_CS * 4 + SEG_SEL] = 0xe019;
    r[R.SEG + SEG_DS * 4 + SEG_SEL] = 0xe021;
    r[R.CR3] = 0x123000;
    r[R.CPL] = 1;
    const s = new Int32Array(REG_COUNT);
    readRegisters(r, s);
    expect(s[REG_INDEX.ebx]).toBe(0x4000);
    expect(hex32(s[REG_INDEX.eip])).toBe('c0001234');
    expect(s[REG_INDEX.eflags]).toBe(0x246);
    expect(s[REG_INDEX.cs]).toBe(0xe019);
    expect(s[REG_INDEX.ds]).toBe(0xe021);
    expect(s[REG_INDEX.cr3]).toBe(0x123000);
    expect(s[REG_INDEX.cpl]).toBe(1);
    const next = s.slice();
    next[REG_INDEX.eax] = 7;
    expect(changedFields(s, next).map((c, i) => (c ? i : -1)).filter((i) => i >= 0)).toEqual([REG_INDEX.eax]);
    expect(changedFields(null, next).some((c) => c)).toBe(false);
    new Float64Array(r.buffer, R.ICOUNT_F64 * 4, 1)[0] = 2 ** 40 + 3;
    expect(retiredOf(r)).toBe(2 ** 40 + 3);
  });
});

describe('decodings', () => {
  it('names control register bits', () => {
    expect(crBits('cr0', 0x80010033 | 0)).toEqual(['PE', 'MP', 'ET', 'NE', 'WP', 'PG']);
    expect(crBits('cr4', 0x20)).toEqual(['PAE']);
  });

  it('names Xen’s flat selectors', () => {
    expect(describeSelector(0xe019)).toBe('FLAT_RING1_CS: index 7171, GDT, RPL 1');
    expect(describeSelector(0x000f)).toBe('index 1, LDT, RPL 3');
  });

  it('says which ring and mode', () => {
    expect(ringText(1)).toBe('ring 1: guest kernel');
    expect(ringText(3)).toBe('ring 3: user');
    const r = regFile();
    expect(modeText(r)).toBe('real mode');
    r[R.CR0] = 0x80000001 | 0; r[R.CR4] = 0x20; r[R.SEG + SEG_CS * 4 + SEG_ATTR] = 0x4000;
    expect(modeText(r)).toBe('protected mode, 32-bit code, PAE paging');
    r[R.EFLAGS] = 0x20000;
    expect(modeText(r)).toBe('virtual-8086 mode');
  });
});
