import { describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../../protocol/messages';
import { domainRows, freshName } from './rows';

const base: DomainInfo = {
  domid: 1, name: 'demo', state: 'running', shutdownReason: -1, crashReason: '', maxMemKiB: 8192, memKiB: 8196,
  sharedInfoMfn: 3, grantFrames: [4], vcpus: [{ id: 0, slot: 0, state: 'blocked', vcpuInfoAddr: 12288 }],
};

describe('domainRows', () => {
  it('shows what xl list shows, with the counters, Domain-0 first and without buttons', () => {
    const dom0: DomainInfo = { ...base, domid: 0, name: 'Domain-0', memKiB: 0, maxMemKiB: 0, vcpus: [] };
    const rows = domainRows({ 1: base, 0: dom0 }, {
      1: { domid: 1, xlState: '-b----', cpuTimeNs: 2_345_000_000, hypercalls: 42, upcalls: 7 },
    });
    expect(rows.map((r) => r.domid)).toEqual([0, 1]);
    expect(rows[0]).toMatchObject({ name: 'Domain-0', ops: [], vcpus: 1 });
    expect(rows[1]).toMatchObject({
      name: 'demo', memMiB: 8, vcpus: 1, state: '-b----', stateWord: 'blocked', cpuSeconds: '2.3', hypercalls: 42,
      ops: ['pause', 'reboot', 'shutdown', 'destroy'],
    });
  });

  it('offers unpause for a paused domain, and only destroy once it shut down', () => {
    expect(domainRows({ 1: { ...base, state: 'paused' } }, {})[0]!.ops).toEqual(['unpause', 'reboot', 'shutdown', 'destroy']);
    const crashed = domainRows({ 1: { ...base, state: 'shutdown', shutdownReason: 3, crashReason: 'bad iret' } }, {})[0]!;
    expect(crashed).toMatchObject({ ops: ['destroy'], stateWord: 'crashed', crashReason: 'bad iret' });
  });
});

describe('freshName', () => {
  it('keeps a free name and numbers a taken one', () => {
    expect(freshName('pvos', ['demo'])).toBe('pvos');
    expect(freshName('demo', ['demo', 'demo-2'])).toBe('demo-3');
  });
});
