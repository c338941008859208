// Checkpoints and going back: a Timeline over pvos takes checkpoints within its
// budget while commands are typed; seeking back (and forward again) to any
// instruction count gives exactly the state the machine had there, with the
// inputs after the checkpoint applied again from the log; a new input after a
// seek back starts a new history, which still replays from boot.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../hash';
import { Machine } from '../machine';
import { recipeOf, replay } from './replay';
import { Timeline } from './timeline';
import { Output, pvosImage, useGuestLoader } from './testkit.testutil';

const GUESTS = join(__dirname, '../../../guests');
useGuestLoader((target, file) => {
  execFileSync('make', ['-s', '-C', GUESTS, target], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(join(GUESTS, file)));
});

const enc = new TextEncoder();

/** Run the timeline until exactly `target` instructions retired; false if the machine went idle first. */
function runTo(t: Timeline, target: number): boolean {
  while (t.machine.executed < target) {
    const o = t.run(target - t.machine.executed);
    if (o === 'idle' || o === 'stopped') return t.machine.executed === target;
  }
  return true;
}

function untilIdle(t: Timeline): void {
  for (let k = 0; k < 2000 && t.run(500_000) === 'budget'; k++);
}

describe('timeline', () => {
  it('seeks back and forth to recorded instruction counts and inputs, within its budget', () => {
    const out = new Output();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const t = new Timeline(m, { every: 100_000, budget: 600_000, inputGap: 20_000 });
    // Boot, recording hashes on the way.
    const seen: { at: number; hash: string }[] = [];
    for (let target = 30_000; !out.text(1).includes('\n$ '); target += 47_000) {
      if (!runTo(t, target)) break;
      seen.push({ at: target, hash: machineHash(t.machine) });
    }
    expect(out.text(1)).toContain('\n$ ');
    untilIdle(t);
    // Commands, with hashes recorded while each runs and right after each input.
    const afterInput: { index: number; hash: string }[] = [];
    for (const line of ['ps', 'mem', 'fork', 'evtchn', 'sleep 30', 'uptime']) {
      t.input({ kind: 'console', domid: 1, data: enc.encode(line + '\n') });
      afterInput.push({ index: t.inputs.length - 1, hash: machineHash(t.machine) });
      const base = t.machine.executed;
      for (const d of [1_000, 4_000, 9_000, 17_000, 30_000]) if (runTo(t, base + d)) seen.push({ at: base + d, hash: machineHash(t.machine) });
      untilIdle(t);
    }
    const endHash = machineHash(t.machine), endStamp = t.machine.stamp();
    expect(seen.length).toBeGreaterThan(12);
    expect(t.checkpointBytes).toBeLessThanOrEqual(600_000 + 200_000);
    expect(t.checkpoints.length).toBeGreaterThan(2);

    // Back to each recorded point, in a shuffled order, and forward again.
    const order = seen.map((_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
    for (const i of order) {
      const m2 = t.seek(seen[i].at);
      expect(m2.executed).toBe(seen[i].at);
      expect(machineHash(m2), `at ${seen[i].at}`).toBe(seen[i].hash);
    }
    for (const a of afterInput) expect(machineHash(t.seekInput(a.index)), `after input ${a.index}`).toBe(a.hash);
    // One instruction back, then forward to the end.
    const last = seen[seen.length - 1];
    t.seek(last.at);
    expect(t.seek(last.at - 1).executed).toBe(last.at - 1);
    t.seek(endStamp.at);
    expect(t.machine.executed).toBe(endStamp.at);
    expect(t.end).toEqual(endStamp);
    // The very end: idle time and all, as the machine stood.
    expect(machineHash(t.seekEnd())).toBe(endHash);
    expect(JSON.stringify(t.machine.stamp())).toBe(JSON.stringify(endStamp));
    expect(t.machine.log.length).toBe(t.inputs.length);
  }, 240_000);

  it('a new input after seeking back starts a new history that still replays from boot', () => {
    const out = new Output();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const t = new Timeline(m, { every: 150_000 });
    untilIdle(t);
    t.input({ kind: 'console', domid: 1, data: enc.encode('ps\n') });
    untilIdle(t);
    const branchAt = t.machine.executed;
    t.input({ kind: 'console', domid: 1, data: enc.encode('mem\n') });
    untilIdle(t);
    expect(t.inputs.length).toBe(3);
    t.seek(branchAt);
    // Given to the machine itself: the timeline takes it up as the new history.
    t.machine.type(1, enc.encode('uptime\n'));
    untilIdle(t);
    expect(t.inputs.length).toBe(3);
    expect(t.inputs[2].kind === 'console' && new TextDecoder().decode(t.inputs[2].data)).toBe('uptime\n');
    expect(t.end).toEqual(t.machine.stamp());
    const r = replay(recipeOf(t.machine));
    expect(machineHash(r)).toBe(machineHash(t.machine));
  }, 240_000);
});
