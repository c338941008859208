import { describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../../protocol/messages';
import { OWNER_XEN } from '../../../shared/frames';
import { frameRoles, hexMfn, ownerName } from './describe';

const d1: DomainInfo = {
  domid: 1, name: 'pvos', state: 'running', shutdownReason: -1, crashReason: '', maxMemKiB: 0, memKiB: 0,
  sharedInfoMfn: 40, grantFrames: [41, 42], vcpus: [],
};

describe('frame words', () => {
  it('names owners', () => {
    expect(ownerName(1, { 1: d1 })).toBe('pvos (d1)');
    expect(ownerName(7, {})).toBe('d7');
    expect(ownerName(OWNER_XEN, {})).toBe('Xen');
    expect(ownerName(-1, {})).toBe('nobody (free)');
    expect(hexMfn(255)).toBe('0xff');
  });

  it('tells shared_info, grant-table frames and grant maps', () => {
    const maps = { 2: [{ handle: 0, granter: 1, ref: 8, mfn: 42, flags: 0, hostAddr: 0 }] };
    expect(frameRoles(40, { 1: d1 }, maps)).toEqual(['shared_info of d1']);
    expect(frameRoles(42, { 1: d1 }, maps)).toEqual(['grant-table frame 1 of d1', "mapped by d2 through d1's grant ref 8"]);
    expect(frameRoles(43, { 1: d1 }, maps)).toEqual([]);
  });
});
