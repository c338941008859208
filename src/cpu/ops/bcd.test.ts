import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { AF, CF, DE, EXIT_EXCEPTION, EXIT_LIMIT, PF, SF, UD, ZF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000;

function exec(code: number[], eax: number, fin = 0): { m: TestMachine; exit: number } {
  const m = testMachine();
  m.cpu.interceptExc = -1;
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  m.cpu.r[R.EAX] = eax;
  m.cpu.r[R.EFLAGS] = 0x2 | fin;
  return { m, exit: m.run(1) };
}

// [asm, code, EAX in, flags in, EAX out, flags out, flags the SDM defines]
type Case = [string, number[], number, number, number, number, number];
const DAA_DEF = CF | AF | SF | ZF | PF;
const AAA_DEF = CF | AF;
const AAM_DEF = SF | ZF | PF;

const cases: Case[] = [
  // DAA after adding packed BCD: 0x15 + 0x27 = 0x3c -> 0x42.
  ['daa: low digit', [0x27], 0x3c, 0, 0x42, AF | PF, DAA_DEF],
  ['daa: AF set from the add', [0x27], 0x11, AF, 0x17, AF | PF, DAA_DEF],
  ['daa: 0x99 + 0x01 = 0x9a -> 0x00, carry', [0x27], 0x9a, 0, 0x00, CF | AF | ZF | PF, DAA_DEF],
  ['daa: high digit only', [0x27], 0xa0, 0, 0x00, CF | ZF | PF, DAA_DEF],
  ['daa: CF in forces +0x60', [0x27], 0x12, CF, 0x72, CF | PF, DAA_DEF],
  ['daa: nothing to adjust clears CF and AF', [0x27], 0x45, 0, 0x45, 0, DAA_DEF],
  // DAS after subtracting: 0x42 - 0x15 = 0x2d -> 0x27.
  ['das: low digit', [0x2f], 0x2d, AF, 0x27, AF | PF, DAA_DEF],
  ['das: 0x00 - 0x01 = 0xff -> 0x99', [0x2f], 0xff, CF | AF, 0x99, CF | AF | SF | PF, DAA_DEF],
  ['das: AF with AL < 6 borrows (no -60h: old AL and CF decide)', [0x2f], 0x03, AF, 0xfd, CF | AF | SF, DAA_DEF],
  ['das: nothing to adjust', [0x2f], 0x45, 0, 0x45, 0, DAA_DEF],
  // AAA/AAS on unpacked BCD in AX.
  ['aaa: 9 + 5 = 0x0e -> AH+1, AL 4', [0x37], 0x0e, 0, 0x0104, CF | AF, AAA_DEF],
  ['aaa: no adjust clears the high nibble', [0x37], 0x0235, 0, 0x0205, 0, AAA_DEF],
  ['aaa: AF set', [0x37], 0x0012, AF, 0x0108, CF | AF, AAA_DEF],
  ['aaa: AX + 106h carries out of AL', [0x37], 0x00fa, 0, 0x0200, CF | AF, AAA_DEF],
  ['aas: 4 - 5 = 0xff -> AH-1, AL 9', [0x3f], 0x02ff, AF, 0x0109, CF | AF, AAA_DEF],
  ['aas: no adjust', [0x3f], 0x0235, 0, 0x0205, 0, AAA_DEF],
  ['aas: AH wraps', [0x3f], 0x000b, 0, 0xff05, CF | AF, AAA_DEF],
  // AAM / AAD.
  ['aam: 0x3f = 63 -> 6, 3', [0xd4, 0x0a], 0x003f, 0, 0x0603, PF, AAM_DEF],
  ['aam 16: nibbles', [0xd4, 0x10], 0x00f0, 0, 0x0f00, ZF | PF, AAM_DEF],
  ['aad: 6, 3 -> 63', [0xd5, 0x0a], 0x0603, 0, 0x003f, PF, AAM_DEF],
  ['aad: wraps to a byte, AH cleared', [0xd5, 0x0a], 0x1a05, 0, 0x0009, PF, AAM_DEF],
  ['aad 0x80 sets SF', [0xd5, 0x80], 0x0100, 0, 0x0080, SF, AAM_DEF],
];

describe('decimal adjust (SDM operation sections)', () => {
  it.each(cases)('%s', (_n, code, eax, fin, out, fout, def) => {
    const { m, exit } = exec(code, 0x12340000 | eax, fin);
    expect(exit).toBe(EXIT_LIMIT);
    expect((m.cpu.r[R.EAX] >>> 0).toString(16)).toBe(((0x12340000 | out) >>> 0).toString(16));
    expect(getEflags(m.cpu.r) & def).toBe(fout);
  });

  it('aam 0 raises #DE and changes nothing', () => {
    const { m, exit } = exec([0xd4, 0x00], 0x1234, CF);
    expect(exit).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(DE);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.r[R.EAX]).toBe(0x1234);
  });

  it('SALC (D6) is undocumented and raises #UD', () => {
    const { m, exit } = exec([0xd6], 0);
    expect(exit).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(UD);
  });
});
