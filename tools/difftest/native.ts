// The native side: build native/harness.c + entry.S into a 32-bit static
// program (once, into tools/difftest/build/, which git ignores) and run a batch
// of cases through it in one process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Case } from './gen.ts';
import { INTERESTING } from './layout.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = [join(HERE, 'native', 'harness.c'), join(HERE, 'native', 'entry.S')];
export const BUILD_DIR = join(HERE, 'build');

export interface NativeEnv {
  cs: number; ds: number; es: number; ss: number; fs: number; gs: number;
  /** LAR/LSL results for GDT selectors index*8+3, index 0..15. */
  gdt: { lar: number; larOk: boolean; lsl: number; lslOk: boolean }[];
}

export interface Outcome {
  /** Signal number natively; 0 in the emulator. */
  signal: number;
  /** Exception vector that ended the case (3 for the final INT3), or -1 (emulator: no such exit). */
  vector: number;
  err: number;
  eip: number;
  eflags: number;
  regs: number[];
  /** ((address - CHANGE_BASE) << 8) | new byte, ascending by address. */
  changes: number[];
  /** Emulator only: the exit reason when it was not an exception or INT3. */
  note?: string;
}

export class ToolchainError extends Error {}

/** The CPU vendor of this machine, from /proc/cpuinfo. */
export function hostVendor(): 'amd' | 'intel' | 'other' {
  try {
    const t = readFileSync('/proc/cpuinfo', 'utf8');
    if (t.includes('AuthenticAMD')) return 'amd';
    if (t.includes('GenuineIntel')) return 'intel';
  } catch { /* not Linux */ }
  return 'other';
}

/** Build the harness if needed; returns its path. Throws ToolchainError with advice when gcc cannot emit 32-bit code. */
export function buildHarness(): string {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) {
    throw new ToolchainError(`the differential test needs x86 Linux (this is ${process.platform}/${process.arch})`);
  }
  const out = join(BUILD_DIR, 'harness');
  const newest = Math.max(...SOURCES.map((s) => statSync(s).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  mkdirSync(BUILD_DIR, { recursive: true });
  const args = [
    '-m32', '-march=i686', '-ffreestanding', '-fno-builtin', '-fno-tree-loop-distribute-patterns', '-nostdlib',
    '-static', '-fno-pic', '-fno-pie', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-O2', '-Wall',
    '-Wl,-e,_start', '-o', out, ...SOURCES,
  ];
  try {
    execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new ToolchainError(
      `gcc cannot build the 32-bit difftest harness (install gcc-multilib: apt-get install gcc-multilib):\n` +
      `${err.stderr?.toString() ?? err.message}`,
    );
  }
  return out;
}

function encodeBatch(cases: readonly Case[]): Buffer {
  let size = 12 + 4 + 4 * INTERESTING.length;
  for (const c of cases) size += 4 + 32 + 16 + c.code.length + 8 * c.patches.length;
  const b = Buffer.alloc(size);
  let p = 0;
  const u32 = (v: number): void => { b.writeUInt32LE(v >>> 0, p); p += 4; };
  u32(0x31495444); u32(size); u32(cases.length);
  u32(INTERESTING.length);
  for (const v of INTERESTING) u32(v);
  for (const c of cases) {
    b.writeUInt16LE(c.code.length, p); b.writeUInt16LE(c.patches.length, p + 2); p += 4;
    for (const v of c.regs) u32(v);
    u32(c.eflags); u32(c.dataSeed); u32(c.stackSeed); u32(c.codeOff);
    b.set(c.code, p); p += c.code.length;
    for (const [a, v] of c.patches) { u32(a); u32(v); }
  }
  return b;
}

/** Run cases natively in one harness process. */
export function runNative(bin: string, cases: readonly Case[]): { env: NativeEnv; outcomes: Outcome[] } {
  const res = spawnSync(bin, [], { input: encodeBatch(cases), maxBuffer: 1 << 30, timeout: 600_000 });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    throw new Error(`difftest harness failed (status ${res.status}, signal ${res.signal}): ${res.stderr.toString()}`);
  }
  const o = res.stdout;
  let p = 0;
  const u32 = (): number => { const v = o.readUInt32LE(p); p += 4; return v; };
  if (u32() !== 0x314f5444) throw new Error('difftest harness: bad output magic');
  const env: NativeEnv = { cs: u32(), ds: u32(), es: u32(), ss: u32(), fs: u32(), gs: u32(), gdt: [] };
  for (let i = 0; i < 16; i++) env.gdt.push({ lar: u32(), larOk: u32() !== 0, lsl: u32(), lslOk: u32() !== 0 });
  const outcomes: Outcome[] = [];
  for (let k = 0; k < cases.length; k++) {
    if (p + 60 > o.length) throw new Error(`difftest harness: output ends at case ${k} of ${cases.length}`);
    const signal = u32(), vector = u32(), err = u32(), eip = u32(), eflags = u32();
    u32(); // CR2: no page faults are generated
    const regs: number[] = [];
    for (let i = 0; i < 8; i++) regs.push(u32());
    const n = u32();
    const changes: number[] = [];
    for (let i = 0; i < n; i++) changes.push(u32());
    outcomes.push({ signal, vector, err, eip, eflags, regs, changes });
  }
  return { env, outcomes };
}
