import { describe, expect, it } from 'vitest';
import type { MachineSummary } from '../../protocol/snapshots';
import { bannerText, describeSummary, linkNote, snapshotFileName } from './text';

const s: MachineSummary = {
  kind: 'recipe', instructions: 1_234_567, timeNs: 1_500_000_000, size: 800, inputs: 1,
  domains: [{ domid: 1, name: 'pvos', state: 'running' }, { domid: 2, name: 'two', state: 'paused' }],
};

describe('share texts', () => {
  it('describes what a link or file holds', () => {
    expect(describeSummary(s)).toBe('a replay recipe of 1 input · 1,234,567 instructions · virtual time 1.50 s · pvos (d1, running), two (d2, paused)');
    expect(describeSummary({ ...s, kind: 'snapshot', domains: [] })).toBe('a snapshot · 1,234,567 instructions · virtual time 1.50 s · no domains');
    expect(bannerText({ from: 'link', summary: s })).toMatch(/^Opened from a link: a replay recipe .* The machine is paused\.$/);
    expect(bannerText({ from: 'file', name: 'x.pvsnap', summary: s })).toMatch(/^Opened from the file “x\.pvsnap”: /);
  });

  it('warns of links too long for chat apps', () => {
    expect(linkNote('x'.repeat(100), s, true)).toBe('Copied a replay recipe link of 100 characters.');
    expect(linkNote('x'.repeat(100), s, true, 'replaying it takes about 90 ms here')).toBe('Copied a replay recipe link of 100 characters: replaying it takes about 90 ms here.');
    expect(linkNote('x'.repeat(2001), { ...s, kind: 'snapshot' }, false)).toMatch(/^Made a snapshot link of 2,001 characters\. Over 2,000/);
    expect(linkNote('x'.repeat(3 << 20), { ...s, kind: 'snapshot' }, true)).toMatch(/more than a browser takes .* use Save/);
  });

  it('names files after their guests, safely', () => {
    expect(snapshotFileName(s)).toBe('pvplay-pvos+two-1M.pvsnap');
    expect(snapshotFileName({ ...s, domains: [{ domid: 1, name: '../../etc/passwd', state: 'x' }] })).toBe('pvplay-_etc_passwd-1M.pvsnap');
    expect(snapshotFileName({ ...s, domains: [] })).toBe('pvplay-machine-1M.pvsnap');
  });
});
