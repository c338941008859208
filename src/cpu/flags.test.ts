// The value forms of the lazy-flag functions (cfOf, eflagsOf, condOf), which
// the block compiler calls on locals, must give exactly what getCF, getEflags
// and cond give for a register file holding the same values: every kind and
// size, operands at the edges, and EFLAGS bits both set and clear.
import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { cfOf, cond, condOf, eflagsOf, getCF, getEflags } from './flags';

const EDGES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000 | 0, -1, -2, 0x12345678];

describe('lazy flags on values', () => {
  it('equal the register-file functions for every kind, size and edge operand', () => {
    const r = new Int32Array(64);
    let checked = 0;
    for (let kind = 0; kind <= 8; kind++) {
      for (let size = 0; size < 3; size++) {
        const op = kind === 0 ? 0 : (kind << 2) | size;
        for (const a of EDGES) {
          for (const b of EDGES) {
            // The result as the operations would leave it, and an unrelated one.
            for (const res of [(a + b) | 0, (a - b) | 0, a & b, (a + b + 1) | 0, a ^ 0x5a5a5a5a]) {
              for (const ef of [0x2, 0x2 | 0x8d5, 0x2 | 0x400]) {
                r[R.EFLAGS] = ef; r[R.LF_OP] = op; r[R.LF_A] = a; r[R.LF_B] = b; r[R.LF_R] = res;
                const f = getEflags(r);
                if (eflagsOf(ef, op, a, b, res) !== f) expect.fail(`eflagsOf op ${op} a ${a} b ${b} res ${res} ef ${ef}`);
                if (cfOf(ef, op, a, b, res) !== getCF(r)) expect.fail(`cfOf op ${op} a ${a} b ${b} res ${res} ef ${ef}`);
                for (let cc = 0; cc < 16; cc++) {
                  if (condOf(ef, op, a, b, res, cc) !== cond(r, cc)) expect.fail(`condOf cc ${cc} op ${op} a ${a} b ${b} res ${res} ef ${ef}`);
                }
                checked++;
              }
            }
          }
        }
      }
    }
    expect(checked).toBe(9 * 3 * EDGES.length * EDGES.length * 5 * 3);
  });
});
