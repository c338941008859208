// What a benchmark is, and the small helpers benchmarks share. A benchmark is a
// file bench/NAME.bench.ts whose default export is a Bench; bench/run.ts finds
// and runs them. Benchmarks report figures; they never assert timings (a slow
// machine is not a failure). They may fail for real errors: a wrong checksum
// is an emulator bug, not a slow run.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure: one row of the table run.ts prints. */
export interface Figure {
  /** What was measured, e.g. "guest MIPS". */
  name: string;
  /** A number (printed with `digits` decimals) or a short text such as "ok" / "skipped". */
  value: number | string;
  unit?: string;
  digits?: number;
  /** How it was measured, or why it is missing. */
  note?: string;
}

export interface BenchContext {
  /** The repository root. */
  root: string;
  /** Arguments after the benchmark names: `npm run bench -- cpu --seconds 20`. */
  options: ReadonlyMap<string, string>;
  /** Record a figure (printed now, and again in the final table). */
  figure(f: Figure): void;
  /** Progress or diagnostics, printed indented under the benchmark. */
  log(line: string): void;
  /** Something is wrong (a checksum mismatch, an emulator exit): shown loudly and summarised. */
  problem(line: string): void;
}

export interface Bench {
  /** Short name, used to select it on the command line. */
  name: string;
  /** One line saying what it measures. */
  title: string;
  run(ctx: BenchContext): Promise<void> | void;
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Milliseconds from a monotonic clock (bench code is outside the deterministic core). */
export function now(): number {
  return performance.now();
}

/**
 * CPU milliseconds this process has used (all threads, user and system). On a
 * busy machine this varies far less than wall time, so benchmarks may report a
 * figure per CPU second beside the wall-clock one.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Run `make -C guests TARGETS...` quietly. Returns null on success, else make's
 * output (which says what is missing, e.g. a 32-bit gcc).
 */
export function makeGuests(targets: readonly string[]): string | null {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), ...targets], { encoding: 'utf8' });
  if (res.error) return `could not run make: ${res.error.message}`;
  if (res.status !== 0) return `${res.stdout}${res.stderr}`.trim() || `make exited with status ${res.status}`;
  return null;
}

/** A numeric option (`--name value`), or the default. */
export function numOption(ctx: BenchContext, name: string, def: number): number {
  const v = ctx.options.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, not '${v}'`);
  return n;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
