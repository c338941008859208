// xl's table formats, column for column (tools/xl/xl_info.c list_domains, xl_vcpu.c).
import { describe, expect, it } from 'vitest';
import { dom0Info, formatList, stateLetters, type DomInfo } from './format';
import { sanitise } from './xenstore';
import { splitWords } from './shell';

const guest = (over: Partial<DomInfo>): DomInfo => ({
  id: 1, name: 'web', memMiB: 32, onlineVcpus: 1, running: false, blocked: false, paused: false,
  shutdown: false, shutdownReason: -1, dying: false, cpuTimeNs: 0, ...over,
});

describe('xl list', () => {
  it('prints xl\'s header and rows', () => {
    const text = formatList([dom0Info(), guest({ blocked: true, cpuTimeNs: 2_345_000_000 }), guest({ id: 12, name: 'db', memMiB: 256, onlineVcpus: 2, paused: true })]);
    expect(text.split('\n')).toEqual([
      'Name                                        ID   Mem VCPUs\tState\tTime(s)',
      'Domain-0                                     0     0     1     r-----       0.0',
      'web                                          1    32     1     -b----       2.3',
      'db                                          12   256     2     --p---       0.0',
      '',
    ]);
  });

  it('state letters: shut down with the reason letter (-rscwS), dying', () => {
    expect(stateLetters(guest({ shutdown: true, shutdownReason: 0 }))).toBe('---s--');
    expect(stateLetters(guest({ shutdown: true, shutdownReason: 1 }))).toBe('---sr-');
    expect(stateLetters(guest({ shutdown: true, shutdownReason: 3 }))).toBe('---sc-');
    expect(stateLetters(guest({ shutdown: true, shutdownReason: 4 }))).toBe('---sw-');
    expect(stateLetters(guest({ dying: true }))).toBe('-----d');
  });
});

describe('helpers', () => {
  it('xenstore-ls makes values printable as xenstore-ls does', () => {
    expect(sanitise('a\tb\nc\\d\x01\x7f')).toBe('a\\tb\\nc\\\\d\\001\\x7f');
  });
  it('splits command lines like a shell', () => {
    expect(splitWords(`xenstore-write /a "two words" 'x y' c\\ d`)).toEqual(['xenstore-write', '/a', 'two words', 'x y', 'c d']);
    expect(splitWords('  xl   list  ')).toEqual(['xl', 'list']);
  });
});
