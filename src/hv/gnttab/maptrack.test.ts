import { describe, expect, it } from 'vitest';
import { Maptrack } from './maptrack';

function take(mt: Maptrack, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(mt.get(0));
  return out;
}

describe('maptrack handles (Xen\'s free-list discipline, one vcpu)', () => {
  it('hands out 0..254 from the first page and keeps entry 255 as the tail anchor', () => {
    const mt = new Maptrack(4);
    expect(take(mt, 255)).toEqual(Array.from({ length: 255 }, (_, i) => i));
    expect(mt.limit).toBe(256);
    expect(mt.get(0)).toBe(256); // a new page rather than the anchor
    expect(mt.limit).toBe(512);
  });

  it('queues freed handles at the tail, after the anchor', () => {
    const mt = new Maptrack(4);
    take(mt, 3);
    mt.put(1);
    const next = take(mt, 253);
    expect(next[0]).toBe(3);
    expect(next[251]).toBe(254);
    expect(next[252]).toBe(255); // the old anchor, now followed by handle 1
    expect(mt.get(0)).toBe(256); // 1 is the new anchor
  });

  it('returns -1 when every page allowed is in use', () => {
    const mt = new Maptrack(1);
    take(mt, 255);
    expect(mt.get(0)).toBe(-1);
    const none = new Maptrack(0);
    expect(none.get(0)).toBe(-1);
  });
});
