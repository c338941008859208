// The timeline through the worker: checkpoints while pvos boots and runs
// commands, no more than the policy's bound; seek back and forth, in any order,
// lands on exactly the machine that was there (after the inputs given at that
// count; at the end, with the time its idle clock ran on to); step back by one
// instruction, and to where a step to the previous hypercall or event delivery
// would have paused; an input in the past starts a new branch, which still
// replays from boot.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../machine/hash';
import type { Machine } from '../machine/machine';
import { recipeOf, replay } from '../machine/snapshot/replay';
import { TK_EVT_UPCALL, TK_HYPERCALL } from '../shared/trace';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import { testHost, type TestHost } from './host.testutil';
import type { CheckpointPolicy } from './timeline';
import type { Travel } from './travel';

const v = PROTOCOL_VERSION;
const enc = new TextEncoder();
const PVOS = readFileSync(resolve(__dirname, '../../public/guests/pvos.elf'));

let nextId = 9000;
function ask<K extends WorkerToUi['type']>(t: TestHost, type: K, msg: Record<string, unknown>): Extract<WorkerToUi, { type: K }> {
  const id = nextId++;
  t.host.receive({ v, id, ...msg });
  const r = t.out.find((m) => m.type === type && 'id' in m && m.id === id);
  if (!r) throw new Error(`no ${type} reply`);
  return r as Extract<WorkerToUi, { type: K }>;
}

const machine = (t: TestHost): Machine => t.host.machine!;
const travel = (t: TestHost): Travel => (t.host as unknown as { travel: Travel }).travel;

/** A host booting pvos, checkpoints due by instruction count alone (every 1 M unless `policy` says otherwise). */
function booting(policy: Partial<CheckpointPolicy> = {}): TestHost {
  const t = testHost();
  t.host.receive({ v, type: 'hello' });
  Object.assign(travel(t).timeline.policy, { everyInsns: 1_000_000, everyMs: 0, costFactor: 0 }, policy);
  t.host.receive({ v, type: 'boot', image: PVOS.buffer.slice(PVOS.byteOffset, PVOS.byteOffset + PVOS.byteLength) as ArrayBuffer, name: 'pvos', memMiB: 16 });
  return t;
}

/** pvos booted to its prompt, `lines` typed (by default two commands, then a process spinning, so the machine is busy). */
function booted(lines = ['echo one', 'ps', 'spin']): TestHost {
  const t = booting();
  t.drain(() => t.text('guest', 1).includes('$ '), 100_000);
  for (const line of lines) {
    const before = t.text('guest', 1).length;
    type(t, `${line}\r`);
    t.drain(() => t.text('guest', 1).indexOf('$ ', before + line.length) >= 0);
  }
  expect(t.text('guest', 1)).toMatch(/one\r?\n\$ /);
  t.drain(() => false, 4);
  return t;
}

function type(t: TestHost, text: string): void {
  t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode(text) });
}

function step(t: TestHost, count: number): void {
  t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'instruction', count } });
  t.drain(() => t.last('machine')?.phase === 'paused');
}

function pause(t: TestHost): void {
  t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
}

/** Run forward with a breakpoint on `kind` until it stops; the instruction count there. */
function nextBreak(m: Machine, kind: number): number {
  m.hv.breakpoint = (k) => k === kind;
  try {
    for (let i = 0; i < 1000; i++) if (m.run(1_000_000) === 'break') return m.executed;
    return Infinity;
  } finally {
    m.hv.breakpoint = null;
  }
}

describe('worker: timeline', () => {
  it('keeps checkpoints and tells the UI where the machine stands', () => {
    const t = booted();
    pause(t);
    const info = ask(t, 'timeline-info', { type: 'timeline' }).timeline;
    expect(info.start).toBe(0);
    expect(info.now).toBe(machine(t).executed);
    expect(info.end).toBe(info.now);
    expect(info.checkpoints.length).toBeGreaterThan(3);
    expect(info.checkpoints).toEqual([...info.checkpoints].sort((a, b) => a - b));
    // The first is the machine as built: made again when needed, never saved, so
    // booting does not wait for a scan of all of RAM (seeks to it are checked below).
    expect(travel(t).timeline.history(machine(t)).checkpoints[0]).toEqual({ at: 0, bytes: null, logLength: 0 });
    // Files and xl create at 0, then three lines (counts, not entries, are marked).
    expect(info.inputs.length).toBe(4);
    expect(info.inputs[0]).toBe(0);
    // Checkpoints were announced as they came, without being asked.
    expect(t.all('timeline-info').filter((m) => m.id === undefined).length).toBeGreaterThan(3);
  });

  it('seeks back and forth to exactly the machines that were there', () => {
    const t = booted();
    pause(t);
    step(t, 12_345);
    const mid = { at: machine(t).executed, hash: machineHash(machine(t)), text: t.text('guest', 1) };
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    // Let it run on first: an input given at `mid` itself would belong to `mid` (a seek lands after
    // the inputs at its count, as the machine was when it left that count).
    t.drain(() => false, 3);
    expect(machine(t).executed).toBeGreaterThan(mid.at);
    const before = t.text('guest', 1).length;
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('echo later\r') });
    t.drain(() => t.text('guest', 1).indexOf('later\r\n$ ', before) >= 0);
    pause(t);
    const end = { at: machine(t).executed, hash: machineHash(machine(t)) };

    const back = ask(t, 'seeked', { type: 'seek', instructions: mid.at });
    expect(back).toMatchObject({ instructions: mid.at });
    expect(machineHash(machine(t))).toBe(mid.hash);
    expect(t.last('machine')).toMatchObject({ phase: 'paused', pause: { reason: 'step', instructions: mid.at } });
    const repaint = new TextDecoder().decode(t.last('scrollback')!.guest.find((g) => g.domid === 1)!.data);
    expect(repaint).not.toContain('echo later');
    expect(t.last('timeline-info')!.timeline).toMatchObject({ now: mid.at, end: end.at });

    const fwd = ask(t, 'seeked', { type: 'seek', instructions: end.at });
    expect(fwd).toMatchObject({ instructions: end.at });
    expect(machineHash(machine(t))).toBe(end.hash);
    expect(new TextDecoder().decode(t.last('scrollback')!.guest.find((g) => g.domid === 1)!.data)).toContain('later');

    expect(ask(t, 'seeked', { type: 'seek', instructions: end.at + 10 }).error).toMatch(/outside the timeline/);
    expect(machineHash(machine(t))).toBe(end.hash);
  });

  it('steps back one instruction', () => {
    const t = booted();
    pause(t);
    step(t, 1000);
    const x = { at: machine(t).executed, hash: machineHash(machine(t)) };
    step(t, 1);
    expect(machine(t).executed).toBe(x.at + 1);
    expect(ask(t, 'seeked', { type: 'step-back', unit: 'instruction' })).toMatchObject({ instructions: x.at });
    expect(machineHash(machine(t))).toBe(x.hash);
  });

  it('steps back to the previous hypercall and event delivery: the last break before now, nothing between', () => {
    for (const [unit, kind] of [['hypercall', TK_HYPERCALL], ['event', TK_EVT_UPCALL]] as const) {
      const t = booted();
      pause(t);
      const now = machine(t).executed;
      const r = ask(t, 'seeked', { type: 'step-back', unit });
      expect(r.error).toBeUndefined();
      const p = r.instructions!;
      expect(p).toBeLessThan(now);
      expect(machine(t).executed).toBe(p);
      // Going forward from there, the next such stop is not before where we were.
      expect(nextBreak(machine(t), kind)).toBeGreaterThanOrEqual(now);
    }
  });

  it('an input in the past starts a new branch: the recorded future is dropped', () => {
    const t = booted();
    pause(t);
    const end = machine(t).executed;
    const info = ask(t, 'timeline-info', { type: 'timeline' }).timeline;
    const mid = info.checkpoints[Math.floor(info.checkpoints.length / 2)]!;
    const kept = machine(t).log.filter((e) => e.at <= mid + 5).length;
    ask(t, 'seeked', { type: 'seek', instructions: mid + 5 });
    expect(ask(t, 'timeline-info', { type: 'timeline' }).timeline.end).toBe(end);
    const before = t.text('guest', 1).length;
    type(t, 'echo branch\r');
    const after = ask(t, 'timeline-info', { type: 'timeline' }).timeline;
    expect(after.end).toBe(mid + 5);
    expect(after.checkpoints.every((c) => c <= mid + 5)).toBe(true);
    expect(ask(t, 'seeked', { type: 'seek', instructions: end }).error).toMatch(/outside the timeline/);

    // The new branch is the machine's history now: the inputs up to the branch point, then the new one.
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    t.drain(() => t.text('guest', 1).indexOf('branch\r\n$ ', before) >= 0);
    pause(t);
    const m = machine(t);
    expect(m.log.length).toBe(kept + 1);
    const last = m.log[kept]!;
    expect(last.kind === 'console' && new TextDecoder().decode(last.data)).toBe('echo branch\r');
    expect(ask(t, 'timeline-info', { type: 'timeline' }).timeline).toMatchObject({ now: m.executed, end: m.executed });
    // And it still replays from boot, as a share link's recipe would.
    expect(m.logFromBoot).toBe(true);
    expect(machineHash(replay(recipeOf(m)))).toBe(machineHash(m));
  });

  it('seeks to every point it was paused at, in any order, with its checkpoints kept within their bound', () => {
    const t = booting({ everyInsns: 200_000, max: 5 });
    t.drain(() => t.last('machine')?.phase === 'running');
    pause(t);
    // Step through boot and three commands by uneven counts. Where the machine comes to wait,
    // type the next line: the position there is the machine just after that input.
    const lines = ['ps\r', 'echo two\r', 'spin\r'];
    const seen: { at: number; hash: string }[] = [];
    for (let i = 0; seen.length < 16 && i < 100; i++) {
      const s = machine(t).stamp();
      if (s.settled) {
        const line = lines.shift();
        if (line === undefined) break;
        type(t, line);
      } else {
        step(t, 37_000 + 61_337 * (i % 7));
      }
      if (!machine(t).stamp().settled) seen.push({ at: machine(t).executed, hash: machineHash(machine(t)) });
    }
    expect(lines).toEqual([]);
    expect(seen.length).toBe(16);
    const end = { stamp: machine(t).stamp(), hash: machineHash(machine(t)), log: machine(t).log.length };

    const info = ask(t, 'timeline-info', { type: 'timeline' }).timeline;
    expect(info.checkpoints.length).toBe(5);
    expect(info.checkpoints[0]).toBe(0);
    expect(info.checkpoints[4]).toBeGreaterThan(end.stamp.at - 2 * 200_000);

    const order = seen.map((_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
    for (const i of order) {
      expect(ask(t, 'seeked', { type: 'seek', instructions: seen[i]!.at })).toMatchObject({ instructions: seen[i]!.at });
      expect(machineHash(machine(t)), `at ${seen[i]!.at}`).toBe(seen[i]!.hash);
    }
    ask(t, 'seeked', { type: 'seek', instructions: end.stamp.at });
    expect(machineHash(machine(t))).toBe(end.hash);
    expect(machine(t).stamp()).toEqual(end.stamp);
    expect(machine(t).log.length).toBe(end.log);
  });

  it('going back to the end finds the machine as it stood there, its idle clock run on', () => {
    const t = booted(['echo one', 'sleep 3']);
    t.drain(() => false, 50);
    pause(t);
    const end = { stamp: machine(t).stamp(), hash: machineHash(machine(t)), log: machine(t).log.length };
    expect(end.stamp.settled).toBe(true);
    ask(t, 'seeked', { type: 'seek', instructions: end.stamp.at - 1000 });
    expect(machine(t).hv.time.now).toBeLessThan(end.stamp.time);
    expect(ask(t, 'seeked', { type: 'seek', instructions: end.stamp.at })).toMatchObject({ instructions: end.stamp.at });
    expect(machine(t).stamp()).toEqual(end.stamp);
    expect(machineHash(machine(t))).toBe(end.hash);
    expect(machine(t).log.length).toBe(end.log);
  });
});

