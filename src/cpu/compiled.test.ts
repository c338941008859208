// The region compiler must be invisible: running real gcc-compiled code
// interpreted and compiled (at several thresholds and slicings) must leave the
// same register file and memory at every checkpoint, so that a snapshot
// (which restores with a cold code cache) continues exactly as the original.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { testMachine } from './testing';

const ROOT = resolve(__dirname, '../..');
let image: Uint8Array;

beforeAll(() => {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/bench/cpu/work.bin'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building the benchmark workload failed:\n${res.stdout}${res.stderr}`);
  image = readFileSync(resolve(ROOT, 'guests/build/bench/cpu/work.bin'));
});

function machine(threshold: number) {
  const m = testMachine({ cpl: 0, ramMiB: 16 });
  m.code.compileThreshold = threshold;
  m.load(0x100000, image);
  m.cpu.r[R.EAX] = 3;
  m.cpu.r[R.EIP] = 0x100000;
  return m;
}

describe('compiled code equals interpreted code', () => {
  it('on the benchmark workload, at every checkpoint', () => {
    const configs = [
      { threshold: 0, slice: 250_000 },
      { threshold: 1, slice: 250_000 },
      { threshold: 8, slice: 77_777 },
      { threshold: 2, slice: 1_000_003 },
    ];
    const machines = configs.map((cfg) => ({ cfg, m: machine(cfg.threshold) }));
    const total = 1_000_000;
    for (let checkpoint = 250_000; checkpoint <= total; checkpoint += 250_000) {
      for (const { cfg, m } of machines) {
        while (m.cpu.instructions < checkpoint) m.run(Math.min(cfg.slice, checkpoint - m.cpu.instructions));
      }
      const ref = machines[0].m;
      for (const { cfg, m } of machines.slice(1)) {
        expect({ threshold: cfg.threshold, regs: Array.from(m.cpu.r) }).toEqual({ threshold: cfg.threshold, regs: Array.from(ref.cpu.r) });
        expect(Buffer.compare(Buffer.from(m.mem.u8), Buffer.from(ref.mem.u8))).toBe(0);
      }
    }
    expect(machines[1].m.code.compiled).toBeGreaterThan(10);
  });
});
