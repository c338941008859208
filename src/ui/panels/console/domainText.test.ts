import { describe, expect, it } from 'vitest';
import { describeDomain, describeMachine } from './domainText';

import type { DomainInfo } from '../../../protocol/messages';

const dom: DomainInfo = {
  domid: 1, name: 'demo', state: 'running', shutdownReason: -1, crashReason: '',
  maxMemKiB: 8192, memKiB: 8192, sharedInfoMfn: 5, grantFrames: [6], vcpus: [],
};

describe('describeDomain', () => {
  it('names the domain and its state', () => {
    expect(describeDomain(dom)).toBe('demo (d1) · running');
    expect(describeDomain({ ...dom, state: 'shutdown', shutdownReason: 0 })).toBe('demo (d1) · shut down (poweroff)');
    expect(describeDomain({ ...dom, state: 'shutdown', shutdownReason: 3, crashReason: 'no event callback' })).toBe(
      'demo (d1) · crashed: no event callback',
    );
  });
});

describe('describeMachine', () => {
  it('says what the machine does, and why it failed', () => {
    expect(describeMachine('booting', null, 'demo')).toBe('booting demo…');
    expect(describeMachine('failed', 'hypervisor bug: x', 'demo')).toBe('failed: hypervisor bug: x');
  });
});
