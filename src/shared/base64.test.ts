import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from './base64';
import { sha256Hex } from './sha256';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe('base64', () => {
  it('agrees with node for every length up to 300 and round-trips', () => {
    const rnd = seeded(7);
    for (let n = 0; n <= 300; n++) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(toBase64Url(b)).toBe(Buffer.from(b).toString('base64url'));
      expect(fromBase64(toBase64(b))).toEqual(b);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
  });

  it('refuses what it does not produce', () => {
    expect(() => fromBase64('abc')).toThrow(RangeError);
    expect(() => fromBase64('ab!=')).toThrow(RangeError);
    expect(() => fromBase64('QR==')).toThrow(/stray bits/);
    expect(() => fromBase64Url('a')).toThrow(RangeError);
    expect(() => fromBase64Url('ab+/')).toThrow(RangeError);
    expect(() => fromBase64Url('é')).toThrow(RangeError);
  });
});

describe('sha256', () => {
  it('matches node:crypto across the padding boundaries', () => {
    const rnd = seeded(3);
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 70_001]) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      expect(sha256Hex(b), `length ${n}`).toBe(createHash('sha256').update(b).digest('hex'));
    }
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
