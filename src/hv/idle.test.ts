// Idle: when every vcpu waits, time jumps to the next timer that can wake
// someone; a timer whose VIRQ nobody listens to wakes nothing, so a guest that
// only waits for input leaves the machine idle (run() says so at once).
import { describe, expect, it } from 'vitest';
import { VIRQ } from '../abi/xen';
import { MachineMemory } from '../mem/memory';
import { Hypervisor } from './hypervisor';

function sleeper() {
  const mem = MachineMemory.create({ ramMiB: 8, vcpus: 2 });
  const hv = new Hypervisor(mem, { console: () => {} });
  const dom = hv.createDomain(1, 'sleeper', 1);
  const v = dom.vcpus[0];
  v.initialised = true;
  hv.wakeVcpu(v); // comes up: its 10 ms periodic timer is armed
  v.state = 'blocked';
  hv.unpause(dom);
  return { hv, v };
}

describe('idle time', () => {
  it('is idle when a blocked vcpu only has a timer nobody listens to', () => {
    const { hv, v } = sleeper();
    expect(hv.run(50_000_000)).toBe('idle');
    expect(hv.time.now).toBe(0);
    expect(v.state).toBe('blocked');
    // Paced by an embedder, time still follows its clock while idle.
    hv.timeLimit = 7_000_000;
    expect(hv.run(50_000_000)).toBe('idle');
    expect(hv.time.now).toBe(7_000_000);
  });

  it('waits for the host when the next heard timer lies beyond the time limit', () => {
    const { hv, v } = sleeper();
    expect(hv.evtchn.bindVirq(1, VIRQ.TIMER, 0)).toBeGreaterThan(0);
    hv.timeLimit = 5_000_000;
    // The first deadline (10 ms) lies beyond the limit: time follows the host's
    // clock up to the limit, and the machine waits for the host there.
    expect(hv.run(50_000_000)).toBe('waiting');
    expect(hv.time.now).toBe(5_000_000);
    expect(v.state).toBe('blocked');
  });
});
