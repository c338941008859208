import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../shared/sha256';
import { ImageCatalog } from './images';

const bytes = (s: string) => new TextEncoder().encode(s);
const buf = (s: string) => bytes(s).buffer as ArrayBuffer;

describe('ImageCatalog', () => {
  it('finds shipped images by the hash of what their URLs serve, fetching each once', async () => {
    const fetched: string[] = [];
    const c = new ImageCatalog(async (url) => {
      fetched.push(url);
      if (url.endsWith('a.elf')) return buf('kernel a');
      if (url.endsWith('b.elf')) return buf('kernel b');
      throw new Error('404');
    });
    const ids = await c.load(['/a.elf', '/b.elf', '/missing.elf']);
    expect([...ids].sort()).toEqual([sha256Hex(bytes('kernel a')), sha256Hex(bytes('kernel b'))].sort());
    expect(new TextDecoder().decode(c.get(sha256Hex(bytes('kernel b')))!)).toBe('kernel b');
    await c.load(['/a.elf', '/b.elf']);
    expect(fetched.filter((u) => u === '/a.elf')).toHaveLength(1);
    // A failed fetch is tried again next time.
    await c.load(['/missing.elf']);
    expect(fetched.filter((u) => u === '/missing.elf')).toHaveLength(2);
  });

  it('knows what a boot already fetched, and nothing by name alone', async () => {
    const c = new ImageCatalog(() => Promise.reject(new Error('offline')));
    const id = c.remember('/guests/pvos.elf', bytes('pvos'));
    expect(id).toBe(sha256Hex(bytes('pvos')));
    expect(await c.load(['/guests/pvos.elf'])).toEqual(new Set([id]));
    expect(c.get(sha256Hex(bytes('other')))).toBeUndefined();
  });
});
