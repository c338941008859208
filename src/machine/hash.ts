// A state hash of the whole machine as shared memory holds it: RAM, every vcpu
// register file and the frame table, plus virtual time. Two runs of the same
// image with the same inputs must give the same hash at the same instruction
// count (DESIGN.md principle 2); snapshot tests compare these too. The trace ring
// is left out: it is a view of what happened, not state the guest can see.
import type { Machine } from './machine';

/** FNV-1a over 32-bit words, as a hex string. Not cryptographic: it finds divergence. */
export function hashWords(words: Int32Array, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function machineHash(m: Machine): string {
  const all = new Int32Array(m.mem.buffer, 0, m.mem.layout.traceOffset >>> 2);
  let h = hashWords(all);
  h = hashWords(new Int32Array([m.hv.time.now % 4294967296, Math.floor(m.hv.time.now / 4294967296)]), h);
  return h.toString(16).padStart(8, '0');
}

/**
 * Are two machines in the same state, as machineHash sees it? Faster than
 * hashing both (one pass, no multiply), and exact rather than probable.
 */
export function sameState(a: Machine, b: Machine): boolean {
  if (a.hv.time.now !== b.hv.time.now || a.mem.layout.traceOffset !== b.mem.layout.traceOffset) return false;
  const n = a.mem.layout.traceOffset >>> 2;
  const x = new Int32Array(a.mem.buffer, 0, n), y = new Int32Array(b.mem.buffer, 0, n);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}
