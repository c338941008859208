import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, isUiToWorker } from './messages';
import { MAX_SNAPSHOT_FILE } from './snapshots';

const v = PROTOCOL_VERSION;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('snapshot requests', () => {
  it('accepts the requests the UI sends', () => {
    expect(isUiToWorker({ v, type: 'snapshot', id: 1 })).toBe(true);
    expect(isUiToWorker({ v, type: 'share', id: 2, shipped: ['https://x/guests/pvos.elf'] })).toBe(true);
    expect(isUiToWorker({ v, type: 'restore', id: 3, source: { kind: 'link', fragment: '#recipe1=abc' }, shipped: [] })).toBe(true);
    expect(isUiToWorker({ v, type: 'restore', id: 4, source: { kind: 'file', bytes: new ArrayBuffer(8), name: 'a.pvsnap' }, shipped: [] })).toBe(true);
    expect(isUiToWorker({ v, type: 'timeline', id: 5 })).toBe(true);
    expect(isUiToWorker({ v, type: 'seek', id: 6, instructions: 0 })).toBe(true);
    for (const unit of ['instruction', 'hypercall', 'event']) expect(isUiToWorker({ v, type: 'step-back', id: 7, unit })).toBe(true);
  });

  it('refuses malformed ones', () => {
    const bad: unknown[] = [
      { v, type: 'snapshot' },
      { v, type: 'share', id: 1 },
      { v, type: 'share', id: 1, shipped: [7] },
      { v, type: 'share', id: 1, shipped: Array(17).fill('u') },
      { v, type: 'restore', id: 1, shipped: [] },
      { v, type: 'restore', id: 1, source: { kind: 'link' }, shipped: [] },
      { v, type: 'restore', id: 1, source: { kind: 'file', bytes: new Uint8Array(4) }, shipped: [] },
      { v, type: 'restore', id: 1, source: { kind: 'disk', bytes: new ArrayBuffer(4) }, shipped: [] },
      { v, type: 'restore', id: 1, source: { kind: 'file', bytes: new ArrayBuffer(4), name: 5 }, shipped: [] },
      { v, type: 'seek', id: 1, instructions: -1 },
      { v, type: 'seek', id: 1, instructions: 1.5 },
      { v, type: 'seek', id: 1, instructions: 2 ** 60 },
      { v, type: 'step-back', id: 1, unit: 'page-fault' },
      { v: v + 1, type: 'timeline', id: 1 },
    ];
    for (const m of bad) expect(isUiToWorker(m), JSON.stringify(m)).toBe(false);
    // A file larger than any snapshot is refused without reading it.
    const huge = { byteLength: MAX_SNAPSHOT_FILE + 1 };
    Object.setPrototypeOf(huge, ArrayBuffer.prototype);
    expect(isUiToWorker({ v, type: 'restore', id: 1, source: { kind: 'file', bytes: huge }, shipped: [] })).toBe(false);
  });

  it('never throws on random shapes (fuzzed)', () => {
    const next = rng(3);
    const values = (): unknown => {
      const r = next();
      if (r < 0.1) return null;
      if (r < 0.2) return Math.floor(next() * 100) - 50;
      if (r < 0.3) return 'recipe1=x';
      if (r < 0.4) return new ArrayBuffer(3);
      if (r < 0.5) return ['a', 1];
      if (r < 0.6) return { kind: next() < 0.5 ? 'link' : 'file', fragment: 'x', bytes: new ArrayBuffer(1) };
      if (r < 0.7) return undefined;
      return { nested: next() };
    };
    const types = ['snapshot', 'restore', 'share', 'timeline', 'seek', 'step-back', 'nope'];
    for (let i = 0; i < 5000; i++) {
      const m: Record<string, unknown> = { v, type: types[Math.floor(next() * types.length)] };
      for (const k of ['id', 'source', 'shipped', 'instructions', 'unit']) if (next() < 0.7) m[k] = values();
      expect(() => isUiToWorker(m)).not.toThrow();
    }
  });
});
