// The fixed memory layout both sides use, and the page fill they share with
// native/harness.c (the same xorshift32 sequence, byte for byte).
//
//   CODE   0x00100000  two pages: the sequence (at the start, or straddling the page boundary), INT3 elsewhere
//   DATA   0x00200000  two pages: memory operands, string buffers (page-crossing accesses included)
//   STACK  0x00300000  two pages: ESP starts near the middle
export const CODE = 0x00100000;
export const CODE_SIZE = 0x2000;
export const DATA = 0x00200000;
export const STACK = 0x00300000;
export const REGION = 0x2000;
/** Memory changes are reported as ((address - CHANGE_BASE) << 8) | byte. */
export const CHANGE_BASE = 0x00200000;

/** Operand values worth trying: zero, ones, sign and carry boundaries at every width. */
export const INTERESTING: readonly number[] = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0x80000001, 0xfffffffe, 0xffffffff, 0x7f7f7f7f, 0x80808080, 0xff00ff00, 0x0000ff80, 0xffff7fff,
  0x00008001, 0xfffffff0, 0x0f0f0f0f,
];

/** Fill REGION bytes at dst[off..] from a seed: one dword in four from INTERESTING, the rest pseudo-random. */
export function fill(dst: Uint8Array, off: number, seed: number): void {
  let x = seed >>> 0 || 0x9e3779b9;
  const n = INTERESTING.length;
  if ((dst.byteOffset + off) % 4 === 0) {
    // Fast path: whole dwords (the host is little-endian, as x86 is).
    const w = new Int32Array(dst.buffer, dst.byteOffset + off, REGION >>> 2);
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      if ((x & 3) === 0) {
        w[i] = INTERESTING[(x >>> 2) % n];
      } else {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        w[i] = x;
      }
    }
    return;
  }
  for (let i = 0; i < REGION; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    let v: number;
    if ((x & 3) === 0) {
      v = INTERESTING[(x >>> 2) % n];
    } else {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      v = x;
    }
    dst[off + i] = v & 0xff;
    dst[off + i + 1] = (v >>> 8) & 0xff;
    dst[off + i + 2] = (v >>> 16) & 0xff;
    dst[off + i + 3] = v >>> 24;
  }
}
