// Guest MIPS on integer kernel-style code, and the same code's native speed.
//
// The workload (guests/bench/cpu/work.c) is built twice from one object file:
// a flat image the emulator runs at CPL 0 with paging off, and a static i386
// Linux executable the host runs. Both compute work(N) and must return the
// same checksum. Figures (each also per CPU second, which a busy machine
// disturbs less):
//   guest MIPS        retired guest instructions / wall seconds, median of the timed runs
//   native MIPS-equiv the emulator's instruction count for work(N) / native seconds for work(N)
//   emulator/native   the ratio of the two
// Options: --seconds S (emulator time per timed run, default 3), --runs K
// (timed runs, default 3), --iterations N (fix N instead of calibrating),
// --mix (also print the dynamic instruction mix of one iteration, by form).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { R } from '../src/shared/layout';
import { decodeOne, H_UD, HANDLER_NAMES } from '../src/cpu/decode';
import { EXIT_EXCEPTION, EXIT_HLT, EXIT_LIMIT, UD } from '../src/cpu/defs';
import { testMachine, type TestMachine } from '../src/cpu/testing';
import { cpuMs, hex32, makeGuests, median, now, numOption, ROOT, type Bench, type BenchContext } from './harness';

const BUILD = join(ROOT, 'guests/build/bench/cpu');
const IMAGE = join(BUILD, 'work.bin');
const ELF = join(BUILD, 'work.elf');
const NATIVE = join(BUILD, 'work-native');
/** Where flat.ld links the image; entry-flat.S is its first byte. */
const BASE = 0x00100000;
const SLICE = 10_000_000;
/** Give up on one emulator run after this long: the guest is not making progress. */
const WALL_LIMIT_MS = 20_000;
/** Warm up for at least this many instructions (and until the rate is steady)... */
const WARM_INSNS = 300e6;
/** ...but for no longer than this. */
const WARM_LIMIT_MS = 15_000;

const EXIT_NAMES = ['none', 'limit', 'exception', 'softint', 'hlt', 'priv', 'io', 'cpuid', 'msr', 'shutdown'];

interface EmuRun {
  insns: number;
  ms: number;
  cpuMs: number;
  checksum: number;
}

export default {
  name: 'cpu',
  title: 'guest MIPS on integer kernel-style C (guests/bench/cpu), and native speed for the ratio',
  run(ctx: BenchContext): void {
    const seconds = numOption(ctx, 'seconds', 3);
    const runs = Math.round(numOption(ctx, 'runs', 3));
    const fixedN = ctx.options.has('iterations') ? Math.round(numOption(ctx, 'iterations', 1)) : 0;

    const err = makeGuests(['build/bench/cpu/work.bin', 'build/bench/cpu/work.elf']);
    if (err) {
      ctx.log(err.split('\n').join('\n  '));
      ctx.figure({ name: 'guest MIPS', value: 'skipped', note: 'the workload could not be built (see above)' });
      return;
    }
    const image = readFileSync(IMAGE);
    const m = testMachine({ cpl: 0, ramMiB: 16 });
    m.load(BASE, image);
    // Every exception leaves run(), so a missing instruction (#UD) shows where it is.
    m.cpu.interceptExc = -1;
    reportMissing(ctx, m, image);

    /** Run work(n) to its HLT; null (after saying why) when the guest stopped anywhere else. */
    const emulate = (n: number): EmuRun | null => {
      const { cpu } = m, r = cpu.r;
      cpu.resetFlat(0);
      r[R.EIP] = BASE;
      r[R.EAX] = n;
      const t0 = now(), c0 = cpuMs();
      for (;;) {
        const why = m.run(SLICE);
        if (why === EXIT_HLT) break;
        if (why === EXIT_LIMIT && now() - t0 < WALL_LIMIT_MS) continue;
        ctx.problem(describeStop(m, why, n));
        return null;
      }
      return { insns: cpu.instructions, ms: now() - t0, cpuMs: cpuMs() - c0, checksum: r[R.EAX] >>> 0 };
    };

    // Warm up: V8 optimises the handlers, the decode cache fills, the block
    // compiler compiles, and V8 optimises what it compiled. That takes a few
    // hundred million instructions, so warm up by work done and until the rate
    // (per CPU second, which other processes disturb less) holds still, not for
    // a fixed time.
    const warmStart = now();
    let n = 1, perIter = 0, warmInsns = 0, prevRate = 0, last: EmuRun;
    for (;;) {
      const t = emulate(n);
      if (!t) return;
      last = t;
      perIter = t.insns / n;
      warmInsns += t.insns;
      const rate = t.insns / Math.max(t.cpuMs, 0.001);
      const steady = prevRate > 0 && Math.abs(rate - prevRate) <= 0.1 * rate;
      if ((warmInsns >= WARM_INSNS && steady) || now() - warmStart > WARM_LIMIT_MS) break;
      prevRate = rate;
      // Next: about a quarter of a CPU second.
      n = Math.max(1, Math.min(n * 8, Math.round((250 * rate) / perIter)));
    }
    // Size N by wall time (the run time is what must stay short).
    const N = fixedN || Math.max(1, Math.round((seconds * last.insns) / (last.ms / 1000) / perIter));
    ctx.log(`warm-up: ${((now() - warmStart) / 1000).toFixed(1)} s, ${(warmInsns / 1e6).toFixed(0)}M instructions, ${Math.round(perIter).toLocaleString('en-US')} per iteration; timed: ${runs} x work(${N})`);

    const code = m.code as unknown as Record<string, unknown>;
    const counters = ['flushes', 'invalidations', 'blocks', 'compiled'].filter((k) => typeof code[k] === 'number');
    const before = counters.map((k) => code[k] as number);
    const timed: EmuRun[] = [];
    for (let k = 0; k < runs; k++) {
      const t = emulate(N);
      if (!t) return;
      timed.push(t);
    }
    const mips = timed.map((t) => t.insns / t.ms / 1000);
    const insns = timed[0].insns, checksum = timed[0].checksum;
    if (timed.some((t) => t.insns !== insns || t.checksum !== checksum)) {
      ctx.problem(`runs of the same work(${N}) differ: instructions ${timed.map((t) => t.insns).join(', ')}; checksums ${timed.map((t) => hex32(t.checksum)).join(', ')}`);
    }
    const guestMips = median(mips);
    const guestCpuMips = median(timed.map((t) => t.insns / t.cpuMs / 1000));
    ctx.figure({
      name: 'guest MIPS',
      value: guestMips,
      unit: 'MIPS',
      digits: 1,
      note: `median of ${runs} runs of work(${N}), ${insns.toLocaleString('en-US')} instructions each; range ${Math.min(...mips).toFixed(1)}-${Math.max(...mips).toFixed(1)}`,
    });
    ctx.figure({
      name: 'guest MIPS per CPU second',
      value: guestCpuMips,
      unit: 'MIPS',
      digits: 1,
      note: 'the same runs, over the CPU time node used (all its threads)',
    });
    ctx.log(`decode cache over the timed runs: ${counters.map((k, j) => `${k} +${(code[k] as number) - before[j]}`).join(', ') || 'no counters'}`);

    if (ctx.options.has('mix')) printMix(ctx, image);

    // Native: the same work(N), timed as the difference of REPEATS calls and one call in one process.
    const nat = nativeRun(ctx, N);
    if (!nat) return;
    const ok = nat.checksum === checksum;
    ctx.figure({
      name: 'checksum',
      value: ok ? 'match' : 'MISMATCH',
      note: `emulator ${hex32(checksum)}, native ${hex32(nat.checksum)} for work(${N})`,
    });
    if (!ok) ctx.problem(`CHECKSUM MISMATCH for work(${N}): emulator ${hex32(checksum)}, native ${hex32(nat.checksum)}: the emulator computed something wrong`);
    const nativeMips = insns / nat.msPerCall / 1000;
    ctx.figure({
      name: 'native MIPS-equivalent',
      value: nativeMips,
      unit: 'MIPS',
      note: `${insns.toLocaleString('en-US')} guest-counted instructions in ${nat.msPerCall.toFixed(2)} ms natively (${nat.how})`,
    });
    const nativeCpuMips = nat.cpuMsPerCall > 0 ? insns / nat.cpuMsPerCall / 1000 : 0;
    if (nativeCpuMips) {
      ctx.figure({
        name: 'native MIPS-eq. per CPU second',
        value: nativeCpuMips,
        unit: 'MIPS',
        note: `${nat.cpuMsPerCall.toFixed(2)} ms of process CPU time per work(${N}), from the same runs`,
      });
    }
    ctx.figure({
      name: 'emulator / native',
      value: (guestMips / nativeMips) * 100,
      unit: '%',
      digits: 2,
      note: `wall clock: native is ${(nativeMips / guestMips).toFixed(0)}x faster` +
        (nativeCpuMips ? `; per CPU second ${((guestCpuMips / nativeCpuMips) * 100).toFixed(2)}%` : ''),
    });
  },
} satisfies Bench;

/**
 * Decode every instruction objdump finds in the image and list those our
 * decoder maps to #UD (opcodes no family implements yet). Static: some may be
 * unreachable, and an implemented opcode can still fault; run-time stops are
 * reported by describeStop.
 */
function reportMissing(ctx: BenchContext, m: TestMachine, image: Uint8Array): void {
  const dis = spawnSync('objdump', ['-d', '--no-show-raw-insn', ELF], { encoding: 'utf8' });
  if (dis.status !== 0 || !dis.stdout) return;
  const cc = m.code, slot = cc.scratch;
  const missing = new Map<string, string[]>();
  let fn = '?';
  for (const line of dis.stdout.split('\n')) {
    const f = /^[0-9a-f]+ <([^>]+)>:/.exec(line);
    if (f) { fn = f[1]; continue; }
    const x = /^\s+([0-9a-f]+):\s+(.*)$/.exec(line);
    if (!x) continue;
    const addr = parseInt(x[1], 16), off = addr - BASE;
    if (off < 0 || off >= image.length) continue;
    decodeOne(cc, slot, image, off, Math.min(15, image.length - off), true);
    if (cc.dOp[slot] !== H_UD) continue;
    const bytes = Array.from(image.subarray(off, off + cc.dLen[slot]), (b) => hex2(b)).join(' ');
    const key = `${x[2].trim().split(/\s+/)[0]} (${bytes})`;
    const at = missing.get(key) ?? [];
    at.push(`${addr.toString(16)} <${fn}>`);
    missing.set(key, at);
  }
  if (!missing.size) {
    ctx.log(`decoder: every instruction of the workload has a handler (${HANDLER_NAMES.length} handlers)`);
    return;
  }
  ctx.log(`decoder: ${missing.size} instruction form(s) of the workload decode to #UD (not implemented yet):`);
  for (const [k, at] of missing) ctx.log(`  ${k.padEnd(36)} at ${at.slice(0, 3).join(', ')}${at.length > 3 ? ` and ${at.length - 3} more` : ''}`);
}

/**
 * The dynamic instruction mix of work(1), by handler (opcode form): single-steps
 * a separate machine and decodes each instruction before it runs. Tells which
 * forms a fast path would pay off for.
 */
function printMix(ctx: BenchContext, image: Uint8Array): void {
  const m = testMachine({ cpl: 0, ramMiB: 16 });
  m.load(BASE, image);
  m.cpu.interceptExc = -1;
  const { cpu, code } = m, r = cpu.r, u8 = m.mem.u8;
  r[R.EIP] = BASE;
  r[R.EAX] = 1;
  const counts = new Map<number, number>();
  let total = 0;
  for (;;) {
    const eip = r[R.EIP] >>> 0;
    decodeOne(code, code.scratch, u8, eip, 15, true);
    const id = code.dOp[code.scratch];
    const why = m.run(1);
    if (why !== EXIT_LIMIT && why !== EXIT_HLT) break;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
    if (why === EXIT_HLT) break;
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]);
  ctx.log(`instruction mix of work(1), ${total.toLocaleString('en-US')} instructions, ${top.length} forms:`);
  let acc = 0;
  for (const [id, n] of top.slice(0, 40)) {
    acc += n;
    ctx.log(`  ${HANDLER_NAMES[id].padEnd(22)} ${((n / total) * 100).toFixed(2).padStart(6)}%  (cumulative ${((acc / total) * 100).toFixed(1)}%)`);
  }
}

/** Why a run stopped short of its HLT, with the instruction bytes and function at EIP. */
function describeStop(m: TestMachine, why: number, n: number): string {
  const r = m.cpu.r, eip = r[R.EIP] >>> 0;
  const bytes = eip < m.mem.ramBytes ? Array.from(m.mem.u8.subarray(eip, eip + 8), hex2).join(' ') : '(outside RAM)';
  let what = `exit ${EXIT_NAMES[why] ?? why}`;
  if (why === EXIT_EXCEPTION) what += ` vector ${r[R.EXIT_VECTOR]}${r[R.EXIT_VECTOR] === UD ? ' (#UD: opcode not implemented?)' : ''} error ${r[R.EXIT_ERROR]}`;
  if (why === EXIT_LIMIT) what = `no HLT after ${WALL_LIMIT_MS / 1000} s (${m.cpu.instructions.toLocaleString('en-US')} instructions)`;
  return `emulator stopped in work(${n}): ${what} at EIP ${hex32(eip)}${symbolAt(eip)}, bytes ${bytes}${disasmAt(eip)}`;
}

function symbolAt(addr: number): string {
  const nm = spawnSync('nm', ['-n', ELF], { encoding: 'utf8' });
  if (nm.status !== 0) return '';
  let best = '';
  for (const line of nm.stdout.split('\n')) {
    const [a, t, name] = line.split(' ');
    if (!name || !/[tT]/.test(t)) continue;
    const v = parseInt(a, 16);
    if (v <= addr) best = ` <${name}+0x${(addr - v).toString(16)}>`;
  }
  return best;
}

function disasmAt(addr: number): string {
  const d = spawnSync('objdump', ['-d', `--start-address=${addr}`, `--stop-address=${addr + 1}`, ELF], { encoding: 'utf8' });
  const line = d.status === 0 ? d.stdout.split('\n').find((l) => /^\s+[0-9a-f]+:/.test(l)) : undefined;
  return line ? `: ${line.split('\t').slice(2).join(' ').trim()}` : '';
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

interface NativeResult {
  msPerCall: number;
  /** Process CPU time per call as the program measured it; 0 when unavailable. */
  cpuMsPerCall: number;
  checksum: number;
  how: string;
}

interface NativeOnce {
  ms: number;
  cpuMs: number;
  checksum: number;
}

/** Time work(n) natively; null (after saying why) when the executable cannot be built or run here. */
function nativeRun(ctx: BenchContext, n: number): NativeResult | null {
  const skip = (why: string): null => {
    ctx.log(why.split('\n').join('\n  '));
    ctx.figure({ name: 'native MIPS-equivalent', value: 'skipped', note: 'no native run (see above)' });
    return null;
  };
  const err = makeGuests(['build/bench/cpu/work-native']);
  if (err || !existsSync(NATIVE)) return skip(`native build failed, so no native figure:\n${err ?? ''}`);
  const once = (reps: number): NativeOnce | string => {
    const t0 = now();
    const res = spawnSync(NATIVE, [String(n), String(reps)], { encoding: 'utf8' });
    const ms = now() - t0;
    if (res.error) return `could not run the native build (a static i386 Linux executable): ${res.error.message}`;
    const out = /^([0-9a-f]{8}) ([0-9]+)\n$/.exec(res.stdout);
    if (res.status !== 0 || !out) {
      return `the native build exited with status ${res.status} ${res.signal ?? ''} and printed '${res.stdout.trim()}' ${res.stderr.trim()}`;
    }
    return { ms, cpuMs: Number(out[2]) / 1000, checksum: parseInt(out[1], 16) >>> 0 };
  };
  /** Best of 3, separately for wall and CPU time. */
  const best = (reps: number): NativeOnce | string => {
    let b: NativeOnce | null = null;
    for (let k = 0; k < 3; k++) {
      const o = once(reps);
      if (typeof o === 'string') return o;
      b = b ? { ms: Math.min(b.ms, o.ms), cpuMs: Math.min(b.cpuMs, o.cpuMs), checksum: o.checksum } : o;
    }
    return b as NativeOnce;
  };
  const one = best(1);
  if (typeof one === 'string') return skip(one);
  // Enough repeats that the difference (repeats - 1 calls) takes about 300 ms,
  // which cancels process start-up and leaves timer noise well under 1%.
  const reps = Math.min(100_000, Math.max(2, Math.ceil(300 / Math.max(one.ms, 0.05)) + 1));
  const many = best(reps);
  if (typeof many === 'string') return skip(many);
  let msPerCall = (many.ms - one.ms) / (reps - 1);
  let how = `(${reps} calls - 1 call) / ${reps - 1}, best of 3`;
  if (!(msPerCall > 0)) {
    msPerCall = many.ms / reps;
    how = `${reps} calls / ${reps}, including process start`;
  }
  const cpuMsPerCall = one.cpuMs > 0 && many.cpuMs > one.cpuMs ? (many.cpuMs - one.cpuMs) / (reps - 1) : 0;
  if (many.checksum !== one.checksum) ctx.problem(`the native build gave two checksums for work(${n}): ${hex32(one.checksum)} and ${hex32(many.checksum)}`);
  return { msPerCall, cpuMsPerCall, checksum: one.checksum, how };
}
