import { describe, expect, it } from 'vitest';
import { PauseHistory } from './pauseHistory';

describe('PauseHistory', () => {
  it('compares a pause with the one before, and a running vcpu with the last pause', () => {
    const h = new PauseHistory();
    const a = new Int32Array([1]), b = new Int32Array([2]), c = new Int32Array([3]);
    expect(h.baseline(0, true)).toBeNull();
    h.record(new Map([[0, a]]));
    expect(h.baseline(0, true)).toBeNull();
    expect(h.baseline(0, false)).toBe(a);
    h.record(new Map([[0, b], [1, c]]));
    expect(h.baseline(0, true)).toBe(a);
    expect(h.baseline(0, false)).toBe(b);
    expect(h.baseline(1, true)).toBeNull();
    h.clear();
    expect(h.baseline(0, false)).toBeNull();
  });
});
