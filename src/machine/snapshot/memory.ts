// Machine RAM in a snapshot. Each 4 KiB page is one of:
//   zero        not stored
//   filled      one 32-bit word repeated: the word is stored
//   reference   equal to a page of a guest image the snapshot names (baseline.ts):
//               stored as (image, page), rebuilt from the image at restore
//   sparse      at most SPARSE_MAX non-zero words (a free list's pages, where
//               each holds a pointer to the next): stored as (index, word) pairs,
//               each word as its difference from the last sparse word at that index
//               (a free list's pointers then differ by the same amount every time)
//   stored      the whole page; or, as `delta`, each word minus the one two words
//               before, when that repeats more (page tables, the M2P: counting
//               numbers become one number repeated, which compresses to nothing)
// The section is then DEFLATE-compressed by the container like every other;
// keeping its raw size small keeps both ends fast.
//
//   u32 pages, references, stored, filled, sparse pages, sparse bytes
//   u8  kind per page (0 zero, 1 stored, 2 reference, 3 filled, 4 sparse, 5 delta)
//   per reference: u16 image index, u32 page index in that image's pages
//   per filled page: i32 the word
//   per sparse page: u16 n, then n times (u16 word index, i32 word difference)
//   the stored and delta pages, in page order
import { SnapshotError } from './errors';
import { PAGE } from './baseline';

// Kinds; 0 is a zero page.
const STORED = 1, REF = 2, FILL = 3, SPARSE = 4, DELTA = 5;
const HEAD = 24;
const WORDS = PAGE / 4;
/** Non-zero words up to which a page is stored sparse (6 bytes each, against 4096). */
const SPARSE_MAX = 128;
/** Up to this many, a page is stored sparse without looking for it among the images' pages. */
const FEW_WORDS = 16;

function pageHash(w: Int32Array, at: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = at; i < at + WORDS; i++) h = Math.imul(h ^ w[i], 0x01000193);
  return h >>> 0;
}

function sameWords(a: Int32Array, ai: number, b: Int32Array, bi: number): boolean {
  for (let i = 0; i < WORDS; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

/** Image pages by content hash (zero pages are never references). */
function indexImages(img32: Int32Array[]): Map<number, [number, number][]> {
  const index = new Map<number, [number, number][]>();
  img32.forEach((w, k) => {
    for (let p = 0; p < w.length / WORDS; p++) {
      const at = p * WORDS;
      let zero = true;
      for (let i = at; i < at + WORDS && zero; i++) if (w[i] !== 0) zero = false;
      if (zero) continue;
      const h = pageHash(w, at);
      const list = index.get(h);
      if (list) list.push([k, p]);
      else index.set(h, [[k, p]]);
    }
  });
  return index;
}

/** Encode `ram` (a whole number of pages) against the images' pages. */
export function encodeRam(ram: Uint8Array, images: readonly Uint8Array[]): Uint8Array {
  const pages = ram.length / PAGE;
  const ram32 = new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2);
  const img32 = images.map((b) => new Int32Array(b.buffer, b.byteOffset, b.length >>> 2));
  let index: Map<number, [number, number][]> | null = null;
  const kinds = new Uint8Array(pages);
  const refs: number[] = [], fills: number[] = [], sparse: number[] = [];
  const lastSparse = new Int32Array(WORDS);
  let stored = 0, sparsePages = 0;
  for (let p = 0; p < pages; p++) {
    const at = p * WORDS, end = at + WORDS;
    // Most pages are zero or one word repeated: one tight pass tells.
    const w0 = ram32[at];
    let i = at + 1;
    while (i < end && ram32[i] === w0) i++;
    if (i === end) {
      if (w0 !== 0) {
        kinds[p] = FILL;
        fills.push(w0);
      }
      continue;
    }
    // Count non-zero words, stopping once the page is too full to be sparse.
    let nonzero = 0;
    for (let j = at; j < end && nonzero <= SPARSE_MAX; j++) if (ram32[j] !== 0) nonzero++;
    // A page of a few words is cheaper sparse than hashed; fuller ones may be an image's.
    let hit: [number, number] | undefined;
    if (nonzero > FEW_WORDS) {
      index ??= indexImages(img32);
      hit = index.get(pageHash(ram32, at))?.find(([k, q]) => sameWords(ram32, at, img32[k], q * WORDS));
    }
    if (hit) {
      kinds[p] = REF;
      refs.push(hit[0], hit[1]);
    } else if (nonzero <= SPARSE_MAX) {
      kinds[p] = SPARSE;
      sparsePages++;
      sparse.push(nonzero);
      for (let j = 0; j < WORDS; j++) {
        const w = ram32[at + j];
        if (w === 0) continue;
        sparse.push(j, (w - lastSparse[j]) | 0);
        lastSparse[j] = w;
      }
    } else {
      kinds[p] = deltaPays(ram32, at) ? DELTA : STORED;
      stored++;
    }
  }
  const sparseBytes = sparsePages * 2 + ((sparse.length - sparsePages) / 2) * 6;
  const out = new Uint8Array(HEAD + pages + (refs.length / 2) * 6 + fills.length * 4 + sparseBytes + stored * PAGE);
  const dv = new DataView(out.buffer);
  [pages, refs.length / 2, stored, fills.length, sparsePages, sparseBytes].forEach((n, i) => dv.setUint32(i * 4, n, true));
  out.set(kinds, HEAD);
  let o = HEAD + pages;
  for (let i = 0; i < refs.length; i += 2, o += 6) {
    dv.setUint16(o, refs[i], true);
    dv.setUint32(o + 2, refs[i + 1], true);
  }
  for (const w of fills) { dv.setInt32(o, w, true); o += 4; }
  for (let i = 0; i < sparse.length;) {
    const n = sparse[i++];
    dv.setUint16(o, n, true);
    o += 2;
    for (let k = 0; k < n; k++, i += 2, o += 6) {
      dv.setUint16(o, sparse[i], true);
      dv.setInt32(o + 2, sparse[i + 1], true);
    }
  }
  for (let p = 0; p < pages; p++) {
    if (kinds[p] === STORED) out.set(ram.subarray(p * PAGE, (p + 1) * PAGE), o);
    else if (kinds[p] === DELTA) for (let j = 0, at = p * WORDS; j < WORDS; j++) dv.setInt32(o + j * 4, (ram32[at + j] - (j >= 2 ? ram32[at + j - 2] : 0)) | 0, true);
    else continue;
    o += PAGE;
  }
  return out;
}

/** Does a page repeat more as differences two words apart (64-bit entries counting up) than as it is? */
function deltaPays(w: Int32Array, at: number): boolean {
  let same = 0, steady = 0;
  for (let i = at + 4; i < at + WORDS; i++) {
    if (w[i] === w[i - 2]) same++;
    if (w[i] - w[i - 2] === w[i - 2] - w[i - 4]) steady++;
  }
  return steady > same + 64;
}

/** The largest encoding of `pages` pages (to bound what a section may claim). */
export function maxRamEncoding(pages: number): number {
  return HEAD + pages + pages * (PAGE + 6);
}

/**
 * Check an encoding against a RAM of `pages` pages and the images (by index;
 * undefined: not available); the result writes it into `ram`, zeroes included
 * unless `fresh` says the RAM is all zeroes already.
 */
export function decodeRam(data: Uint8Array, pages: number, images: readonly (Uint8Array | undefined)[], imageName: (k: number) => string): (ram: Uint8Array, fresh: boolean) => void {
  const fail = (why: string): never => { throw new SnapshotError(`the snapshot's memory is unusable: ${why}`); };
  if (data.length < HEAD) fail('cut short');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [n, nRefs, nStored, nFills, nSparse, sparseBytes] = [0, 1, 2, 3, 4, 5].map((i) => dv.getUint32(i * 4, true));
  if (n !== pages) fail(`it has ${n} pages, the machine ${pages}`);
  if (data.length !== HEAD + pages + nRefs * 6 + nFills * 4 + sparseBytes + nStored * PAGE) fail('its length does not match its page counts');
  const kinds = data.subarray(HEAD, HEAD + pages);
  const count = [0, 0, 0, 0, 0, 0];
  for (const k of kinds) {
    if (k > DELTA) fail('a page of unknown kind');
    count[k]++;
  }
  if (count[REF] !== nRefs || count[STORED] + count[DELTA] !== nStored || count[FILL] !== nFills || count[SPARSE] !== nSparse) fail('its page counts disagree with its pages');
  let o = HEAD + pages;
  const refList: [number, number][] = [];
  for (let i = 0; i < nRefs; i++, o += 6) {
    const k = dv.getUint16(o, true), q = dv.getUint32(o + 2, true);
    if (k >= images.length) fail(`a page refers to image ${k}, which it does not name`);
    const img = images[k];
    if (!img) throw new SnapshotError(`this snapshot needs the guest image ${imageName(k)}, which it does not include and which is not available here`);
    if ((q + 1) * PAGE > img.length) fail(`a page refers to page ${q} of ${imageName(k)}, which has ${img.length / PAGE}`);
    refList.push([k, q]);
  }
  const fillAt = o;
  o += nFills * 4;
  const sparseAt = o, sparseEnd = o + sparseBytes;
  for (let i = 0; i < nSparse; i++) {
    if (o + 2 > sparseEnd) fail('its sparse pages are cut short');
    const m = dv.getUint16(o, true);
    o += 2;
    if (m > WORDS || o + m * 6 > sparseEnd) fail('a sparse page is garbled');
    for (let k = 0; k < m; k++, o += 6) if (dv.getUint16(o, true) >= WORDS) fail('a sparse page writes past its end');
  }
  if (o !== sparseEnd) fail('its sparse pages do not add up');
  const storedAt = sparseEnd;
  return (ram, fresh) => {
    if (!fresh) ram.fill(0);
    const ram32 = new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2);
    let r = 0, f = fillAt, sp = sparseAt, s = storedAt;
    const lastSparse = new Int32Array(WORDS);
    for (let p = 0; p < pages; p++) {
      switch (kinds[p]) {
        case FILL:
          ram32.fill(dv.getInt32(f, true), p * WORDS, (p + 1) * WORDS);
          f += 4;
          break;
        case REF: {
          const [k, q] = refList[r++];
          ram.set(images[k]!.subarray(q * PAGE, (q + 1) * PAGE), p * PAGE);
          break;
        }
        case SPARSE: {
          const m = dv.getUint16(sp, true);
          sp += 2;
          for (let k = 0; k < m; k++, sp += 6) {
            const j = dv.getUint16(sp, true);
            lastSparse[j] = (lastSparse[j] + dv.getInt32(sp + 2, true)) | 0;
            ram32[p * WORDS + j] = lastSparse[j];
          }
          break;
        }
        case STORED:
          ram.set(data.subarray(s, s + PAGE), p * PAGE);
          s += PAGE;
          break;
        case DELTA:
          for (let j = 0, at = p * WORDS; j < WORDS; j++) ram32[at + j] = (dv.getInt32(s + j * 4, true) + (j >= 2 ? ram32[at + j - 2] : 0)) | 0;
          s += PAGE;
          break;
      }
    }
  };
}
