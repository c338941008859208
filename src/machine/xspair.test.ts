// Two PV guests (guests/tests/xs_pair.c) created through the toolstack find each
// other through xenstore -- A publishes an unbound port in its ~/data and gives
// B read access to that node; B watches it, reads it, binds -- and ping-pong
// over the interdomain event channel. Needs the 32-bit compiler (as pvtests).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN } from '../abi/xen';
import { parseDomainConfig } from '../dom0/toolstack/config';
import { Machine } from './machine';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');

describe('two guests through xenstore', () => {
  it('find each other and exchange events over an interdomain channel', () => {
    execFileSync('make', ['-C', GUESTS, 'build/tests/xs_pair.elf'], { stdio: 'pipe' });
    const kernel = readFileSync(join(GUESTS, 'build/tests/xs_pair.elf'));
    const out = new Map<number, string>();
    const dec = new TextDecoder();
    const m = new Machine({ ramMiB: 48, maxVcpus: 2 }, {
      hvConsole: (d, b) => out.set(d, (out.get(d) ?? '') + dec.decode(b)),
    });
    const cfg = (name: string, extra: string) => parseDomainConfig(
      `name = "${name}"\nkernel = "xs_pair.elf"\nmemory = 16\nextra = "${extra}"\non_poweroff = "preserve"\n`, `${name}.cfg`);
    const a = m.toolstack.create(cfg('pair-a', 'role=a peer=2'), { kernel });
    const b = m.toolstack.create(cfg('pair-b', 'role=b peer=1'), { kernel });
    expect([a.id, b.id]).toEqual([1, 2]);
    while ((a.state !== 'shutdown' || b.state !== 'shutdown') && m.executed < 400_000_000) {
      if (m.run(5_000_000) === 'stopped') break;
    }
    const ta = out.get(1) ?? '', tb = out.get(2) ?? '';
    expect(ta, ta).not.toContain('FAILED');
    expect(tb, tb).not.toContain('FAILED');
    expect(ta).toContain('xs_pair: a answered 5 pings');
    expect(tb).toMatch(/xs_pair: b found port \d+ of domain 1 after \d+ watch events/);
    expect(tb).toContain('OK bound to the peer\'s port');
    expect(tb).toContain('xs_pair: b got 5 pongs');
    expect([a.shutdownReason, b.shutdownReason]).toEqual([SHUTDOWN.poweroff, SHUTDOWN.poweroff]);
    // What A published, as dom0 sees it: owner A, readable by B.
    expect(m.xs.getPermStrings(0, '/local/domain/1/data/xs-pair-port')).toEqual(['n1', 'r2']);
    // Both preserved; destroying them leaves no domain behind.
    m.toolstack.destroy(1);
    m.toolstack.destroy(2);
    expect(m.hv.domains.size).toBe(0);
  }, 120_000);
});
