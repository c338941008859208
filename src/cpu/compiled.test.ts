// The region compiler must be invisible: running real gcc-compiled code
// interpreted and compiled (at several thresholds and slicings) must leave the
// same register file and memory at every checkpoint, so that a snapshot
// (which restores with a cold code cache) continues exactly as the original.
// The workload runs at CPL 0 and CPL 3, with paging off and on (TLB misses,
// accessed and dirty bits), and a machine restored from a compiled one's
// state mid-run (cold cache) must go on in step with it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { CR0_PG, EXIT_EXCEPTION, EXIT_HLT, EXIT_LIMIT } from './defs';
import { testMachine, type TestMachine } from './testing';

const ROOT = resolve(__dirname, '../..');
const BASE = 0x100000;
/** Identity-mapping page tables for the first 16 MiB (4 KiB pages), above the workload's data. */
const TABLES = 0xe00000;
let image: Uint8Array;

beforeAll(() => {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/bench/cpu/work.bin'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building the benchmark workload failed:\n${res.stdout}${res.stderr}`);
  image = readFileSync(resolve(ROOT, 'guests/build/bench/cpu/work.bin'));
});

interface Setup {
  cpl?: number;
  paging?: boolean;
  iterations?: number;
}

function machine(threshold: number, setup: Setup = {}): TestMachine {
  const m = testMachine({ cpl: setup.cpl ?? 0, ramMiB: 16 });
  m.cpu.interceptExc = -1;
  m.code.compileThreshold = threshold;
  m.load(BASE, image);
  if (setup.paging) {
    // PDEs and PTEs present, writable, user; accessed and dirty left clear, so
    // the first accesses set them (in memory the test compares).
    const i32 = m.mem.i32, pts = TABLES + 0x1000;
    for (let d = 0; d < 4; d++) i32[(TABLES >> 2) + d] = (pts + d * 0x1000) | 7;
    for (let p = 0; p < 4096; p++) i32[(pts >> 2) + p] = (p << 12) | 7;
    m.cpu.r[R.CR3] = TABLES;
    m.cpu.r[R.CR0] |= CR0_PG;
    m.cpu.tlbFlush(true);
  }
  m.cpu.r[R.EAX] = setup.iterations ?? 3;
  m.cpu.r[R.EIP] = BASE;
  return m;
}

/** Run m until `target` instructions (in slices), or until it stops somewhere else. */
function runTo(m: TestMachine, target: number, slice: number): number {
  let why = EXIT_LIMIT;
  while (m.cpu.instructions < target && why === EXIT_LIMIT) why = m.run(Math.min(slice, target - m.cpu.instructions));
  return why;
}

function expectSame(m: TestMachine, ref: TestMachine, what: unknown): void {
  expect({ what, regs: Array.from(m.cpu.r) }).toEqual({ what, regs: Array.from(ref.cpu.r) });
  expect(Buffer.compare(Buffer.from(m.mem.u8), Buffer.from(ref.mem.u8)), JSON.stringify(what)).toBe(0);
}

describe('compiled code equals interpreted code', () => {
  const configs = [
    { threshold: 1, slice: 250_000 },
    { threshold: 8, slice: 77_777 },
    { threshold: 2, slice: 1_000_003 },
    // Slices that end inside blocks and regions all the time.
    { threshold: 1, slice: 4_099 },
  ];
  const setups: { name: string; setup: Setup; total: number }[] = [
    { name: 'CPL 0, paging off', setup: {}, total: 2_000_000 },
    { name: 'CPL 3, paging off', setup: { cpl: 3 }, total: 1_000_000 },
    { name: 'CPL 0, paging on', setup: { paging: true, iterations: 2 }, total: 1_000_000 },
    { name: 'CPL 3, paging on', setup: { cpl: 3, paging: true, iterations: 2 }, total: 1_000_000 },
  ];
  for (const { name, setup, total } of setups) {
    it(`on the benchmark workload, ${name}, at every checkpoint`, () => {
      const ref = machine(0, setup);
      const machines = configs.map((cfg) => ({ cfg, m: machine(cfg.threshold, setup) }));
      for (let checkpoint = 100_000; checkpoint <= total; checkpoint += 100_000) {
        const why = runTo(ref, checkpoint, 250_000);
        for (const { cfg, m } of machines) {
          expect(runTo(m, checkpoint, cfg.slice), `${name}, threshold ${cfg.threshold}`).toBe(why);
          expectSame(m, ref, { setup: name, checkpoint, ...cfg });
        }
        if (why !== EXIT_LIMIT) break;
      }
      expect(machines[0].m.code.compiled).toBeGreaterThan(10);
    }, 120_000);
  }

  it('runs the workload to its HLT with the checksum of the interpreted run', () => {
    const [ref, m] = [machine(0, { iterations: 5 }), machine(1, { iterations: 5 })];
    expect(runTo(ref, 1e9, 1_000_000)).toBe(EXIT_HLT);
    expect(runTo(m, 1e9, 1_000_000)).toBe(EXIT_HLT);
    expectSame(m, ref, 'at HLT');
  }, 120_000);

  it('ends a CPL 3 run at its HLT with the same #GP', () => {
    const [ref, m] = [machine(0, { cpl: 3 }), machine(1, { cpl: 3 })];
    expect(runTo(ref, 1e9, 1_000_000)).toBe(EXIT_EXCEPTION);
    expect(runTo(m, 1e9, 1_000_000)).toBe(EXIT_EXCEPTION);
    expectSame(m, ref, 'at HLT (#GP at CPL 3)');
  }, 120_000);

  it('continues in step after a restore into a machine with a cold code cache', () => {
    const orig = machine(1), ref = machine(0);
    for (const at of [123_457, 500_001, 777_777]) {
      runTo(orig, at, 100_000);
      runTo(ref, at, 250_000);
      // Restore: the register file and memory into a fresh machine (empty caches).
      const copy = machine(1);
      copy.cpu.r.set(orig.cpu.r);
      copy.mem.u8.set(orig.mem.u8);
      copy.cpu.refresh();
      for (const m of [orig, copy]) runTo(m, at + 200_000, 33_333);
      runTo(ref, at + 200_000, 250_000);
      expectSame(copy, ref, { restoredAt: at });
      expectSame(orig, ref, { continuedFrom: at });
    }
  }, 120_000);
});

describe('compiled code and external interrupts', () => {
  // mov ecx,3000; l: inc eax; dec ecx; jnz l; sti; l2: inc edx; jmp l2
  const code = [0xb9, 0xb8, 0x0b, 0, 0, 0x40, 0x49, 0x75, 0xfc, 0xfb, 0x42, 0xeb, 0xfd];
  it('runs with an interrupt pending and IF clear, and takes it once STI sets IF, as interpreted', () => {
    const result = [0, 1].map((threshold) => {
      const m = testMachine({ cpl: 0 });
      m.cpu.interceptExc = -1;
      m.code.compileThreshold = threshold;
      m.load(0x1000, code);
      m.cpu.r[R.EIP] = 0x1000;
      m.cpu.r[R.PENDING_IRQ] = 0x20;
      // The IDT (at 0) is empty: delivering vector 0x20 raises #GP, which exits.
      let why = EXIT_LIMIT, slices = 0;
      while (why === EXIT_LIMIT && slices++ < 100) why = m.run(1000);
      return { why, vector: m.cpu.r[R.EXIT_VECTOR], eip: m.cpu.r[R.EIP], n: m.cpu.instructions, eax: m.cpu.r[R.EAX], edx: m.cpu.r[R.EDX] };
    });
    expect(result[0].why).toBe(EXIT_EXCEPTION);
    expect(result[0].eax).toBe(3000);
    expect(result[1]).toEqual(result[0]);
  });
});
