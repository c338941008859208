import { describe, expect, it } from 'vitest';
import { LINK_FORMAT, MAX_LINK_CHARS, linkFragment, parseLinkFragment } from './share';

/** A small deterministic generator, so a failing case can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('share link fragments', () => {
  it('round-trips both kinds, with or without the #', () => {
    for (const kind of ['recipe', 'snapshot'] as const) {
      const f = linkFragment(kind, 'AbC-_09');
      expect(f).toBe(`${kind}${LINK_FORMAT}=AbC-_09`);
      expect(parseLinkFragment(f)).toEqual({ ok: true, kind, payload: 'AbC-_09' });
      expect(parseLinkFragment(`#${f}`)).toEqual({ ok: true, kind, payload: 'AbC-_09' });
    }
  });

  it('has nothing to say about an empty fragment', () => {
    expect(parseLinkFragment('')).toBeNull();
    expect(parseLinkFragment('#')).toBeNull();
  });

  it('explains what is wrong with links that are not usable', () => {
    const msg = (f: string): string => {
      const r = parseLinkFragment(f);
      if (!r || r.ok) throw new Error(`accepted ${f}`);
      return r.message;
    };
    expect(msg('#hello')).toMatch(/does not hold a pvplay machine/);
    expect(msg('#recip')).toMatch(/cut short/);
    expect(msg('#recipe1=')).toMatch(/empty.*cut short/);
    expect(msg('#recipe9=abc')).toMatch(/format 9, made by a newer version/);
    expect(msg('#snapshot0=abc')).toMatch(/format 0, made by an older version/);
    expect(msg('#recipe1=abc%20def')).toMatch(/damaged: character 12/);
    expect(msg('#recipe1=abc).')).toMatch(/damaged/);
    expect(msg('#snapshot1=ab c')).toMatch(/damaged/);
    expect(msg(`#recipe1=${'A'.repeat(MAX_LINK_CHARS + 1)}`)).toMatch(/more than any real one/);
  });

  it('never throws, and accepts only base64url payloads after a known head (fuzzed)', () => {
    const next = rng(8);
    const alphabet = 'ABCxyz019-_=#%.+/ \u00e9\u2603recipesnapshot1';
    for (let i = 0; i < 20_000; i++) {
      const head = next() < 0.7 ? linkFragment(next() < 0.5 ? 'recipe' : 'snapshot', '') : '';
      let tail = '';
      const n = Math.floor(next() * 40);
      for (let k = 0; k < n; k++) tail += alphabet[Math.floor(next() * alphabet.length)];
      const f = (next() < 0.5 ? '#' : '') + head + tail;
      const r = parseLinkFragment(f);
      if (r === null) {
        expect(f === '' || f === '#').toBe(true);
      } else if (r.ok) {
        expect(r.payload).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(f.endsWith(r.payload)).toBe(true);
        expect(f.replace(/^#/, '')).toBe(linkFragment(r.kind, r.payload));
      } else {
        expect(r.message.length).toBeGreaterThan(10);
      }
    }
  });
});
