// Snapshot sizes and times, and the length of share links:
//   pvos booted        the teaching guest at its shell prompt (32 MiB in the app's
//                      128 MiB machine), with its image left out (the app ships it)
//                      and with it included
//   pvos after usertests   the same after its test suite ran (fork, exec, faults)
//   busy 32 MiB guest  every free page of a 32 MiB pvos holding data that does not
//                      compress (pseudo-random words): the worst case for a link
//   checkpoint         what the worker's timeline keeps per checkpoint (checkpointOf
//                      in src/worker/seek.ts: DEFLATE level 1, images left out)
//   recipe             boot + 20 shell commands as a replay-recipe URL fragment
// Each snapshot is restored once and checked against the original's state hash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../src/machine/machine';
import { machineHash } from '../src/machine/hash';
import { toBase64Url } from '../src/shared/base64';
import { PGT_NONE, PGT_WRITABLE } from '../src/shared/layout';
import { encodeRecipe } from '../src/machine/snapshot/recipe';
import { recipeOf, replay } from '../src/machine/snapshot/replay';
import { makeGuests, median, now, ROOT, type Bench, type BenchContext } from './harness';

const COMMANDS = ['help', 'echo hello there', 'ps', 'mem', 'pt', 'evtchn', 'hcalls', 'uptime', 'date', 'sleep 50',
  'echo two', 'lazy off', 'fork', 'lazy on', 'fork', 'ps', 'uptime', 'evtchn', 'date', 'echo done'];

function boot(kernel: Uint8Array): { m: Machine; out: () => string } {
  let text = '';
  const m = new Machine({ ramMiB: 128, maxVcpus: 8 }, { guestConsole: (_d, b) => { text += Buffer.from(b).toString('latin1'); } });
  m.createGuest({ name: 'pvos', kernel, memMiB: 32 });
  const out = () => text;
  settle(m);
  return { m, out };
}

function settle(m: Machine): void {
  for (let k = 0; k < 20_000 && m.run(1_000_000) === 'budget'; k++) { /* until the guest waits for input */ }
}

function command(m: Machine, line: string): void {
  m.type(1, new TextEncoder().encode(`${line}\n`));
  settle(m);
}

function measure(ctx: BenchContext, label: string, m: Machine, opts: { omitImages?: boolean; level?: number }): Uint8Array {
  let bytes = m.snapshot(opts);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = now();
    bytes = m.snapshot(opts);
    times.push(now() - t);
  }
  const images = (id: string) => m.images.get(id)?.bytes;
  const rt: number[] = [];
  let restored: Machine | null = null;
  for (let i = 0; i < 3; i++) {
    const t = now();
    restored = Machine.restore(bytes, { images, trusted: opts.level === 1 });
    rt.push(now() - t);
  }
  if (machineHash(restored!) !== machineHash(m)) ctx.problem(`${label}: the restored machine's state hash differs`);
  ctx.figure({ name: `${label}: snapshot`, value: bytes.length / 1024, unit: 'KiB', digits: 1, note: `${toBase64Url(bytes).length.toLocaleString('en-US')} characters as a link fragment` });
  ctx.figure({ name: `${label}: snapshot time`, value: median(times), unit: 'ms', digits: 0 });
  ctx.figure({ name: `${label}: restore time`, value: median(rt), unit: 'ms', digits: 0, note: opts.level === 1 ? 'trusted (a checkpoint)' : 'untrusted: every check' });
  return bytes;
}

/** Fill every free frame of domain 1 with pseudo-random words (xorshift), as a guest that used all its memory. */
function fillFree(m: Machine): number {
  // The guest's own data frames (not page tables, not Xen's) whose page holds
  // nothing yet: zero, or pvos's free-list pointer in its first word.
  const ft = m.hv.mm.ft, ram = m.mem.i32;
  let x = 0x9e3779b9 | 0, filled = 0;
  for (let mfn = 0; mfn < ft.frames; mfn++) {
    if (ft.owner(mfn) !== 1 || ft.isXenShared(mfn) || (ft.type(mfn) !== PGT_NONE && ft.type(mfn) !== PGT_WRITABLE)) continue;
    let used = 0;
    for (let i = 1; i < 1024; i++) if (ram[mfn * 1024 + i] !== 0) used++;
    if (used > 0) continue;
    for (let i = 0; i < 1024; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      ram[mfn * 1024 + i] = x;
    }
    filled++;
  }
  return filled;
}

const bench: Bench = {
  name: 'snapshot',
  title: 'snapshot size and time (booted pvos, busy 32 MiB guest), checkpoint cost, share-link lengths',
  run(ctx) {
    const err = makeGuests(['pvos']);
    if (err) {
      ctx.figure({ name: 'snapshot', value: 'skipped', note: 'pvos could not be built (see above)' });
      ctx.log(err);
      return;
    }
    const kernel = new Uint8Array(readFileSync(join(ROOT, 'guests/build/kernel/pvos.elf')));
    const { m } = boot(kernel);
    ctx.log(`pvos booted: ${m.executed.toLocaleString('en-US')} instructions`);
    measure(ctx, 'pvos booted', m, { omitImages: true });
    measure(ctx, 'pvos booted, image included', m, {});
    measure(ctx, 'pvos booted, checkpoint', m, { omitImages: true, level: 1 });

    const t0 = now();
    command(m, 'usertests');
    ctx.log(`usertests: ${(now() - t0).toFixed(0)} ms`);
    measure(ctx, 'pvos after usertests', m, { omitImages: true });

    const busy = boot(kernel).m;
    const filled = fillFree(busy);
    ctx.log(`busy 32 MiB guest: ${filled} free pages filled with pseudo-random data (${(filled / 256).toFixed(1)} MiB)`);
    measure(ctx, 'busy 32 MiB guest', busy, { omitImages: true });

    // Boot + 20 commands, one line at a time, as a replay recipe.
    const r = boot(kernel).m;
    for (const c of COMMANDS) command(r, c);
    const recipe = recipeOf(r, () => false);
    const text = encodeRecipe(recipe);
    ctx.figure({ name: 'recipe: boot + 20 commands', value: text.length, unit: 'chars', note: `${recipe.log.length} inputs (a line each), pvos by id` });
    const t = now();
    const again = replay(recipe, { images: (id) => r.images.get(id)?.bytes });
    ctx.figure({ name: 'recipe: replay time', value: now() - t, unit: 'ms', digits: 0, note: `${r.executed.toLocaleString('en-US')} instructions` });
    if (machineHash(again) !== machineHash(r)) ctx.problem('the replayed machine differs from the original');
  },
};

export default bench;
