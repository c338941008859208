// The toolstack's control/shutdown deadline is a dom0 timer that bounds the
// machine's idle skips, but what domain 0 has for an idle guest must reach it
// before time jumps there: otherwise a guest that would act on the request (or
// on its input) never hears of it before it is destroyed.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_TIMEOUT_NS } from '../dom0/toolstack/toolstack';
import { Machine } from './machine';

const KERNEL = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../public/guests/console.elf'));

describe('an idle guest with a shutdown request pending', () => {
  it('gets its input before the deadline, and is destroyed at the deadline', () => {
    let hvc = '';
    let answeredAt = -1;
    const m = new Machine({ ramMiB: 16, maxVcpus: 1 }, {
      guestConsole: (_d, b) => {
        hvc += Buffer.from(b).toString('latin1');
        if (answeredAt < 0 && hvc.includes('you typed: hi')) answeredAt = m.hv.time.now;
      },
    });
    const dom = m.createGuest({ name: 'demo', kernel: KERNEL, memMiB: 8 }).dom;
    for (let k = 0; k < 50 && !hvc.includes('demo> '); k++) m.run(1_000_000);
    expect(hvc).toContain('demo> ');
    // The demo guest waits for input with no timer armed: every vcpu is idle, and
    // nothing paces the machine, so the next thing that can happen is the deadline.
    const asked = m.hv.time.now;
    m.toolstack.requestShutdown(dom.id, 'poweroff');
    m.consoles.type(dom.id, new TextEncoder().encode('hi\n'));
    while (m.domain(dom.id) && m.hv.time.now < asked + 2 * SHUTDOWN_TIMEOUT_NS) m.run(5_000_000);
    expect(answeredAt).toBeGreaterThanOrEqual(asked);
    expect(answeredAt - asked).toBeLessThan(1_000_000_000);
    // It does not act on control/shutdown, so the deadline still ends it.
    expect(m.domain(dom.id)).toBeUndefined();
    expect(m.hv.time.now).toBeGreaterThanOrEqual(asked + SHUTDOWN_TIMEOUT_NS);
  });

  it('answered by a shutdown, leaves the clock where it was (nothing left to wait for)', () => {
    let hvc = '';
    const m = new Machine({ ramMiB: 24, maxVcpus: 2 }, { guestConsole: (d, b) => { if (d === 1) hvc += Buffer.from(b).toString('latin1'); } });
    const dom = m.createGuest({ name: 'demo', kernel: KERNEL, memMiB: 8 }).dom;
    // A second guest that stays idle keeps the machine from stopping.
    m.createGuest({ name: 'other', kernel: KERNEL, memMiB: 8 });
    for (let k = 0; k < 50 && !hvc.includes('demo> '); k++) m.run(1_000_000);
    const asked = m.hv.time.now;
    m.toolstack.requestShutdown(dom.id, 'poweroff');
    m.consoles.type(dom.id, new TextEncoder().encode('poweroff\n'));
    for (let k = 0; k < 5; k++) m.run(1_000_000);
    expect(dom.state).toBe('shutdown');
    expect(m.toolstack.nextDeadline).toBe(Infinity);
    expect(m.hv.time.now - asked).toBeLessThan(1_000_000_000);
  });
});
