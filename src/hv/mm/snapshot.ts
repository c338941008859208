// The page-type engine's state outside the shared frame table, for snapshots:
// which frames still hold their allocation reference, which are Xen's pages
// shared with a guest, the allocator's search start, Xen's linear page-table
// counters, and each vcpu's base pointer. The frame table itself (owner, type,
// counts) is shared memory and travels with it. readMm checks a record and
// returns the function that installs it; the counts are checked afterwards by
// the engine's full audit (audit.ts) against the restored page tables.
import { DOMID_XEN } from '../../abi/xen';
import { toBase64 } from '../../shared/base64';
import { FRAME_FREE } from '../../shared/layout';
import type { Rec } from '../../shared/record';
import type { MmEngine } from './engine';

export const MM_STATE_VERSION = 1;

function packBits(flags: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) if (flags[i]) out[i >>> 3] |= 1 << (i & 7);
  return toBase64(out);
}

function unpackBits(r: Rec, n: number): Uint8Array {
  const bytes = r.bytes(Math.ceil(n / 8));
  if (bytes.length !== Math.ceil(n / 8)) r.fail(`${bytes.length} bytes for ${n} frames`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[i >>> 3] >>> (i & 7)) & 1;
  if (n % 8 && bytes[bytes.length - 1] >>> (n % 8)) r.fail('bits set beyond the last frame');
  return out;
}

export function saveMm(mm: MmEngine): Record<string, unknown> {
  const side = mm.ft.sideState(), s = mm.internals();
  const linear: number[][] = [];
  s.linear.forEach((n, m) => { if (n) linear.push([m, n]); });
  return {
    version: MM_STATE_VERSION,
    allocated: packBits(side.allocated), xenShared: packBits(side.xenShared), lowestFree: side.lowestFree,
    linear,
    bases: [...s.bases].sort((a, b) => a[0] - b[0]).map(([key, mfn]) => [Math.floor(key / 65536), key % 65536, mfn]),
  };
}

/** Check a saved record against `frames`; the result installs it once the frame table is restored. */
export function readMm(r: Rec, frames: number): (mm: MmEngine) => string[] {
  if (r.get('version').int() !== MM_STATE_VERSION) r.get('version').fail(`version ${MM_STATE_VERSION} expected`);
  const allocated = unpackBits(r.get('allocated'), frames);
  const xenShared = unpackBits(r.get('xenShared'), frames);
  const lowestFree = r.get('lowestFree').int(0, frames);
  const linear = new Int32Array(frames);
  for (const e of r.get('linear').list(frames)) {
    const [m, n] = e.list(2);
    if (!n) e.fail('not [frame, count]');
    const mfn = m.int(0, frames - 1);
    if (linear[mfn]) e.fail(`frame ${mfn} twice`);
    linear[mfn] = n.int(-4096, 4096);
  }
  const bases = new Map<number, number>();
  for (const e of r.get('bases').list(65536)) {
    const [d, v, m] = e.list(3);
    if (!m) e.fail('not [domain, vcpu, frame]');
    const key = d.int(1, 0x7fef) * 65536 + v.int(0, 31);
    if (bases.has(key)) e.fail('a vcpu has two base pointers');
    bases.set(key, m.int(0, frames - 1));
  }
  return (mm) => {
    const bad: string[] = [];
    const ft = mm.ft, s = mm.internals();
    for (let m = 0; m < lowestFree; m++) {
      if (ft.owner(m) === FRAME_FREE) { bad.push(`the allocator would skip free frame ${m}`); break; }
    }
    for (const m of [...ft.m2pFrames, ...ft.m2pL1s]) {
      if (ft.owner(m) !== DOMID_XEN) bad.push(`M2P frame ${m} is not the hypervisor's`);
    }
    ft.restoreSide(allocated, xenShared, lowestFree);
    s.linear.set(linear);
    s.bases.clear();
    for (const [k, m] of bases) s.bases.set(k, m);
    return bad;
  };
}
