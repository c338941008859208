import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { CF, DE, EXIT_EXCEPTION, EXIT_LIMIT, OF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';
import { lastMulHi, mulS32, mulU32 } from './muldiv';

const CODE = 0x1000;

function exec(code: number[], eax: number, edx: number, ebx: number, fin = 0): { m: TestMachine; exit: number } {
  const m = testMachine();
  m.cpu.interceptExc = -1;
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  m.cpu.r[R.EAX] = eax;
  m.cpu.r[R.EDX] = edx;
  m.cpu.r[R.EBX] = ebx;
  m.cpu.r[R.EFLAGS] = 0x2 | fin;
  const exit = m.run(1);
  return { m, exit };
}
const u = (x: number) => x >>> 0;

describe('32x32->64 products without BigInt', () => {
  const vals = [0, 1, 2, 3, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678, 0x9abcdef0, 0xdeadbeef];
  it('mulU32 and mulS32 agree with exact BigInt arithmetic', () => {
    for (const a of vals) for (const b of vals) {
      const lo = mulU32(a | 0, b | 0), hi = lastMulHi();
      const p = BigInt(a) * BigInt(b);
      expect(u(lo)).toBe(Number(p & 0xffffffffn));
      expect(u(hi)).toBe(Number(p >> 32n));
      const sa = BigInt(a | 0), sb = BigInt(b | 0);
      const sp = BigInt.asUintN(64, sa * sb);
      const slo = mulS32(a | 0, b | 0), shi = lastMulHi();
      expect(u(slo)).toBe(Number(sp & 0xffffffffn));
      expect(u(shi)).toBe(Number(sp >> 32n));
    }
  });
});

describe('MUL and IMUL', () => {
  it('mul bl: AX = AL * BL; CF = OF = (AH != 0)', () => {
    let { m } = exec([0xf6, 0xe3], 0x12340010, 0, 0x10); // mul bl
    expect(m.cpu.r[R.EAX]).toBe(0x12340100);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
    ({ m } = exec([0xf6, 0xe3], 0x0f, 0, 0x11, CF | OF));
    expect(m.cpu.r[R.EAX]).toBe(0xff);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(0);
  });
  it('mul bx: DX:AX', () => {
    const { m } = exec([0x66, 0xf7, 0xe3], 0xaaaaffff, 0xbbbb0000 | 0, 0xffff); // mul bx
    expect(u(m.cpu.r[R.EAX])).toBe(0xaaaa0001);
    expect(u(m.cpu.r[R.EDX])).toBe(0xbbbbfffe);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
  });
  it('mul ebx: EDX:EAX = 0xffffffff^2', () => {
    const { m } = exec([0xf7, 0xe3], -1, 0, -1); // mul ebx
    expect(u(m.cpu.r[R.EAX])).toBe(1);
    expect(u(m.cpu.r[R.EDX])).toBe(0xfffffffe);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
  });
  it('imul bl: CF = OF when AX is not the sign extension of AL', () => {
    let { m } = exec([0xf6, 0xeb], 0xff, 0, 0x80); // imul bl: -1 * -128 = 128
    expect(m.cpu.r[R.EAX] & 0xffff).toBe(0x0080);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
    ({ m } = exec([0xf6, 0xeb], 0xff, 0, 0x7f)); // -1 * 127 = -127 fits
    expect(m.cpu.r[R.EAX] & 0xffff).toBe(0xff81);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(0);
  });
  it('imul ebx: signed EDX:EAX', () => {
    let { m } = exec([0xf7, 0xeb], 0x80000000 | 0, 0, -1); // -2^31 * -1 = 2^31
    expect(u(m.cpu.r[R.EAX])).toBe(0x80000000);
    expect(m.cpu.r[R.EDX]).toBe(0);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
    ({ m } = exec([0xf7, 0xeb], -3, 0, 5));
    expect(m.cpu.r[R.EAX]).toBe(-15);
    expect(m.cpu.r[R.EDX]).toBe(-1);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(0);
  });
  it('imul eax,ebx (0F AF) and the immediate forms truncate and flag overflow', () => {
    let { m } = exec([0x0f, 0xaf, 0xc3], 0x10000, 0, 0x10000); // imul eax,ebx
    expect(m.cpu.r[R.EAX]).toBe(0);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
    ({ m } = exec([0x6b, 0xc3, 0xfd], 0, 0, 7)); // imul eax,ebx,-3
    expect(m.cpu.r[R.EAX]).toBe(-21);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(0);
    ({ m } = exec([0x69, 0xc3, 0xe8, 0x03, 0x00, 0x00], 0, 0, 0x7fffffff)); // imul eax,ebx,1000
    expect(m.cpu.r[R.EAX]).toBe(Math.imul(0x7fffffff, 1000));
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
    ({ m } = exec([0x66, 0x6b, 0xc3, 0x02], 0x11110000, 0, 0x4000)); // imul ax,bx,2 = 0x8000: overflow
    expect(u(m.cpu.r[R.EAX])).toBe(0x11118000);
    expect(getEflags(m.cpu.r) & (CF | OF)).toBe(CF | OF);
  });
});

describe('DIV and IDIV', () => {
  it('div bl: AL = quotient, AH = remainder', () => {
    const { m } = exec([0xf6, 0xf3], 0x12340107, 0, 0x10); // div bl: 263 / 16
    expect(u(m.cpu.r[R.EAX])).toBe(0x12340710);
  });
  it('div bx uses DX:AX', () => {
    const { m } = exec([0x66, 0xf7, 0xf3], 0x0000_0003, 0x0000_0001, 0x0002); // 0x10003 / 2
    expect(m.cpu.r[R.EAX] & 0xffff).toBe(0x8001);
    expect(m.cpu.r[R.EDX] & 0xffff).toBe(1);
  });
  it('div ebx: a 64-bit dividend', () => {
    const { m } = exec([0xf7, 0xf3], 0xffffffff | 0, 0xfffffffe | 0, -1); // (2^64 - 2^32 - 1) / (2^32 - 1)
    expect(u(m.cpu.r[R.EAX])).toBe(0xffffffff);
    expect(u(m.cpu.r[R.EDX])).toBe(0xfffffffe);
    const r2 = exec([0xf7, 0xf3], 0x9abcdef0 | 0, 0x12345678, 0x87654321 | 0).m;
    const n = (0x12345678n << 32n) | 0x9abcdef0n;
    expect(u(r2.cpu.r[R.EAX])).toBe(Number(n / 0x87654321n));
    expect(u(r2.cpu.r[R.EDX])).toBe(Number(n % 0x87654321n));
  });
  it('idiv truncates towards zero; the remainder takes the dividend sign', () => {
    let { m } = exec([0xf7, 0xfb], -7, -1, 2); // idiv ebx: -7 / 2
    expect(m.cpu.r[R.EAX]).toBe(-3);
    expect(m.cpu.r[R.EDX]).toBe(-1);
    ({ m } = exec([0xf6, 0xfb], 0xfff9 /* AX = -7 */, 0, 0xfe /* -2 */)); // idiv bl
    expect(m.cpu.r8[0]).toBe(3);
    expect(m.cpu.r8[1]).toBe(0xff);
    ({ m } = exec([0x66, 0xf7, 0xfb], 0x0000, 0xffff8000 | 0, 0x7fff)); // idiv bx: -2^31 / 32767 overflows
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(DE);
    ({ m } = exec([0xf7, 0xfb], 0x80000000 | 0, -1, 1)); // -2^31 / 1 = -2^31 fits
    expect(u(m.cpu.r[R.EAX])).toBe(0x80000000);
    expect(m.cpu.r[R.EDX]).toBe(0);
    ({ m } = exec([0xf7, 0xfb], 0, 0x40000000, -0x80000000)); // 2^62 / -2^31 = -2^31 fits
    expect(u(m.cpu.r[R.EAX])).toBe(0x80000000);
  });

  const deCases: [string, number[], number, number, number][] = [
    ['div bl by 0', [0xf6, 0xf3], 5, 0, 0],
    ['div bl: quotient > 0xff', [0xf6, 0xf3], 0x100, 0, 1],
    ['div bx: quotient > 0xffff', [0x66, 0xf7, 0xf3], 0, 1, 1],
    ['div ebx by 0', [0xf7, 0xf3], 1, 0, 0],
    ['div ebx: EDX >= divisor', [0xf7, 0xf3], 0, 5, 5],
    ['idiv bl: -128 / -1', [0xf6, 0xfb], 0xff80, 0, 0xff],
    ['idiv bl: 128 / 1', [0xf6, 0xfb], 0x0080, 0, 1],
    ['idiv bx: -32768 / -1', [0x66, 0xf7, 0xfb], 0x8000, 0xffff, 0xffff],
    ['idiv ebx: -2^31 / -1', [0xf7, 0xfb], 0x80000000 | 0, -1, -1],
    ['idiv ebx: 2^31 / 1', [0xf7, 0xfb], 0x80000000 | 0, 0, 1],
    ['idiv ebx: -(2^31 + 1) / 1', [0xf7, 0xfb], 0x7fffffff, -1, 1],
    ['idiv ebx by 0', [0xf7, 0xfb], 1, 0, 0],
  ];
  it.each(deCases)('#DE, registers unchanged: %s', (_n, code, eax, edx, ebx) => {
    const { m, exit } = exec(code, eax, edx, ebx);
    expect(exit).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(DE);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.r[R.EAX]).toBe(eax);
    expect(m.cpu.r[R.EDX]).toBe(edx);
  });

  it('a divide that fits completes normally', () => {
    const { exit } = exec([0xf7, 0xf3], 0, 4, 5); // div ebx: EDX < divisor
    expect(exit).toBe(EXIT_LIMIT);
  });
});
