import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { CR0_EM, CR0_MP, CR0_TS, EXIT_EXCEPTION, EXIT_LIMIT, NM, UD } from '../defs';
import { NOERR } from '../exceptions';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000;

function machine(cr0Bits: number): TestMachine {
  const m = testMachine({ cpl: 3 });
  m.cpu.interceptExc = -1;
  m.cpu.r[R.CR0] = (m.cpu.r[R.CR0] & ~(CR0_EM | CR0_MP | CR0_TS)) | cr0Bits;
  return m;
}

function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}

function expectFault(m: TestMachine, reason: number, vector: number): void {
  expect(reason).toBe(EXIT_EXCEPTION);
  expect(m.cpu.r[R.EXIT_VECTOR]).toBe(vector);
  expect(m.cpu.r[R.EXIT_ERROR]).toBe(NOERR);
  expect(m.cpu.r[R.EIP]).toBe(CODE);
}

// fld1; fadd st,st(1); fldl [eax]; fnstsw ax; fistp dword [ebx+0x10]; fild qword [esp+4]; fnstcw [0x1234]; fucomip st,st(1)
const ESCAPES = [
  [0xd9, 0xe8], [0xd8, 0xc1], [0xdd, 0x00], [0xdf, 0xe0], [0xdb, 0x5b, 0x10], [0xdf, 0x6c, 0x24, 0x04],
  [0xd9, 0x3d, 0x34, 0x12, 0, 0], [0xdf, 0xe9],
];

describe('x87 escapes without an FPU', () => {
  it('raise #NM with CR0.EM, with CR0.TS, and with neither (there is no FPU)', () => {
    for (const bits of [CR0_EM, CR0_EM | CR0_MP, CR0_TS, CR0_MP | CR0_TS, 0]) {
      for (const bytes of ESCAPES) {
        const m = machine(bits);
        expectFault(m, exec(m, bytes), NM);
        expect(m.cpu.instructions).toBe(0);
      }
    }
  });

  it('FWAIT raises #NM only with CR0.MP and CR0.TS both set', () => {
    const m = machine(CR0_MP | CR0_TS);
    expectFault(m, exec(m, [0x9b]), NM);
    for (const bits of [CR0_EM, CR0_MP, CR0_TS, CR0_EM | CR0_TS, 0]) {
      const k = machine(bits);
      expect(exec(k, [0x9b, 0x9b], 2)).toBe(EXIT_LIMIT);
      expect(k.cpu.r[R.EIP]).toBe(CODE + 2);
    }
  });

  it('MMX and SSE opcodes are #UD', () => {
    // movq mm0,[eax]; movaps xmm0,xmm1; emms; pxor mm0,mm0
    for (const bytes of [[0x0f, 0x6f, 0x00], [0x0f, 0x28, 0xc1], [0x0f, 0x77], [0x0f, 0xef, 0xc0]]) {
      const m = machine(CR0_EM);
      expectFault(m, exec(m, bytes), UD);
    }
  });
});
