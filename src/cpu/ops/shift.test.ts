import { describe, expect, it } from 'vitest';
import { R, SEG_DS } from '../../shared/layout';
import { AF, CF, EXIT_EXCEPTION, EXIT_LIMIT, GP, OF, PF, SF, ZF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000, DATA = 0x2000;
const ARITH6 = CF | PF | AF | ZF | SF | OF;

interface Case {
  asm: string;
  code: number[];
  eax?: number; ebx?: number; ecx?: number;
  /** Arithmetic flags before. */
  fin?: number;
  /** Expected EAX (or the low part `mask` of it). */
  out: number;
  mask?: number;
  /** Expected flags, compared under `fmask` (the flags the SDM defines for this case). */
  flags: number;
  fmask: number;
}

function exec(code: number[], regs: { eax?: number; ebx?: number; ecx?: number }, fin = 0): TestMachine {
  const m = testMachine();
  m.cpu.interceptExc = -1;
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  m.cpu.r[R.EAX] = regs.eax ?? 0;
  m.cpu.r[R.EBX] = regs.ebx ?? 0;
  m.cpu.r[R.ECX] = regs.ecx ?? 0;
  m.cpu.r[R.EFLAGS] = 0x2 | fin;
  expect(m.run(1)).toBe(EXIT_LIMIT);
  return m;
}

const cases: Case[] = [
  // SHL/SAL: CF = last bit out; OF (count 1) = MSB(result) ^ CF.
  { asm: 'shl al,1', code: [0xd0, 0xe0], eax: 0x80, out: 0, mask: 0xff, flags: CF | OF | ZF | PF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shl al,1 (0x40)', code: [0xd0, 0xe0], eax: 0x40, out: 0x80, mask: 0xff, flags: OF | SF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'sal al,1 (/6 alias)', code: [0xd0, 0xf0], eax: 0xc1, out: 0x82, mask: 0xff, flags: CF | SF | PF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shl eax,31', code: [0xc1, 0xe0, 31], eax: 3, out: 0x80000000 | 0, flags: CF | SF | PF, fmask: CF | ZF | SF | PF },
  { asm: 'shl eax,33 (count masked to 1)', code: [0xc1, 0xe0, 33], eax: 0x80000001, out: 2, flags: CF | OF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shl ax,16: result 0 (CF undefined)', code: [0x66, 0xc1, 0xe0, 16], eax: 0x1234ffff, out: 0x12340000, flags: ZF | PF, fmask: ZF | SF | PF },
  { asm: 'shl al,cl=7', code: [0xd2, 0xe0], eax: 0x03, ecx: 7, out: 0x80, mask: 0xff, flags: CF | SF, fmask: CF | ZF | SF | PF },
  // SHR: OF (count 1) = MSB of the original.
  { asm: 'shr al,1', code: [0xd0, 0xe8], eax: 0x81, out: 0x40, mask: 0xff, flags: CF | OF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shr eax,cl=31', code: [0xd3, 0xe8], eax: 0xc0000000 | 0, ecx: 31, out: 1, flags: CF, fmask: CF | ZF | SF | PF },
  { asm: 'shr ax,15', code: [0x66, 0xc1, 0xe8, 15], eax: 0x8000, out: 1, flags: 0, fmask: CF | ZF | SF | PF },
  // SAR: OF (count 1) = 0; CF = last bit out, the sign bit once the count passes the size.
  { asm: 'sar al,1', code: [0xd0, 0xf8], eax: 0x81, out: 0xc0, mask: 0xff, flags: CF | SF | PF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'sar eax,31', code: [0xc1, 0xf8, 31], eax: 0x80000000 | 0, out: -1, flags: SF | PF, fmask: CF | ZF | SF | PF },
  { asm: 'sar al,9', code: [0xc0, 0xf8, 9], eax: 0x80, out: 0xff, mask: 0xff, flags: CF | SF | PF, fmask: CF | ZF | SF | PF },
  { asm: 'sar ax,cl=20', code: [0x66, 0xd3, 0xf8], eax: 0x7fff, ecx: 20, out: 0, mask: 0xffff, flags: ZF | PF, fmask: CF | ZF | SF | PF },
  // Count 0 (also 32 masked to 0): nothing changes, not even flags.
  { asm: 'shl eax,cl=0', code: [0xd3, 0xe0], eax: 5, ecx: 0, fin: CF | OF | AF, out: 5, flags: CF | OF | AF, fmask: ARITH6 },
  { asm: 'sar eax,32', code: [0xc1, 0xf8, 32], eax: -8, fin: ZF | SF, out: -8, flags: ZF | SF, fmask: ARITH6 },
  { asm: 'rol eax,cl=32', code: [0xd3, 0xc0], eax: 0x80000001, ecx: 32, fin: PF, out: 0x80000001 | 0, flags: PF, fmask: ARITH6 },
  // ROL/ROR: CF from the rotated bit; OF (count 1) = MSB ^ CF (ROL), MSB ^ MSB-1 (ROR); SF ZF AF PF kept.
  { asm: 'rol al,1', code: [0xd0, 0xc0], eax: 0x80, fin: ZF | AF, out: 0x01, mask: 0xff, flags: CF | OF | ZF | AF, fmask: ARITH6 },
  { asm: 'rol al,8: no change, CF = LSB', code: [0xc0, 0xc0, 8], eax: 0x81, out: 0x81, mask: 0xff, flags: CF, fmask: CF | ZF | SF | AF | PF },
  { asm: 'rol ax,4', code: [0x66, 0xc1, 0xc0, 4], eax: 0x1234, out: 0x2341, mask: 0xffff, flags: CF, fmask: CF | ZF | SF | AF | PF },
  { asm: 'ror al,1', code: [0xd0, 0xc8], eax: 0x01, out: 0x80, mask: 0xff, flags: CF | OF, fmask: ARITH6 },
  { asm: 'ror eax,cl=4', code: [0xd3, 0xc8], eax: 0x12345678, ecx: 4, out: 0x81234567 | 0, flags: CF, fmask: CF | ZF | SF | AF | PF },
  { asm: 'ror eax,cl=31', code: [0xd3, 0xc8], eax: 0x40000000, ecx: 31, out: 0x80000000 | 0, flags: CF, fmask: CF },
  // RCL/RCR rotate through CF: 9 bits for bytes, 17 for words, 33 for dwords.
  { asm: 'rcl al,1 (CF=1)', code: [0xd0, 0xd0], eax: 0x80, fin: CF, out: 0x01, mask: 0xff, flags: CF | OF, fmask: ARITH6 },
  { asm: 'rcl al,9: unchanged', code: [0xc0, 0xd0, 9], eax: 0x5a, fin: CF, out: 0x5a, mask: 0xff, flags: CF, fmask: CF | ZF | SF | AF | PF },
  { asm: 'rcl al,8 (CF=1)', code: [0xc0, 0xd0, 8], eax: 0x00, fin: CF, out: 0x80, mask: 0xff, flags: 0, fmask: CF },
  { asm: 'rcl eax,31', code: [0xc1, 0xd0, 31], eax: 2, out: 0, flags: CF, fmask: CF },
  { asm: 'rcl eax,cl=1 (CF=0)', code: [0xd3, 0xd0], eax: 0x80000000 | 0, ecx: 1, out: 0, flags: CF | OF, fmask: CF | OF },
  { asm: 'rcr al,1 (CF=1)', code: [0xd0, 0xd8], eax: 0x01, fin: CF, out: 0x80, mask: 0xff, flags: CF | OF, fmask: CF | OF },
  { asm: 'rcr ax,17: unchanged', code: [0x66, 0xc1, 0xd8, 17], eax: 0xbeef, out: 0xbeef, mask: 0xffff, flags: 0, fmask: CF },
  { asm: 'rcr ax,16 (CF=0)', code: [0x66, 0xc1, 0xd8, 16], eax: 0x8001, out: 0x0002, mask: 0xffff, flags: CF, fmask: CF },
  { asm: 'rcr eax,1 (CF=1)', code: [0xd1, 0xd8], eax: 1, fin: CF, out: 0x80000000 | 0, flags: CF | OF, fmask: CF | OF },
  { asm: 'rcr eax,cl=31 (CF=1)', code: [0xd3, 0xd8], eax: 0x40000001, ecx: 31, fin: CF, out: 0x00000006, flags: CF, fmask: CF },
  // SHLD/SHRD.
  { asm: 'shld eax,ebx,4', code: [0x0f, 0xa4, 0xd8, 4], eax: 0x12345678, ebx: 0x9abcdef0 | 0, out: 0x23456789, flags: CF, fmask: CF | ZF | SF | PF },
  { asm: 'shld eax,ebx,1 (sign change)', code: [0x0f, 0xa4, 0xd8, 1], eax: 0x40000000, ebx: 0x80000000 | 0, out: 0x80000001 | 0, flags: OF | SF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shrd eax,ebx,4', code: [0x0f, 0xac, 0xd8, 4], eax: 0x12345678, ebx: 0x9abcdef5 | 0, out: 0x51234567, flags: CF, fmask: CF | ZF | SF | PF },
  { asm: 'shrd eax,ebx,cl=1', code: [0x0f, 0xad, 0xd8], eax: 1, ebx: 0, ecx: 1, out: 0, flags: CF | ZF | PF, fmask: CF | OF | ZF | SF | PF },
  { asm: 'shrd eax,ebx,cl=32: count 0', code: [0x0f, 0xad, 0xd8], eax: 7, ebx: 1, ecx: 32, fin: SF | OF, out: 7, flags: SF | OF, fmask: ARITH6 },
  { asm: 'shld ax,bx,16', code: [0x66, 0x0f, 0xa4, 0xd8, 16], eax: 0x1235, ebx: 0xabcd, out: 0xabcd, mask: 0xffff, flags: CF | SF, fmask: CF | ZF | SF | PF },
  { asm: 'shrd ax,bx,cl=8', code: [0x66, 0x0f, 0xad, 0xd8], eax: 0x1280, ebx: 0x00cd, ecx: 8, out: 0xcd12, mask: 0xffff, flags: CF | SF | PF, fmask: CF | ZF | SF | PF },
];

describe('shifts and rotates (SDM operation sections)', () => {
  it.each(cases)('$asm', (t) => {
    const m = exec(t.code, t, t.fin ?? 0);
    const mask = t.mask ?? -1;
    expect((m.cpu.r[R.EAX] & mask) >>> 0).toBe((t.out & mask) >>> 0);
    if (t.mask !== undefined) expect(m.cpu.r[R.EAX] & ~mask).toBe((t.eax ?? 0) & ~mask); // upper bits kept
    expect(getEflags(m.cpu.r) & t.fmask).toBe(t.flags);
  });

  it('shifts a memory operand in place', () => {
    const m = testMachine();
    m.load(CODE, [0xd3, 0x25, 0x00, 0x20, 0x00, 0x00]); // shl dword [0x2000],cl
    m.mem.i32[DATA >> 2] = 0x00f0000f;
    m.cpu.r[R.ECX] = 4;
    m.cpu.r[R.EIP] = CODE;
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(m.mem.i32[DATA >> 2]).toBe(0x0f0000f0);
  });

  it('a count of 0 still needs a writable operand: a read-only segment faults', () => {
    const m = testMachine();
    m.cpu.interceptExc = -1;
    // DS: read-only data (type 0, accessed), flat otherwise.
    m.cpu.setSeg(SEG_DS, 0x10, 0, -1, 0x91 | 0x4000 | 0x8000);
    m.load(CODE, [0xd3, 0x25, 0x00, 0x20, 0x00, 0x00]); // shl dword [0x2000],cl
    m.cpu.r[R.ECX] = 0;
    m.cpu.r[R.EIP] = CODE;
    expect(m.run(1)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(GP);
    expect(m.cpu.r[R.EXIT_ERROR]).toBe(0);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
  });
});
