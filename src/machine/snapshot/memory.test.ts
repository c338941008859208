// RAM encoding: every kind of page (zero, filled, an image's, sparse, counting,
// plain data) comes back exactly; the kinds are chosen as meant; a broken
// encoding is refused with SnapshotError.
import { describe, expect, it } from 'vitest';
import { decodeRam, encodeRam } from './memory';
import { SnapshotError } from './errors';

const PAGE = 4096, WORDS = 1024;

function ramOf(): { ram: Uint8Array; image: Uint8Array } {
  const ram = new Uint8Array(64 * PAGE), w = new Int32Array(ram.buffer);
  const image = new Uint8Array(3 * PAGE);
  let x = 12345;
  const rnd = () => (x = (Math.imul(x, 1664525) + 1013904223) | 0);
  image.forEach((_, i) => { image[i] = rnd() & 0xff; });
  w.fill(0x01010101, 1 * WORDS, 2 * WORDS); // filled
  ram.set(image.subarray(PAGE, 2 * PAGE), 2 * PAGE); // an image page, elsewhere
  for (let p = 10; p < 30; p++) w[p * WORDS] = 0xc0000000 + (p + 1) * PAGE; // a free list
  for (let i = 0; i < WORDS; i += 2) w[40 * WORDS + i] = ((i / 2) << 12) | 0x67; // page-table entries
  for (let i = 0; i < WORDS; i++) w[41 * WORDS + i] = rnd(); // data
  w[42 * WORDS + 7] = -5; // one word
  return { ram, image };
}

describe('RAM encoding', () => {
  it('gives back every page, each kind as meant', () => {
    const { ram, image } = ramOf();
    const enc = encodeRam(ram, [image]);
    const dv = new DataView(enc.buffer);
    const [pages, refs, stored, fills, sparse] = [0, 1, 2, 3, 4].map((i) => dv.getUint32(i * 4, true));
    expect({ pages, refs, stored, fills, sparse }).toEqual({ pages: 64, refs: 1, stored: 2, fills: 1, sparse: 21 });
    expect(enc[24 + 40]).toBe(5); // the page tables as differences
    expect(enc[24 + 41]).toBe(1); // the data as it is
    const out = new Uint8Array(ram.length).fill(0xee);
    decodeRam(enc, 64, [image], () => 'image')(out, false);
    expect(out).toEqual(ram);
  });

  it('refuses encodings that do not add up', () => {
    const { ram, image } = ramOf();
    const enc = encodeRam(ram, [image]);
    const bad = (e: Uint8Array, pages = 64, imgs: (Uint8Array | undefined)[] = [image]) => () => decodeRam(e, pages, imgs, () => 'image');
    expect(bad(enc, 65)).toThrow(SnapshotError);
    expect(bad(enc.subarray(0, enc.length - 1))).toThrow(/length does not match/);
    expect(bad(enc, 64, [undefined])).toThrow(/needs the guest image image/);
    expect(bad(enc, 64, [])).toThrow(/refers to image 0/);
    const k = enc.slice();
    k[24 + 50] = 9;
    expect(bad(k)).toThrow(/unknown kind/);
    const c = enc.slice();
    c[24 + 50] = 1;
    expect(bad(c)).toThrow(/counts disagree/);
    const sp = enc.slice();
    const at = 24 + 64 + 6 + 4; // the first sparse page's count
    new DataView(sp.buffer).setUint16(at, 5000, true);
    expect(bad(sp)).toThrow(SnapshotError);
  });
});
