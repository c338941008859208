// The demo guest the playground ships (public/guests/console.elf, source in
// guests/demo/): the committed image must be exactly what the source builds to
// (gcc and ld are deterministic here, and the image carries no timestamps), and
// booted on the Machine it must print its banner on hvc0, answer a typed line,
// and power off on request. The boot half needs no C compiler: it runs the
// committed image, which the first half ties to the source.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHUTDOWN } from '../abi/xen';
import { Machine } from './machine';

const ROOT = resolve(__dirname, '../..');
const SHIPPED = resolve(ROOT, 'public/guests/console.elf');
const build = mkdtempSync(join(tmpdir(), 'pvplay-demo-'));
afterAll(() => rmSync(build, { recursive: true, force: true }));

/** Virtual nanoseconds the machine may skip ahead per step while the guest sleeps. */
const STEP_NS = 10_000_000;

function boot() {
  let hvc = '';
  let xen = '';
  const m = new Machine({ ramMiB: 24 }, {
    guestConsole: (_d, b) => { hvc += Buffer.from(b).toString('latin1'); },
    hvConsole: (_d, b) => { xen += Buffer.from(b).toString('latin1'); },
  });
  const { dom } = m.createGuest({ name: 'demo', kernel: readFileSync(SHIPPED), memMiB: 8 });
  /** Run until `done` holds or the machine stops or `max` instructions are spent. */
  const runUntil = (done: () => boolean, max = 20_000_000): void => {
    const start = m.executed;
    while (!done() && m.executed - start < max) {
      // The idle skip may go a little further each step, as the worker's wall clock would allow.
      m.hv.timeLimit = m.hv.time.now + STEP_NS;
      if (m.run(1_000_000) === 'stopped') return;
    }
  };
  return { m, dom, hvc: () => hvc, xen: () => xen, runUntil, type: (s: string) => m.consoles.type(dom.id, new TextEncoder().encode(s)) };
}

describe('the shipped demo guest', () => {
  it('is what guests/demo builds to', () => {
    const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), `BUILD=${build}`, `${build}/demo/console.elf`], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`building the demo guest failed:\n${res.stdout}${res.stderr}`);
    const fresh = readFileSync(join(build, 'demo/console.elf'));
    const shipped = readFileSync(SHIPPED);
    // On failure: make -C guests demo && cp guests/build/demo/console.elf public/guests/
    expect(Buffer.compare(fresh, shipped), 'public/guests/console.elf is stale: rebuild and copy it').toBe(0);
  });

  it('prints its banner, answers a typed line, and sleeps in between', () => {
    const g = boot();
    g.runUntil(() => g.hvc().includes('demo> '));
    expect(g.hvc()).toContain('pvplay demo guest');
    expect(g.xen()).toContain('demo: booting');
    expect(g.dom.state).toBe('running');
    // Waiting for input, the guest is blocked: running on retires no instructions.
    const idleAt = g.m.executed;
    g.m.hv.timeLimit = g.m.hv.time.now + STEP_NS;
    g.m.run(1_000_000);
    expect(g.m.executed - idleAt).toBeLessThan(1000);

    g.type('hello\n');
    g.runUntil(() => g.hvc().includes('you typed: hello\r\n'));
    expect(g.hvc()).toContain('demo> hello\r\nyou typed: hello\r\ndemo> ');
  });

  it('edits the line: backspace, carriage return as Enter, help', () => {
    const g = boot();
    g.runUntil(() => g.hvc().includes('demo> '));
    g.type('helx\x7fp\r');
    g.runUntil(() => g.hvc().includes('poweroff'));
    expect(g.hvc()).toContain('helx\b \bp\r\ncommands:');
    expect(g.hvc()).not.toContain('you typed');
  });

  it('powers off on request', () => {
    const g = boot();
    g.runUntil(() => g.hvc().includes('demo> '));
    g.type('poweroff\n');
    g.runUntil(() => g.dom.state !== 'running');
    expect(g.dom.state).toBe('shutdown');
    expect(g.dom.shutdownReason).toBe(SHUTDOWN.poweroff);
  });
});
