// Pacing never changes what a guest sees (DESIGN.md principle 2): a machine whose
// idle time is let run only up to a moving limit, as the worker does against the
// wall clock, is the same machine at the same instruction count as one left to
// skip freely -- same state hash, same output -- for a guest that sleeps on
// timers (the timer test kernel) and for pvos booting, which prints to its
// console ring and waits on timers in between (dom0's services then run at the
// same points in both).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from './machine';
import { machineHash } from './hash';

const ROOT = resolve(__dirname, '../..');
let timer: Uint8Array, pvos: Uint8Array;

beforeAll(() => {
  for (const target of ['build/tests/timer.elf', 'pvos']) {
    const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), target], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`building ${target} failed:\n${res.stdout}${res.stderr}`);
  }
  timer = readFileSync(resolve(ROOT, 'guests/build/tests/timer.elf'));
  pvos = readFileSync(resolve(ROOT, 'guests/build/kernel/pvos.elf'));
}, 120_000);

function boot(kernel: Uint8Array, memMiB: number): { m: Machine; out: string[] } {
  const out: string[] = [];
  const m = new Machine({ ramMiB: 48, maxVcpus: 1 }, {
    hvConsole: (_d, b) => out.push(Buffer.from(b).toString('latin1')),
    guestConsole: (_d, b) => out.push(Buffer.from(b).toString('latin1')),
  });
  m.createGuest({ name: 'guest', kernel, memMiB });
  return { m, out };
}

describe('pacing', () => {
  it.each([
    ['timer', 50_000, 3_000_000, 'OK the periodic timer ticks while we block', []],
    ['pvos', 20_000, 60_000_000, 'slept', ['sleep 30', 'echo one', 'sleep 20', 'uptime']],
  ])('%s: a paced run and a free one agree at every instruction count', (name, step, until, expected, lines) => {
    const typing = [...lines];
    const kernel = name === 'pvos' ? pvos : timer;
    const free = boot(kernel, name === 'pvos' ? 32 : 8), paced = boot(kernel, name === 'pvos' ? 32 : 8);
    let s = 12345;
    const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    let waits = 0;
    // Both go to each target, unless the guest goes idle first (then both stop there).
    for (let target = step; target <= until; target += step) {
      let idle = false;
      while (!idle && free.m.executed < target) {
        const before = free.m.executed;
        idle = free.m.run(target - free.m.executed) !== 'budget' && free.m.executed === before;
      }
      const goal = free.m.executed;
      // The paced one creeps up on the goal: its limit moves a little at a time,
      // so it stops short in idle waits again and again.
      while (paced.m.executed < goal) {
        paced.m.hv.timeLimit = paced.m.hv.time.now + rnd() * 3_000_000;
        const o = paced.m.run(Math.min(1 + Math.floor(rnd() * step), goal - paced.m.executed));
        if (o === 'waiting' || o === 'idle') waits++;
      }
      paced.m.hv.timeLimit = Infinity;
      if (idle) {
        // The free one sat idle at the goal: let the paced one settle there too.
        paced.m.run(1);
        expect(paced.m.executed).toBe(goal);
      }
      expect(machineHash(paced.m), `at ${target}`).toBe(machineHash(free.m));
      if (idle && typing.length > 0) {
        // Both wait for input at the same instruction and time: the same keys for both.
        const keys = new TextEncoder().encode(`${typing.shift()}\n`);
        free.m.type(1, keys);
        paced.m.type(1, keys);
        continue;
      }
      if (idle || free.m.domain(1)!.state !== 'running') break;
    }
    expect(waits).toBeGreaterThan(10);
    expect(free.out.join('')).toContain(expected);
    expect(paced.out.join('')).toBe(free.out.join(''));
  });
});
