// Generate, run natively and in the emulator, compare, count. Used by the
// Vitest test (a bounded set) and by `npm run difftest` (a soak).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, REG32 } from './asm.ts';
import { EmuSide } from './emu.ts';
import { BODY_HOOKS, Gen, type Case, type GenEnv } from './gen.ts';
import { CHANGE_BASE, CODE } from './layout.ts';
import { buildHarness, hostVendor, runNative, type NativeEnv, type Outcome } from './native.ts';
import { ARITH, rowTable, type Form, type RowTable } from './rows.ts';

export interface RunOptions {
  count: number;
  seed: number;
  /** Cases per harness process. */
  batch?: number;
  /** Mismatches kept in full (all are counted). */
  keep?: number;
  /** Only this case index (for reproducing one mismatch). */
  only?: number;
  /** Diagnostics: also generate rows marked diff: 'skip'. */
  includeSkipped?: boolean;
  /** Only rows whose name matches (set-up instructions are always available). */
  rowFilter?: RegExp;
  log?: (line: string) => void;
}

export interface Mismatch {
  c: Case;
  native: Outcome;
  emu: Outcome;
  /** Which emulator paths disagree with the processor. */
  mode: 'interpreter' | 'compiled' | 'interpreter and compiled';
  /** The compiled run's outcome when both paths disagree but differently. */
  emu2?: Outcome;
  diffs: string[];
  /** Index of the instruction where the native run stopped (fault) or -1. */
  at: number;
}

export interface RunResult {
  seed: number;
  compared: number;
  mismatchCount: number;
  mismatches: Mismatch[];
  vendor: string;
  formsTotal: number;
  formsCovered: number;
  /** Forms (row x size x reg/mem) never reached, sorted. */
  never: string[];
  /** Per form: times reached. */
  hits: Map<string, number>;
  instructions: number;
  stops: Map<string, number>;
  excluded: { name: string; reason: string }[];
  unknownMnemonics: string[];
  /** Rows whose `undef` leaves out flags the SDM calls undefined for some operand seen. */
  undefGaps: Map<string, number>;
  seconds: { gen: number; native: number; emu: number; total: number };
}

/** Cases per native process and per emulator instance (part of what a seed means). */
export const BATCH = 10000;

/** Case seeds: a function of the run seed and the case index only, so one case can be regenerated alone. */
export function caseSeed(seed: number, index: number, attempt: number): number {
  let x = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b) + Math.imul(attempt, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d) >>> 0; x ^= x >>> 15;
  return x >>> 0;
}

const simpleForms = new WeakMap<RowTable, Form[]>();

export function generateCase(table: RowTable, env: GenEnv, seed: number, index: number, undefGaps?: Map<string, number>): Case {
  let simple = simpleForms.get(table);
  if (!simple) {
    simple = table.forms.filter((f) => BODY_HOOKS.includes(f.ri.sem.hook) && !f.ri.sem.near);
    simpleForms.set(table, simple);
  }
  for (let attempt = 0; ; attempt++) {
    const s = caseSeed(seed, index, attempt);
    const g = new Gen(table, env, s, simple);
    const c = g.generate(index, s);
    if (c) {
      if (undefGaps) for (const [k, v] of g.undefGaps) undefGaps.set(k, (undefGaps.get(k) ?? 0) | v);
      return c;
    }
  }
}

const HAS_ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17]);
const RF = 0x10000;

/** Where a run stopped: the instruction index at EIP (-1: the end, -2: not an instruction boundary). */
function stopIndex(c: Case, eip: number): number {
  const off = eip - CODE - c.codeOff;
  const i = c.insns.findIndex((p) => p.off === off);
  if (i >= 0) return i;
  const last = c.insns[c.insns.length - 1];
  return off === last.off + last.len ? -1 : -2;
}

export function compare(c: Case, nat: Outcome, emu: Outcome): { diffs: string[]; at: number } {
  const diffs: string[] = [];
  const at = stopIndex(c, nat.eip);
  const undef = at >= 0 ? c.insns[at].undefBefore : at === -1 ? c.undefEnd : ARITH;
  const undefRegs = at >= 0 ? c.insns[at].undefRegsBefore : at === -1 ? c.undefRegsEnd : 0;
  if (nat.vector === 14) diffs.push('GENERATOR BUG: the native run page-faulted (an access outside the mapped regions)');
  if (emu.note) diffs.push(`emulator stopped with ${emu.note} at EIP ${hex(emu.eip)}`);
  if (nat.vector !== emu.vector) diffs.push(`exception vector: native ${nat.vector}, emulator ${emu.vector}`);
  if (nat.eip !== emu.eip) diffs.push(`EIP: native ${hex(nat.eip)}, emulator ${hex(emu.eip)}`);
  if (nat.vector === emu.vector && HAS_ERROR_CODE.has(nat.vector) && nat.err !== emu.err) {
    diffs.push(`error code: native ${hex(nat.err)}, emulator ${hex(emu.err)}`);
  }
  for (let i = 0; i < 8; i++) {
    if (undefRegs >> i & 1) continue;
    if (nat.regs[i] !== emu.regs[i]) diffs.push(`${REG32[i]}: native ${hex(nat.regs[i])}, emulator ${hex(emu.regs[i])}`);
  }
  const fm = ~(RF | undef);
  if ((nat.eflags & fm) !== (emu.eflags & fm)) {
    diffs.push(`EFLAGS: native ${hex(nat.eflags)}, emulator ${hex(emu.eflags)} (differ in ${flagNames((nat.eflags ^ emu.eflags) & fm)}; masked ${flagNames(undef) || 'none'})`);
  }
  const nm = new Map(nat.changes.map((x) => [x >>> 8, x & 0xff]));
  const em = new Map(emu.changes.map((x) => [x >>> 8, x & 0xff]));
  const bad: string[] = [];
  for (const a of new Set([...nm.keys(), ...em.keys()])) {
    if (nm.get(a) !== em.get(a)) {
      const show = (v: number | undefined): string => (v === undefined ? 'unchanged' : hex(v));
      bad.push(`[${hex(a + CHANGE_BASE)}] native ${show(nm.get(a))} emulator ${show(em.get(a))}`);
    }
  }
  if (bad.length) diffs.push(`memory (${bad.length} bytes): ${bad.sort().slice(0, 12).join('; ')}${bad.length > 12 ? '; ...' : ''}`);
  return { diffs, at };
}

const FLAG_BITS: [number, string][] = [
  [0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'],
  [0x800, 'OF'], [0x3000, 'IOPL'], [0x4000, 'NT'], [0x10000, 'RF'], [0x40000, 'AC'], [0x200000, 'ID'],
];
export function flagNames(bits: number): string {
  const out = FLAG_BITS.filter(([b]) => bits & b).map(([, n]) => n);
  const rest = bits & ~FLAG_BITS.reduce((m, [b]) => m | b, 0);
  if (rest) out.push(hex(rest));
  return out.join(' ');
}

/** Probe the harness once for its environment (selectors, GDT view). */
export function probe(bin: string): NativeEnv {
  return runNative(bin, []).env;
}

export function runDifftest(opts: RunOptions): RunResult {
  const t0 = performance.now();
  const log = opts.log ?? ((): void => {});
  const bin = buildHarness();
  const env = probe(bin);
  const v = hostVendor();
  const genEnv: GenEnv = { vendor: v === 'amd' ? 'amd' : 'intel', fsNull: (env.fs & 0xfffc) === 0, gsNull: (env.gs & 0xfffc) === 0 };
  const table = rowTable(undefined, opts.includeSkipped, opts.rowFilter);
  let emu = new EmuSide(env);
  // An exception thrown by the emulator is a mismatch too; the machine is rebuilt after one.
  const runEmu = (c: Case, compiled: boolean): Outcome => {
    try {
      return emu.run(c, compiled);
    } catch (e) {
      emu = new EmuSide(env);
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return { signal: 0, vector: -1, err: 0, eip: 0, eflags: 0, regs: [0, 0, 0, 0, 0, 0, 0, 0], changes: [], note: `threw ${msg}` };
    }
  };
  const batch = opts.batch ?? BATCH, keep = opts.keep ?? 20;
  const hits = new Map<string, number>();
  const stops = new Map<string, number>();
  const undefGaps = new Map<string, number>();
  const mismatches: Mismatch[] = [];
  let mismatchCount = 0, compared = 0, instructions = 0;
  const secs = { gen: 0, native: 0, emu: 0, total: 0 };
  const first = opts.only ?? 0, end = opts.only !== undefined ? opts.only + 1 : opts.count;
  for (let b0 = first; b0 < end; b0 += batch) {
    const n = Math.min(batch, end - b0);
    // A fresh emulator per batch: a case's emulator state depends only on the cases before it in
    // its batch, and --case replays those (without comparing) so that it reproduces exactly.
    emu = new EmuSide(env);
    if (opts.only !== undefined) {
      for (let i = opts.only - (opts.only % batch); i < opts.only; i++) {
        const c = generateCase(table, genEnv, opts.seed, i);
        runEmu(c, false); runEmu(c, true);
      }
    }
    let t = performance.now();
    const cases: Case[] = [];
    for (let i = 0; i < n; i++) cases.push(generateCase(table, genEnv, opts.seed, b0 + i, undefGaps));
    secs.gen += performance.now() - t;
    t = performance.now();
    const nat = runNative(bin, cases).outcomes;
    secs.native += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < n; i++) {
      const c = cases[i], o = nat[i];
      const ei = runEmu(c, false), ec = runEmu(c, true);
      const di = compare(c, o, ei), dc = compare(c, o, ec);
      const at = di.at;
      const diffs = di.diffs.length ? di.diffs : dc.diffs;
      const same = JSON.stringify(ei) === JSON.stringify(ec);
      compared++;
      const stopKey = at === -1 ? 'end (INT3)' : `vector ${o.vector}`;
      stops.set(stopKey, (stops.get(stopKey) ?? 0) + 1);
      const stopOff = at === -1 ? Infinity : at >= 0 ? c.insns[at].off : -1;
      for (const p of c.insns) {
        if (p.form === null || p.off > stopOff) continue;
        hits.set(p.form, (hits.get(p.form) ?? 0) + 1);
        instructions++;
      }
      if (diffs.length) {
        mismatchCount++;
        const mode = !di.diffs.length ? 'compiled' : !dc.diffs.length ? 'interpreter' : 'interpreter and compiled';
        if (mismatches.length < keep) {
          mismatches.push({ c, native: o, emu: di.diffs.length ? ei : ec, mode, emu2: mode === 'interpreter and compiled' && !same ? ec : undefined, diffs, at });
        }
      }
    }
    secs.emu += performance.now() - t;
    log(`difftest: ${compared} sequences compared, ${mismatchCount} mismatches`);
  }
  const all = table.forms.map((f) => f.key);
  const never = all.filter((k) => !hits.has(k)).sort();
  const unknownMnemonics = [...new Set(table.infos.filter((ri) => ri.unknown).map((ri) => ri.mn))].sort();
  secs.total = performance.now() - t0;
  for (const k of Object.keys(secs) as (keyof typeof secs)[]) secs[k] = Math.round(secs[k]) / 1000;
  return {
    seed: opts.seed, compared, mismatchCount, mismatches, vendor: v, formsTotal: all.length,
    formsCovered: all.length - never.length, never, hits, instructions, stops,
    excluded: table.excluded.map((ri) => ({ name: ri.name, reason: ri.excluded! })),
    unknownMnemonics, undefGaps, seconds: secs,
  };
}

// ---- reports ----

function disasm(code: Uint8Array, base: number): string[] | null {
  let dir: string | null = null;
  try {
    dir = mkdtempSync(join(tmpdir(), 'difftest-'));
    const f = join(dir, 'code.bin');
    writeFileSync(f, code);
    const out = execFileSync('objdump', ['-D', '-b', 'binary', '-mi386', `--adjust-vma=${hex(base)}`, f], { encoding: 'utf8' });
    return out.split('\n').filter((l) => /^\s+[0-9a-f]+:/.test(l));
  } catch {
    return null;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function regLine(regs: number[]): string {
  return regs.map((v, i) => `${REG32[i]}=${hex(v)}`).join(' ');
}

function changesLine(ch: number[]): string {
  if (!ch.length) return 'no memory changes';
  const s = ch.slice(0, 16).map((x) => `${hex((x >>> 8) + CHANGE_BASE)}=${hex(x & 0xff)}`).join(' ');
  return `${ch.length} bytes changed: ${s}${ch.length > 16 ? ' ...' : ''}`;
}

export function formatMismatch(m: Mismatch, seed: number): string {
  const c = m.c, lines: string[] = [];
  lines.push(`case ${c.index} (npm run difftest -- --seed ${seed} --case ${c.index}): the ${m.mode} ${m.mode.includes(' and ') ? 'disagree' : 'disagrees'} with the processor`);
  for (const d of m.diffs) lines.push(`  DIFF ${d}`);
  lines.push(`  code: ${[...c.code].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
  for (let k = 0; k < c.insns.length; k++) {
    const p = c.insns[k];
    const bytes = [...c.code.subarray(p.off, p.off + p.len)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const mark = k === m.at ? '>>' : '  ';
    lines.push(`  ${mark} ${hex(CODE + c.codeOff + p.off).padEnd(10)} ${bytes.padEnd(36)} ${p.text}${p.fixup ? '   (set-up)' : ''}${p.form ? `   [${p.form}]` : ''}`);
  }
  const dis = disasm(c.code, CODE + c.codeOff);
  if (dis) { lines.push('  objdump:'); for (const l of dis) lines.push(`    ${l.trim()}`); }
  lines.push(`  initial:  ${regLine(c.regs)} eflags=${hex(c.eflags)} (${flagNames(c.eflags)})`);
  const o = (name: string, x: Outcome): void => {
    lines.push(`  ${name}: stop vector ${x.vector}${x.signal ? ` (signal ${x.signal})` : ''} err ${hex(x.err)} at EIP ${hex(x.eip)}${x.note ? ` [${x.note}]` : ''}`);
    lines.push(`            ${regLine(x.regs)} eflags=${hex(x.eflags)} (${flagNames(x.eflags)})`);
    lines.push(`            ${changesLine(x.changes)}`);
  };
  o('native  ', m.native);
  o(m.emu2 ? 'interp. ' : 'emulator', m.emu);
  if (m.emu2) o('compiled', m.emu2);
  return lines.join('\n');
}

export function formatReport(r: RunResult): string {
  const lines: string[] = [];
  lines.push(`difftest (seed ${r.seed}, ${r.vendor} host): ${r.compared} sequences compared, ${r.instructions} instructions reached, ${r.mismatchCount} mismatches`);
  lines.push(`forms covered: ${r.formsCovered} of ${r.formsTotal} (row x operand size x register/memory)`);
  lines.push(`stops: ${[...r.stops].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  lines.push(`time: ${r.seconds.total}s (generate ${r.seconds.gen}s, native ${r.seconds.native}s, emulator+compare ${r.seconds.emu}s)`);
  if (r.never.length) lines.push(`forms never covered (${r.never.length}): ${r.never.join(' ')}`);
  if (r.excluded.length) {
    const by = new Map<string, string[]>();
    for (const e of r.excluded) by.set(e.reason, [...(by.get(e.reason) ?? []), e.name]);
    lines.push(`rows not generated (${r.excluded.length}):`);
    for (const [reason, names] of by) lines.push(`  ${reason}: ${names.join(' ')}`);
  }
  if (r.unknownMnemonics.length) {
    lines.push(`mnemonics without generator semantics (generated conservatively; add them to tools/difftest/rows.ts): ${r.unknownMnemonics.join(' ')}`);
  }
  if (r.undefGaps.size) {
    lines.push(`rows whose undef leaves out flags the SDM calls undefined (masked anyway): ` +
      [...r.undefGaps].sort().map(([k, v]) => `${k} (${flagNames(v)})`).join(', '));
  }
  return lines.join('\n');
}
