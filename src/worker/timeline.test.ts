// The timeline through the worker: checkpoints while pvos boots and runs
// commands; seek back and forth lands on exactly the machine that was there;
// step back by one instruction, and to where a step to the previous hypercall
// or event delivery would have paused; an input in the past starts a new branch.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../machine/hash';
import type { Machine } from '../machine/machine';
import { TK_EVT_UPCALL, TK_HYPERCALL } from '../shared/trace';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import { testHost, type TestHost } from './host.testutil';
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

/** pvos booted to its prompt with checkpoints every 50 k instructions, two commands, then a process spinning (so the machine is busy). */
function booted(): TestHost {
  const t = testHost();
  t.host.receive({ v, type: 'hello' });
  travel(t).timeline.policy.everyInsns = 1_000_000;
  travel(t).timeline.policy.everyMs = 0;
  travel(t).timeline.policy.costFactor = 0;
  t.host.receive({ v, type: 'boot', image: PVOS.buffer.slice(PVOS.byteOffset, PVOS.byteOffset + PVOS.byteLength) as ArrayBuffer, name: 'pvos', memMiB: 16 });
  t.drain(() => t.text('guest', 1).includes('$ '), 100_000);
  for (const line of ['echo one', 'ps', 'spin']) {
    const before = t.text('guest', 1).length;
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode(`${line}\r`) });
    t.drain(() => t.text('guest', 1).indexOf('$ ', before + line.length) >= 0);
  }
  expect(t.text('guest', 1)).toMatch(/one\r?\n\$ ps/);
  t.drain(() => false, 4);
  return t;
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
    ask(t, 'seeked', { type: 'seek', instructions: mid + 5 });
    expect(ask(t, 'timeline-info', { type: 'timeline' }).timeline.end).toBe(end);
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('x') });
    const after = ask(t, 'timeline-info', { type: 'timeline' }).timeline;
    expect(after.end).toBe(mid + 5);
    expect(after.checkpoints.every((c) => c <= mid + 5)).toBe(true);
    expect(ask(t, 'seeked', { type: 'seek', instructions: end }).error).toMatch(/outside the timeline/);
  });
});
