// The teaching guest as the playground ships it (public/guests/pvos.elf, source
// in guests/kernel and guests/user): the committed image must be exactly what
// the source builds to (gcc and ld are deterministic here, and the image carries
// no timestamps or paths), and booted on the Machine it must reach its shell
// prompt and answer a command. The boot half needs no C compiler: it runs the
// committed image, which the first half ties to the source. pvos.test.ts and
// pvos2.test.ts test the guest itself, built from source.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Machine } from './machine';

const ROOT = resolve(__dirname, '../..');
const SHIPPED = resolve(ROOT, 'public/guests/pvos.elf');
const build = mkdtempSync(join(tmpdir(), 'pvplay-pvos-'));
afterAll(() => rmSync(build, { recursive: true, force: true }));

describe('the shipped teaching guest', () => {
  it('is what guests/kernel and guests/user build to', () => {
    const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), `BUILD=${build}`, `${build}/kernel/pvos.elf`], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`building pvos failed:\n${res.stdout}${res.stderr}`);
    const fresh = readFileSync(join(build, 'kernel/pvos.elf'));
    // On failure: make -C guests pvos && cp guests/build/kernel/pvos.elf public/guests/
    expect(Buffer.compare(fresh, readFileSync(SHIPPED)), 'public/guests/pvos.elf is stale: rebuild and copy it').toBe(0);
  }, 120_000);

  it('boots to its shell prompt and answers a command', () => {
    let hvc = '';
    const m = new Machine({ ramMiB: 40 }, { guestConsole: (_d, b) => { hvc += Buffer.from(b).toString('latin1').replace(/\r/g, ''); } });
    const { dom } = m.createGuest({ name: 'pvos', kernel: readFileSync(SHIPPED), memMiB: 32 });
    const runUntil = (done: () => boolean): void => {
      for (let k = 0; k < 400 && !done(); k++) if (m.run(1_000_000) === 'stopped') return;
    };
    runUntil(() => hvc.includes('\n$ '));
    expect(hvc).toContain('pvos shell on hvc0. Type help.');
    m.consoles.type(dom.id, new TextEncoder().encode('xs read name\n'));
    runUntil(() => hvc.includes('(XS_READ)'));
    expect(hvc).toContain('name = "pvos" (XS_READ)');
  });
});
