// Idle skips: when every vcpu waits, time jumps to the next timer, and the
// skipped time counts against run()'s budget so run() always returns.
import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../mem/memory';
import { Hypervisor } from './hypervisor';

describe('idle time', () => {
  it('returns from run() when a blocked vcpu only has a timer nobody listens to', () => {
    const mem = MachineMemory.create({ ramMiB: 8, vcpus: 2 });
    const hv = new Hypervisor(mem, { console: () => {} });
    const dom = hv.createDomain(1, 'sleeper', 1);
    const v = dom.vcpus[0];
    v.initialised = true;
    hv.wakeVcpu(v); // comes up: its 10 ms periodic timer is armed
    v.state = 'blocked'; // and it sleeps; VIRQ_TIMER is bound to no port
    hv.unpause(dom);
    expect(hv.run(50_000_000)).toBe('budget');
    // 50 ms of virtual time passed: the periodic timer fired five times, in order.
    expect(hv.time.now).toBeGreaterThanOrEqual(40_000_000);
    expect(hv.time.now).toBeLessThanOrEqual(60_000_000);
    expect(v.state).toBe('blocked');
  });
});
