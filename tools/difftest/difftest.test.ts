// The differential test: random instruction sequences run natively (as a
// 32-bit static Linux program) and in the emulator from the same state; every
// register, flag (undefined ones masked) and written byte must match. See
// README.md beside this file. DIFFTEST_COUNT and DIFFTEST_SEED change the set.
import { describe, expect, it } from 'vitest';
import { ARITH, CF, OF, AF, rowTable } from './rows.ts';
import { shiftFlags } from './hooks.ts';
import { caseSeed, formatMismatch, formatReport, generateCase, runDifftest } from './run.ts';
import { buildHarness, ToolchainError } from './native.ts';

const COUNT = Number(process.env.DIFFTEST_COUNT ?? 50_000);
const SEED = Number(process.env.DIFFTEST_SEED ?? 1);

describe('difftest generator', () => {
  const env = { vendor: 'amd' as const, fsNull: true, gsNull: true };

  it('is deterministic: a seed and an index name one sequence', () => {
    const t = rowTable();
    for (const i of [0, 1, 17, 999]) {
      const a = generateCase(t, env, 42, i), b = generateCase(t, env, 42, i);
      expect([...a.code]).toEqual([...b.code]);
      expect(a.regs).toEqual(b.regs);
      expect(a.patches).toEqual(b.patches);
    }
    expect(caseSeed(1, 0, 0)).not.toBe(caseSeed(1, 1, 0));
  });

  it('knows which flags a shift count leaves undefined (SDM)', () => {
    expect(shiftFlags('shl', 0, 32)).toEqual({ rd: 0, wr: 0, udyn: 0 });
    expect(shiftFlags('shl', 32, 32)).toEqual({ rd: 0, wr: 0, udyn: 0 }); // masked to 0
    expect(shiftFlags('shl', 1, 32)).toEqual({ rd: 0, wr: ARITH, udyn: AF });
    expect(shiftFlags('shr', 9, 8)).toEqual({ rd: 0, wr: ARITH, udyn: AF | OF | CF });
    expect(shiftFlags('sar', 9, 8)).toEqual({ rd: 0, wr: ARITH, udyn: AF | OF });
    expect(shiftFlags('rcl', 9, 8)).toEqual({ rd: CF, wr: CF | OF, udyn: OF });
    expect(shiftFlags('rol', 1, 16)).toEqual({ rd: 0, wr: CF | OF, udyn: 0 });
  });
});

describe('difftest against this machine\'s processor', () => {
  it(`runs ${COUNT} sequences natively and in the emulator with identical results`, () => {
    try {
      buildHarness();
    } catch (e) {
      if (e instanceof ToolchainError) throw new Error(`difftest: ${e.message}`, { cause: e });
      throw e;
    }
    const r = runDifftest({ count: COUNT, seed: SEED, keep: 5 });
    const report = formatReport(r);
    console.log(report);
    const detail = r.mismatches.map((m) => formatMismatch(m, SEED)).join('\n\n');
    if (r.mismatchCount) console.log(detail);
    expect(r.compared).toBe(COUNT);
    expect(r.mismatchCount, `${r.mismatchCount} mismatches; the first ones:\n${detail}`).toBe(0);
  }, 900_000);
});
