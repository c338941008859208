import { describe, expect, it } from 'vitest';
import { fraction, instructionAt, marksOf, spanOf } from './scale';

const info = { start: 100, now: 600, end: 1100, checkpoints: [100, 600], inputs: [] };

describe('timeline scale', () => {
  it('puts the machine where its latest pause or stats say, stretching the span when it ran further', () => {
    expect(spanOf(info, null)).toEqual({ start: 100, end: 1100, now: 600 });
    expect(spanOf(info, 2000)).toEqual({ start: 100, end: 2000, now: 2000 });
    expect(spanOf(info, 300)).toEqual({ start: 100, end: 1100, now: 300 });
    // Older than the timeline's start: a message from before a restore.
    expect(spanOf(info, 50)).toEqual({ start: 100, end: 1100, now: 600 });
  });

  it('maps counts to the track and back', () => {
    const s = spanOf(info, null);
    expect(fraction(100, s)).toBe(0);
    expect(fraction(1100, s)).toBe(1);
    expect(fraction(600, s)).toBe(0.5);
    expect(fraction(50, s)).toBe(0);
    expect(instructionAt(0.5, s)).toBe(600);
    expect(instructionAt(-1, s)).toBe(100);
    expect(instructionAt(2, s)).toBe(1100);
    for (let x = 100; x <= 1100; x += 37) expect(instructionAt(fraction(x, s), s)).toBe(x);
  });

  it('puts an empty span at its end', () => {
    const s = { start: 5, end: 5, now: 5 };
    expect(fraction(5, s)).toBe(1);
    expect(instructionAt(0.3, s)).toBe(5);
  });

  it('thins marks to the room there is, leaving out those outside', () => {
    const s = { start: 0, end: 1000, now: 1000 };
    const xs = Array.from({ length: 1001 }, (_, i) => i);
    const m = marksOf(xs, s, 100);
    expect(m.length).toBeLessThanOrEqual(100);
    expect(m.length).toBeGreaterThan(90);
    expect(m[0]).toEqual({ at: 0, f: 0 });
    expect(marksOf([-5, 10, 2000], s, 10)).toEqual([{ at: 10, f: 0.01 }]);
  });
});
