// Share links as the playground makes them: the worker (WorkerHost, in node)
// boots the default guest, pvos with 32 MiB, from the shipped image, and is
// driven as the UI drives it -- a keystroke per message with a person's gaps,
// run in slices paced against a clock that follows the real one between
// slices and jumps over the waits. Then it is asked to share:
//
//   Share link        after boot + twenty shell commands: the worker's own choice
//                     (a recipe when replaying it takes under a second here)
//   recipe link       the same machine's recipe, whatever the speed here
//   snapshot link     the same machine as a full snapshot
//   busy snapshot     pvos after usertests, fork and spin, shared while a process
//                     spins (replaying it would be slow, so the worker picks a snapshot)
//   open              wall ms to open each link in a fresh worker (replay or restore)
//
// Link lengths count the whole URL, with a 30-character origin and path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOCOL_VERSION, type WorkerToUi } from '../src/protocol/messages';
import { WorkerHost, type HostEnv } from '../src/worker/host';
import { encodeRecipe } from '../src/machine/snapshot/recipe';
import { recipeOf } from '../src/machine/snapshot/replay';
import { linkFragment } from '../src/protocol/share';
import { sha256Hex } from '../src/shared/sha256';
import { now, ROOT, type Bench, type BenchContext } from './harness';

const v = PROTOCOL_VERSION;
const BASE = 'https://pvplay.example.org/app/';
const SHIPPED = `${BASE}guests/pvos.elf`;
const COMMANDS = ['help', 'echo hello there', 'ps', 'mem', 'pt', 'evtchn', 'hcalls', 'uptime', 'date', 'sleep 50',
  'echo two', 'lazy off', 'fork', 'lazy on', 'fork', 'ps', 'uptime', 'evtchn', 'date', 'echo done'];

/** A worker whose clock is real while it works and jumps over the waits it schedules. */
function driven() {
  const image = readFileSync(join(ROOT, 'public/guests/pvos.elf'));
  const out: WorkerToUi[] = [];
  let clock = 0;
  /** Real ms when the running task (or awaited request) started (null between them): the clock moves with it. */
  let taskStart: number | null = null;
  const queue: { at: number; fn: () => void; live: boolean }[] = [];
  const env: HostEnv = {
    now: () => clock + (taskStart === null ? 0 : now() - taskStart),
    schedule: (fn, delayMs) => {
      const task = { at: clock + delayMs, fn, live: true };
      queue.push(task);
      return () => { task.live = false; };
    },
    fetchBytes: async (url) => {
      if (url !== SHIPPED) throw new Error(`404 ${url}`);
      return image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) as ArrayBuffer;
    },
  };
  const host = new WorkerHost((m) => out.push(m), undefined, env);
  /** Run scheduled work until wall time `until` (ms on the clock) or `done`. */
  const runUntil = (until: number, done: () => boolean = () => false): void => {
    while (!done()) {
      queue.sort((a, b) => a.at - b.at);
      const task = queue.find((t) => t.live);
      if (!task || task.at > until) break;
      queue.splice(queue.indexOf(task), 1);
      clock = Math.max(clock, task.at);
      taskStart = now();
      task.fn();
      clock += now() - taskStart;
      taskStart = null;
    }
    clock = Math.max(clock, until);
  };
  const text = () => out.map((m) => (m.type === 'console' && m.source === 'guest' && m.domid === 1 ? Buffer.from(m.data).toString('latin1') : '')).join('');
  /** While a request is answered the clock is real too (Share times its trial replay with it). */
  const working = (on: boolean): void => {
    if (on) taskStart = now();
    else if (taskStart !== null) {
      clock += now() - taskStart;
      taskStart = null;
    }
  };
  return { host, out, runUntil, text, working, clock: () => clock };
}

type Driven = ReturnType<typeof driven>;

function typeLine(d: Driven, line: string, gapMs: () => number): boolean {
  const before = d.text().length;
  for (const ch of `${line}\r`) {
    d.host.receive({ v, type: 'console-input', domid: 1, data: new TextEncoder().encode(ch) });
    d.runUntil(d.clock() + gapMs());
  }
  d.runUntil(d.clock() + 120_000, () => d.text().indexOf('\n$ ', before + line.length) >= 0);
  return d.text().indexOf('\n$ ', before + line.length) >= 0;
}

let nextId = 1;
async function ask<K extends WorkerToUi['type']>(d: Driven, type: K, msg: Record<string, unknown>): Promise<Extract<WorkerToUi, { type: K }>> {
  const id = nextId++;
  d.working(true);
  try {
    d.host.receive({ v, id, ...msg });
    for (let i = 0; i < 1000; i++) {
      const r = d.out.find((m) => m.type === type && 'id' in m && m.id === id);
      if (r) return r as Extract<WorkerToUi, { type: K }>;
      await new Promise((ok) => setTimeout(ok, 1));
    }
    throw new Error(`no ${type} reply`);
  } finally {
    d.working(false);
  }
}

/** Open a fragment in a fresh worker; wall ms, or why not. */
async function open(fragment: string): Promise<number | string> {
  const d = driven();
  d.host.receive({ v, type: 'hello' });
  const t0 = now();
  const r = await ask(d, 'restored', { type: 'restore', source: { kind: 'link', fragment }, shipped: [SHIPPED] });
  return r.error ?? now() - t0;
}

async function booted(ctx: BenchContext): Promise<Driven | null> {
  const d = driven();
  d.host.receive({ v, type: 'hello' });
  d.host.receive({ v, type: 'boot', image: SHIPPED, name: 'pvos', memMiB: 32 });
  await new Promise((ok) => setTimeout(ok, 5));
  d.runUntil(d.clock() + 60_000, () => d.text().includes('\n$ '));
  if (!d.text().includes('\n$ ')) {
    ctx.problem(`pvos did not reach its prompt:\n${d.text()}`);
    return null;
  }
  return d;
}

/** A deterministic spread of key gaps between 40 and 300 ms. */
function gaps(): () => number {
  let s = 7;
  return () => 40 + ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 261);
}

async function figureOf(ctx: BenchContext, name: string, d: Driven, note: string): Promise<string | null> {
  const s = await ask(d, 'share-link', { type: 'share', shipped: [SHIPPED] });
  if (!s.fragment) {
    ctx.problem(`share failed: ${s.error}`);
    return null;
  }
  const url = `${BASE}#${s.fragment}`;
  ctx.figure({ name, value: url.length, unit: 'chars', digits: 0, note: `${s.summary?.kind}: ${note}; ${s.why}` });
  return s.fragment;
}

export default {
  name: 'share',
  title: 'share links of pvos as the worker makes them: after boot + 20 commands, and of a busy 32 MiB guest',
  async run(ctx: BenchContext): Promise<void> {
    const d = await booted(ctx);
    if (!d) return;
    const gap = gaps();
    for (const c of COMMANDS) {
      if (!typeLine(d, c, gap)) {
        ctx.problem(`no prompt after ${c}:\n${d.text().slice(-400)}`);
        return;
      }
      d.runUntil(d.clock() + 500 + gap() * 5);
    }
    const m = d.host.machine!;
    ctx.log(`${m.log.length} inputs, ${(m.executed / 1e6).toFixed(1)} M instructions, ${(m.hv.time.now / 1e9).toFixed(1)} s virtual`);
    await figureOf(ctx, 'Share link after boot + 20 commands', d, `${m.log.length} inputs`);
    const runner = (d.host as unknown as { runner: object }).runner;
    const computed = (runner as { computedMs: number }).computedMs;
    ctx.log(`the machine computed for ${computed.toFixed(0)} ms of wall time to get here`);
    // The same machine as a snapshot: what the link would be if replay were slow.
    Object.defineProperty(runner, 'computedMs', { configurable: true, get: () => 60_000 });
    const snap = await figureOf(ctx, 'same machine as a snapshot link', d, 'forced');
    Object.defineProperty(runner, 'computedMs', { configurable: true, get: () => computed });
    // And its recipe, whatever the speed here says (a faster host would share this).
    const shippedId = sha256Hex(readFileSync(join(ROOT, 'public/guests/pvos.elf')));
    const recipe = linkFragment('recipe', encodeRecipe(recipeOf(d.host.machine!, (id) => id !== shippedId)));
    ctx.figure({ name: 'recipe link after boot + 20 commands', value: BASE.length + 1 + recipe.length, unit: 'chars', digits: 0, note: 'the recipe form, the shipped image left out' });

    for (const [name, f] of [['open recipe link', recipe], ['open snapshot link', snap]] as const) {
      if (!f) continue;
      const ms = await open(f);
      if (typeof ms === 'string') ctx.problem(`${name}: ${ms}`);
      else ctx.figure({ name, value: ms, unit: 'ms', digits: 0, note: 'a fresh worker: checks, builds in scratch memory, then for real' });
    }

    // Busy: usertests, forks, then a process spinning flat out for a while.
    const b = await booted(ctx);
    if (!b) return;
    b.host.receive({ v, type: 'speed', factor: 0 });
    for (const c of ['usertests', 'lazy off', 'fork', 'lazy on', 'fork', 'spin', 'spin']) {
      if (!typeLine(b, c, gap)) {
        ctx.problem(`no prompt after ${c}:\n${b.text().slice(-400)}`);
        return;
      }
    }
    b.runUntil(b.clock() + 3000);
    const bm = b.host.machine!;
    ctx.log(`busy: ${(bm.executed / 1e6).toFixed(1)} M instructions`);
    const own = await ask(b, 'share-link', { type: 'share', shipped: [SHIPPED] });
    ctx.log(`the worker's own choice for it: ${own.summary?.kind} (${own.why})`);
    const busyRunner = (b.host as unknown as { runner: object }).runner;
    Object.defineProperty(busyRunner, 'computedMs', { configurable: true, get: () => 60_000 });
    const busy = await figureOf(ctx, 'busy 32 MiB guest, snapshot link', b, 'usertests, fork, two spinning processes');
    if (busy) {
      const ms = await open(busy);
      if (typeof ms === 'string') ctx.problem(`open busy link: ${ms}`);
      else ctx.figure({ name: 'open busy snapshot link', value: ms, unit: 'ms', digits: 0 });
    }
  },
} satisfies Bench;
