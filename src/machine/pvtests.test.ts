// Boot tests of our own PV test kernels (guests/tests/*.c), built from source
// here with `make -C guests`. Each kernel lists the OK lines it must print in its
// opening comment ("Expected lines:"); a kernel passes when every one of them
// appears, no FAILED line does, and it powers off. The crash_* kernels end the
// domain on purpose: they must print their OK lines, then crash for the reason
// given below. Needs a gcc that can emit 32-bit code (gcc-multilib); without
// one the suite fails with the compiler's message (.ci/run installs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN } from '../abi/xen';
import { Machine } from './machine';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
const TESTS = join(GUESTS, 'tests');

interface KernelSpec {
  name: string;
  expected: string[];
  /** For crash_* kernels: what the crash reason must say. */
  crash?: RegExp;
  vcpus?: number;
}


/** The crash reasons Xen's behaviour implies (ABI map 6.11, 5.20, 6.15). */
const CRASH_REASONS: Record<string, RegExp> = {
  crash_noevtcb: /callback|handler/i,
  crash_iret: /iret/i,
  crash_fpu: /x87/i,
};

/** The "Expected lines:" block of a kernel's opening comment. */
function expectedLines(src: string): string[] {
  const head = src.slice(0, src.indexOf('*/'));
  const at = head.indexOf('Expected lines:');
  if (at < 0) return [];
  return head.slice(at).split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter((l) => l.startsWith('OK '));
}

/** The "Vcpus: N" line of a kernel's opening comment (default 1). */
function vcpusOf(src: string): number {
  const m = /^\s*\*\s*Vcpus:\s*(\d+)/m.exec(src.slice(0, src.indexOf('*/')));
  return m ? Number(m[1]) : 1;
}

const kernels: KernelSpec[] = readdirSync(TESTS).filter((f) => f.endsWith('.c')).sort().map((f) => {
  const name = f.slice(0, -2);
  const src = readFileSync(join(TESTS, f), 'utf8');
  return { name, expected: expectedLines(src), crash: CRASH_REASONS[name], vcpus: vcpusOf(src) };
});

const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`cannot build the 32-bit test kernels:\n${cc.stderr}`);

interface BootResult {
  console: string;
  reason: number | null;
  crashReason: string;
}

/** Boot one kernel headless until it shuts down, idles with nothing armed, or runs out of instructions. */
function boot(elf: Uint8Array, name: string, vcpus = 1, maxInstructions = 200_000_000): BootResult {
  let out = '';
  const dec = new TextDecoder();
  let reason: number | null = null, crashReason = '';
  const m = new Machine({ ramMiB: 48, maxVcpus: vcpus }, {
    hvConsole: (_d, b) => { out += dec.decode(b); },
    guestConsole: (_d, b) => { out += dec.decode(b); },
    shutdown: (dom) => { reason = dom.shutdownReason; crashReason = dom.crashReason; },
  });
  m.createGuest({ name, kernel: elf, memMiB: 32, vcpus });
  while (reason === null && m.executed < maxInstructions) {
    const outcome = m.run(5_000_000);
    if (outcome === 'idle' || outcome === 'stopped') break;
  }
  return { console: out, reason, crashReason };
}

describe('PV test kernels', () => {
  const built = (() => {
    execFileSync('make', ['-C', GUESTS, ...kernels.map((k) => `build/tests/${k.name}.elf`)], { stdio: 'pipe' });
    return true;
  })();

  it('every kernel lists its expected lines', () => {
    expect(built).toBe(true);
    for (const k of kernels) expect(k.expected.length, k.name).toBeGreaterThan(0);
  });

  for (const k of kernels) {
    it(k.name, () => {
      const elf = readFileSync(join(GUESTS, 'build/tests', `${k.name}.elf`));
      const r = boot(elf, `${k.name}.elf`, k.vcpus);
      // The console may tag each line with its domain, "(d1) ".
      const lines = r.console.split('\n').map((l) => l.trim().replace(/^\(d\d+\) /, ''));
      const missing = k.expected.filter((e) => !lines.includes(e));
      const failed = lines.filter((l) => l.startsWith('FAILED'));
      const tail = r.console.split('\n').slice(-15).join('\n');
      expect({ missing, failed }, `console tail:\n${tail}`).toEqual({ missing: [], failed: [] });
      if (k.crash) {
        expect(r.reason, tail).toBe(SHUTDOWN.crash);
        expect(r.crashReason).toMatch(k.crash);
      } else {
        expect(r.reason, `${r.crashReason}\n${tail}`).toBe(SHUTDOWN.poweroff);
        const ok = lines.filter((l) => l.startsWith('OK ')).length;
        expect(lines).toContain(`pvplay-test: ${ok} passed, ${lines.filter((l) => l.startsWith('FAILED')).length} failed`);
      }
    }, 120_000);
  }
});
