// Replay from the input log: pvos booted and driven as the worker drives it
// (slices paced against a wall clock, keystroke by keystroke with a person's
// gaps, long idle waits), then rebuilt from its recipe alone -- same state hash,
// same time, same every layer. Also: the recipe's URL form and its length, other
// guests created and destroyed through xl, and logs that are not the machine's.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../hash';
import { Machine } from '../machine';
import { ReplayError, SnapshotError } from './errors';
import { decodeRecipe, encodeRecipe, parseRecipe, recipeBytes } from './recipe';
import { recipeOf, replay } from './replay';
import { layers, Output, pvosImage, testKernel, useGuestLoader } from './testkit.testutil';
import { TK_EVT_UPCALL, TK_HYPERCALL } from '../../shared/trace';

const enc = new TextEncoder();

const GUESTS = join(__dirname, '../../../guests');
useGuestLoader((target, file) => {
  execFileSync('make', ['-s', '-C', GUESTS, target], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(join(GUESTS, file)));
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/**
 * Drives a machine as the worker does: before each slice, idle time may run up
 * to the virtual time matching the wall clock; a slice of 200k instructions
 * takes 0.2 ms of (simulated) wall time, a wait 4 ms, an idle tick 250 ms.
 */
class Pacer {
  wall = 0;
  constructor(readonly m: Machine, readonly out: Output) {}
  run(ms: number, until?: () => boolean): void {
    const end = this.wall + ms;
    while (this.wall < end && !until?.()) {
      this.m.hv.timeLimit = Math.max(this.m.hv.time.now, this.wall * 1e6);
      const o = this.m.run(200_000);
      this.wall += o === 'budget' ? 0.2 : o === 'waiting' ? 4 : 250;
    }
    this.m.hv.timeLimit = Infinity;
  }
  /** Type a line a key at a time with gaps of 40..300 ms, then wait for the prompt. */
  typeLine(line: string, rnd: () => number): void {
    for (const ch of line + '\n') {
      this.m.type(1, new TextEncoder().encode(ch));
      this.run(40 + rnd() * 260);
    }
    const start = this.out.text(1).length;
    this.run(60_000, () => this.out.text(1).indexOf('\n$ ', start - 1) >= 0);
  }
}

const COMMANDS = ['help', 'echo hello there', 'ps', 'mem', 'pt', 'evtchn', 'hcalls', 'uptime', 'date', 'sleep 50',
  'echo two', 'lazy off', 'fork', 'lazy on', 'fork', 'ps', 'uptime', 'evtchn', 'date', 'echo done'];

describe('replay', () => {
  it('rebuilds pvos driven by hand from boot + 20 commands, and the recipe fits a link', () => {
    const rnd = seeded(42);
    const out = new Output();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const p = new Pacer(m, out);
    p.run(120_000, () => out.text(1).includes('\n$ '));
    expect(out.text(1)).toContain('\n$ ');
    // An idle guest, then input after a long pause (the clock moved on meanwhile).
    p.run(45_000);
    const idleFrom = m.hv.time.now;
    for (const c of COMMANDS) {
      p.typeLine(c, rnd);
      p.run(500 + rnd() * 2500);
    }
    expect(out.text(1)).toContain('\n$ echo done');
    expect(m.hv.time.idleSkipped).toBeGreaterThan(idleFrom / 2);
    const keys = m.log.filter((e) => e.kind === 'console').length;
    expect(keys).toBeGreaterThan(100);

    const recipe = recipeOf(m, () => false);
    const text = encodeRecipe(recipe);
    console.log(`recipe for boot + ${COMMANDS.length} commands (${keys} keystrokes, ${m.log.length} inputs): ` +
      `${recipeBytes(recipe).length} bytes, ${text.length} characters of URL fragment`);
    expect(text.length).toBeLessThan(2000);
    const back = decodeRecipe(text);
    expect(back).toEqual({ ...recipe, images: recipe.images.map(({ id, name }) => ({ id, name })) });

    const ro = new Output();
    const r = replay(back, { events: ro.events, images: (id) => m.images.get(id)?.bytes });
    expect(r.stamp()).toEqual(m.stamp());
    expect(machineHash(r)).toBe(machineHash(m));
    expect(layers(r)).toEqual(layers(m));
    expect(ro.text(1)).toBe(out.text(1));
    expect(r.log).toEqual(m.log);
  }, 240_000);

  it('replays domains created, paused and destroyed through xl, and xenstore writes', () => {
    const out = new Output();
    const m = new Machine({ ramMiB: 64, maxVcpus: 4 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const p = new Pacer(m, out);
    p.run(60_000, () => out.text(1).includes('\n$ '));
    m.addFile('/root/hello.elf', testKernel('hello'));
    m.addFile('/root/hello.cfg', new TextEncoder().encode('name = "hello"\nkernel = "/root/hello.elf"\nmemory = 4\non_poweroff = "preserve"\n'));
    expect(m.exec('xl create /root/hello.cfg').status).toBe(0);
    p.run(30);
    expect(m.exec('xl pause hello').status).toBe(0);
    expect(m.exec('xenstore-write /local/domain/1/data/greeting hi').status).toBe(0);
    p.typeLine('echo with a second domain', seeded(1));
    expect(m.exec('xl unpause hello').status).toBe(0);
    p.run(200);
    expect(m.exec('xl list').status).toBe(0); // read-only: not logged
    expect(m.exec('xl destroy hello').status).toBe(0);
    expect(m.exec('xl destroy nosuch').status).not.toBe(0); // failed, logged, fails again on replay
    p.run(300);
    expect(m.log.some((e) => e.kind === 'xl' && e.line === 'xl list')).toBe(false);
    const recipe = recipeOf(m);
    const r = replay(decodeRecipe(encodeRecipe(recipe)));
    expect(layers(r)).toEqual(layers(m));
  }, 120_000);

  it('replays inputs given while stopped on a breakpoint (after a hypercall, after an upcall frame)', () => {
    const out = new Output();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const p = new Pacer(m, out);
    p.run(60_000, () => out.text(1).includes('\n$ '));
    const breaks: string[] = [];
    for (const [kind, line] of [[TK_HYPERCALL, 'ps'], [TK_EVT_UPCALL, 'mem'], [TK_HYPERCALL, 'uptime']] as const) {
      m.type(1, enc.encode(line.slice(0, 1)));
      // Stop at the next record of that kind, then type the rest there.
      m.hv.breakpoint = (k) => k === kind;
      let o = m.run(5_000_000);
      for (let k = 0; k < 50 && o !== 'break'; k++) o = m.run(5_000_000);
      expect(o).toBe('break');
      const s = m.stamp();
      expect(s.brk?.kind).toBe(kind);
      breaks.push(`${s.brk!.kind}/${s.brk!.nth}`);
      m.type(1, enc.encode(`${line.slice(1)}\n`));
      m.hv.breakpoint = null;
      p.run(2_000);
    }
    // And the end itself at a breakpoint.
    m.type(1, enc.encode('date\n'));
    m.hv.breakpoint = (k) => k === TK_EVT_UPCALL;
    expect(m.run(5_000_000)).toBe('break');
    m.hv.breakpoint = null;
    const recipe = recipeOf(m);
    expect(recipe.end.brk?.kind).toBe(TK_EVT_UPCALL);
    const back = decodeRecipe(encodeRecipe(recipe));
    expect(back.log.filter((e) => e.brk).length).toBe(3);
    const r = replay(back);
    expect(r.stamp()).toEqual(m.stamp());
    expect(layers(r)).toEqual(layers(m));
    expect(breaks.length).toBe(3);
  }, 120_000);

  it('refuses logs that are not the machine\'s, and broken recipes, with SnapshotError', () => {
    const out = new Output();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, out.events);
    m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
    const p = new Pacer(m, out);
    p.run(60_000, () => out.text(1).includes('\n$ '));
    p.typeLine('ps', seeded(3));
    const recipe = recipeOf(m);
    // An input moved to where the original was busy: the replay notices.
    const bad = { ...recipe, log: recipe.log.map((e, i) => (i === recipe.log.length - 2 ? { ...e, at: e.at - 1000 } : e)) };
    expect(() => replay(bad)).toThrow(ReplayError);
    // A missing image, a tampered one.
    const noImg = { ...recipe, images: recipe.images.map(({ id, name }) => ({ id, name })) };
    expect(() => replay(noImg)).toThrow(/needs the guest image pvos/);
    const tampered = { ...recipe, images: recipe.images.map((x) => ({ ...x, bytes: x.bytes!.map((b, i) => (i === 99 ? b ^ 1 : b)) })) };
    expect(() => replay(tampered)).toThrow(/hash differs/);
    // Broken texts.
    const text = encodeRecipe(noImg);
    // (Bytes appended after the compressed stream are ignored: what it holds is whole and checked.)
    const flip = (t: string, at: number): string => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    const broken = ['', 'x', '!!!!', text.slice(0, text.length >> 1), text.slice(0, -1), flip(text, text.length - 1), flip(text, 10), flip(text, text.length >> 1)];
    broken.forEach((t, i) => {
      expect(() => decodeRecipe(t), `broken text ${i}`).toThrow(SnapshotError);
    });
    const raw = recipeBytes(noImg);
    for (let cut = 0; cut < raw.length; cut += 7) expect(() => parseRecipe(raw.subarray(0, cut))).toThrow(SnapshotError);
  }, 120_000);
});
