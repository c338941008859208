import { describe, expect, it } from 'vitest';
import { XenLinePrefixer } from './xenLines';

const b = (s: string) => new TextEncoder().encode(s);

describe('XenLinePrefixer', () => {
  it('prefixes each line with its writer and ends lines with CR LF', () => {
    const p = new XenLinePrefixer();
    // The hypervisor's own lines come with their "(XEN) " already.
    expect(p.format(-1, b('(XEN) console of domain 1 disconnected\n'))).toBe('(XEN) console of domain 1 disconnected\r\n');
    expect(p.format(1, b('demo: booting\ndemo: up\n'))).toBe('(d1) demo: booting\r\n(d1) demo: up\r\n');
  });

  it('continues a line split across writes without a second prefix', () => {
    const p = new XenLinePrefixer();
    expect(p.format(2, b('hal'))).toBe('(d2) hal');
    expect(p.format(2, b('f a line\r\nnext'))).toBe('f a line\r\n(d2) next');
    expect(p.format(3, b('x\n'))).toBe('(d3) x\r\n');
  });
});
