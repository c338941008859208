// Stack-frame limit checks (expand-up and expand-down, 16- and 32-bit) and
// the accessed bit written back by CS and SS loads.
import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { EXIT_LIMIT } from './defs';
import { frameFits, segRangeOk } from './segments';
import {
  CS0, FREE, GDT, gateDesc, pmMachine, segDesc, STACK, T_CALL32, T_CODE_XR, T_DATA_RW_DOWN, TSS,
} from './testing-desc';

const UP32 = 0x4093, DOWN32 = 0x4097, DOWN16 = 0x0097;

describe('segRangeOk and frameFits', () => {
  it('expand-up: the last byte must be within the limit', () => {
    expect(segRangeOk(0xfff, UP32, 0xffc, 4)).toBe(true);
    expect(segRangeOk(0xfff, UP32, 0xffd, 4)).toBe(false);
  });
  it('expand-down: offsets above the limit, up to 4 GiB or 64 KiB by the B bit', () => {
    expect(segRangeOk(0xfff, DOWN32, 0x1000, 4)).toBe(true);
    expect(segRangeOk(0xfff, DOWN32, 0xffc, 4)).toBe(false);
    expect(segRangeOk(0xfff, DOWN32, 0xfffffffc, 4)).toBe(true);
    expect(segRangeOk(0xfff, DOWN16, 0xfffc, 4)).toBe(true);
    expect(segRangeOk(0xfff, DOWN16, 0xfffe, 4)).toBe(false);
  });
  it('frameFits checks every slot below the stack pointer, wrapping SP on a 16-bit stack', () => {
    expect(frameFits(3, 4, 0x100c, 0xfff, DOWN32)).toBe(true);
    expect(frameFits(4, 4, 0x100c, 0xfff, DOWN32)).toBe(false);
    expect(frameFits(2, 2, 0x10002, 0xfff, DOWN16)).toBe(false); // SP 2 wraps to 0xfffe, 0x0000 is below the limit
    expect(frameFits(1, 2, 0x0, 0xfff, DOWN16)).toBe(true); // SP 0 wraps to 0xfffe
  });
});

describe('the accessed bit', () => {
  it('is set in the GDT for the CS and SS a call gate loads, and the stack may be expand-down', () => {
    const m = pmMachine(3);
    const SEL = FREE * 8;
    m.gdt(FREE, gateDesc(SEL + 8, 0x30000, T_CALL32, 3));
    m.gdt(FREE + 1, segDesc({ type: T_CODE_XR, dpl: 0, keepAccessed: true }));
    m.gdt(FREE + 2, segDesc({ type: T_DATA_RW_DOWN, dpl: 0, limit: 0x7ffff, keepAccessed: true }));
    m.wr32(TSS + 8, SEL + 16);
    m.wr32(TSS + 4, STACK[0]);
    // lcall $SEL|3,$0
    m.prog([0x9a, 0, 0, 0, 0, SEL | 3, 0]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, m.cpu.r[R.EIP], m.cpu.r[R.ESP]]).toEqual([0, 0x30000, STACK[0] - 16]);
    expect(m.rd32(GDT + SEL + 12) & 0x100).toBe(0x100);
    expect(m.rd32(GDT + SEL + 20) & 0x100).toBe(0x100);
    expect(m.rd32(GDT + CS0 + 4) & 0x100).toBe(0x100);
  });
});
