import { describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../protocol/messages';
import { pickVcpu, vcpuOptions } from './vcpuChoice';

function dom(domid: number, name: string, slots: number[]): DomainInfo {
  return {
    domid, name, state: 'running', shutdownReason: -1, crashReason: '', maxMemKiB: 0, memKiB: 0, sharedInfoMfn: 0, grantFrames: [],
    vcpus: slots.map((slot, id) => ({ id, slot, state: 'running', vcpuInfoAddr: 0 })),
  };
}

describe('vcpu choice', () => {
  const options = vcpuOptions({ 2: dom(2, 'b', [1, 2]), 1: dom(1, 'a', [0]) });

  it('lists vcpus by domain, naming the vcpu only when there are several', () => {
    expect(options.map((o) => [o.key, o.slot, o.label])).toEqual([
      ['1.0', 0, 'a (d1)'], ['2.0', 1, 'b (d2) vcpu 0'], ['2.1', 2, 'b (d2) vcpu 1'],
    ]);
  });

  it('prefers the pick, then the paused vcpu, then the console domain, then the first', () => {
    const pause = { reason: 'step' as const, instructions: 5, domid: 2, vcpu: 1 };
    expect(pickVcpu(options, '2.0', pause, 1)?.key).toBe('2.0');
    expect(pickVcpu(options, '9.0', pause, 1)?.key).toBe('2.1');
    expect(pickVcpu(options, null, null, 2)?.key).toBe('2.0');
    expect(pickVcpu(options, null, null, null)?.key).toBe('1.0');
    expect(pickVcpu([], null, null, null)).toBeNull();
  });
});
