// Boot tests of our own PV test kernels (guests/tests/*.c), built from source
// here with `make -C guests`. Each kernel lists the OK lines it must print in its
// opening comment ("Expected lines:"); a kernel passes when every one of them
// appears, no FAILED line does, and it powers off. The crash_* kernels end the
// domain on purpose: they must print their OK lines, then crash for the reason
// given below. Needs a gcc that can emit 32-bit code (gcc-multilib); without
// one the suite is skipped with the compiler's message.
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

/**
 * Lines that fail because of a known bug outside the hypervisor, reported and
 * not yet fixed: they are left out of the assertions (and listed on stderr) so
 * the rest of the kernel still guards the hypervisor. Remove an entry when the
 * bug is fixed. `whole`: the kernel cannot run at all; its test is expected to fail.
 */
const KNOWN: Record<string, { why: string; lines?: string[]; whole?: boolean }> = {
  traps: {
    why: 'src/cpu: CMP with a memory operand is checked as a write (#PF W=1 on read-only and not-present pages)',
    lines: [
      'OK CMP with a memory operand on a read-only page does not fault',
      'OK CMP with a memory operand on a not-present page: #PF error 0',
    ],
  },
  fpu: { why: "src/cpu has no x87 unit yet: any FPU instruction crashes the domain, so #NM after fpu_taskswitch(1) cannot be seen", whole: true },
};

/** The crash reasons Xen's behaviour implies (ABI map 6.11, 5.20, 6.15). */
const CRASH_REASONS: Record<string, RegExp> = {
  crash_noevtcb: /callback|handler/i,
  crash_iret: /iret/i,
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
const canBuild = cc.status === 0;
if (!canBuild) process.stderr.write(`pvtests skipped: cannot build 32-bit guests\n${cc.stderr}\n`);

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

describe.skipIf(!canBuild)('PV test kernels', () => {
  const built = canBuild && (() => {
    execFileSync('make', ['-C', GUESTS, ...kernels.map((k) => `build/tests/${k.name}.elf`)], { stdio: 'pipe' });
    return true;
  })();

  it('every kernel lists its expected lines', () => {
    expect(built).toBe(true);
    for (const k of kernels) expect(k.expected.length, k.name).toBeGreaterThan(0);
  });

  for (const k of kernels) {
    const known = KNOWN[k.name];
    (known?.whole ? it.fails : it)(k.name, () => {
      if (known) process.stderr.write(`pvtests: ${k.name}: known bug left out: ${known.why}\n`);
      const elf = readFileSync(join(GUESTS, 'build/tests', `${k.name}.elf`));
      const r = boot(elf, `${k.name}.elf`, k.vcpus);
      // The console may tag each line with its domain, "(d1) ".
      const lines = r.console.split('\n').map((l) => l.trim().replace(/^\(d\d+\) /, ''));
      const skip = new Set(known?.lines ?? []);
      const missing = k.expected.filter((e) => !skip.has(e) && !lines.includes(e));
      const failed = lines.filter((l) => l.startsWith('FAILED') && ![...skip].some((s) => l.startsWith(`FAILED ${s.slice(3)}`)));
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
