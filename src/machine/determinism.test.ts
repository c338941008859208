// Same kernel, same inputs: the same machine, bit for bit, whatever the host
// slicing and whether code was compiled (DESIGN.md principle 2).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from './machine';
import { machineHash } from './hash';

const ROOT = resolve(__dirname, '../..');
let kernel: Uint8Array;

beforeAll(() => {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/tests/hello.elf'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building guests/tests/hello.elf failed:\n${res.stdout}${res.stderr}`);
  kernel = readFileSync(resolve(ROOT, 'guests/build/tests/hello.elf'));
});

function boot(compileThreshold: number): { m: Machine; out: string[] } {
  const out: string[] = [];
  const m = new Machine({ ramMiB: 32 }, { hvConsole: (_d, b) => out.push(Buffer.from(b).toString('latin1')) });
  m.hv.code.compileThreshold = compileThreshold;
  m.createGuest({ name: 'hello', kernel, memMiB: 8, cmdline: 'determinism' });
  return { m, out };
}

describe('determinism', () => {
  it('two boots give the same state hash at the same instruction counts', () => {
    const a = boot(8), b = boot(1), c = boot(0);
    const hashes: string[][] = [[], [], []];
    // Different host slicing: 20k, 7k and 50k instructions per run() call.
    const step = [20_000, 7_000, 50_000];
    for (let target = 20_000; target <= 60_000; target += 20_000) {
      [a, b, c].forEach(({ m }, k) => {
        while (m.executed < target) m.run(Math.min(step[k], target - m.executed));
        hashes[k].push(machineHash(m));
      });
    }
    expect(hashes[1]).toEqual(hashes[0]);
    expect(hashes[2]).toEqual(hashes[0]);
    expect(a.out.join('')).toContain('hello from a pvplay test kernel');
    expect(b.out.join('')).toEqual(a.out.join(''));
  });
});
