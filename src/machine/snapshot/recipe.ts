// A replay recipe in few bytes, for a URL fragment: a binary form with small
// numbers (LEB128 varints, stamps as differences from the previous one), then
// DEFLATE, then base64url. Virtual time is written as the idle time skipped
// since the previous stamp: time = instructions + idle skips, so only the skips
// need saying.
//
//   "PVR" u8 version
//   varint RAM MiB, varint vcpu slots
//   varint images; each: 32-byte id, string name, u8 has-bytes, [varint length, bytes]
//   varint entries; each: u8 kind | has-break << 6 | settled << 7, varint Δat, zigzag varint Δskip,
//     [the break mark: varint kind, zigzag domain, zigzag code, varint nth], then by kind:
//     file     string path, varint image
//     guest    string name, varint kernel, varint ramdisk+1 (0: none), varint MiB,
//              varint vcpus, string cmdline, varint domid+1 (0: the toolstack's choice)
//     console  varint domid, varint length, bytes
//     xl       string line
//     destroy/pause/unpause  varint domid
//     shutdown varint domid, u8 reboot
//     evtchn   varint domid, varint port, u8 poke (0 inject, 1 mask, 2 unmask)
//   the end stamp: u8 settled | has-break << 1, varint Δat, zigzag varint Δskip, [break mark]
//   u32 CRC-32 of everything before (links get mangled in transit)
// Strings are varint length + UTF-8. Decoding checks every length and number and
// throws SnapshotError.
import { deflateSync, Inflate } from 'fflate';
import { fromBase64Url, toBase64Url } from '../../shared/base64';
import { crc32 } from './container';
import { SnapshotError } from './errors';
import type { Input, LogEntry, Stamp } from './log';
import type { Recipe } from './replay';

const MAGIC = [0x50, 0x56, 0x52]; // "PVR"
export const RECIPE_VERSION = 1;
const KINDS = ['file', 'guest', 'console', 'xl', 'destroy', 'pause', 'unpause', 'shutdown', 'evtchn'] as const;
const POKES = ['inject', 'mask', 'unmask'] as const;
/** Largest decoded recipe we accept (images included). */
const MAX_RECIPE = 64 << 20;

const zz = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const unzz = (z: number): number => (z % 2 ? -(z + 1) / 2 : z / 2);

class Writer {
  private buf = new Uint8Array(256);
  private n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  byte(v: number): void { this.room(1); this.buf[this.n++] = v; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`cannot encode ${v}`);
    while (v >= 0x80) { this.byte((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    this.byte(v);
  }
  str(s: string): void { const b = new TextEncoder().encode(s); this.varint(b.length); this.bytes(b); }
  done(): Uint8Array { return this.buf.slice(0, this.n); }
}

class Reader {
  private o = 0;
  constructor(private readonly b: Uint8Array) {}
  private fail(why: string): never { throw new SnapshotError(`not a usable replay recipe: ${why}`); }
  byte(): number { if (this.o >= this.b.length) this.fail('cut short'); return this.b[this.o++]; }
  bytes(n: number): Uint8Array { if (n > this.b.length - this.o) this.fail('cut short'); const r = this.b.slice(this.o, this.o + n); this.o += n; return r; }
  varint(max = Number.MAX_SAFE_INTEGER): number {
    let v = 0, scale = 1;
    for (let i = 0; ; i++) {
      if (i > 7) this.fail('a number is too long');
      const c = this.byte();
      v += (c & 0x7f) * scale;
      scale *= 0x80;
      if (!(c & 0x80)) break;
    }
    if (v > max) this.fail(`a number (${v}) is out of range`);
    return v;
  }
  str(max = 1 << 16): string {
    try { return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(this.varint(max))); } catch (e) {
      if (e instanceof SnapshotError) throw e;
      return this.fail('a string is not UTF-8');
    }
  }
  get end(): boolean { return this.o === this.b.length; }
}

function hexToBytes(id: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not an image id: ${id}`);
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(id.slice(i * 2, i * 2 + 2), 16));
}

/** The recipe as bytes (not yet compressed). */
export function recipeBytes(r: Recipe): Uint8Array {
  const w = new Writer();
  for (const c of MAGIC) w.byte(c);
  w.byte(RECIPE_VERSION);
  w.varint(r.ramMiB);
  w.varint(r.vcpus);
  w.varint(r.images.length);
  const index = new Map(r.images.map((x, i) => [x.id, i]));
  const img = (id: string): number => { const i = index.get(id); if (i === undefined) throw new Error(`image ${id} not in the recipe`); return i; };
  for (const x of r.images) {
    w.bytes(hexToBytes(x.id));
    w.str(x.name);
    w.byte(x.bytes ? 1 : 0);
    if (x.bytes) { w.varint(x.bytes.length); w.bytes(x.bytes); }
  }
  let prev: Stamp = { at: 0, time: 0, settled: false };
  const stamp = (s: Stamp): void => {
    w.varint(s.at - prev.at);
    w.varint(zz(s.time - s.at - (prev.time - prev.at)));
    if (s.brk) { w.varint(s.brk.kind); w.varint(zz(s.brk.domid)); w.varint(zz(s.brk.code)); w.varint(s.brk.nth); }
    prev = s;
  };
  w.varint(r.log.length);
  for (const e of r.log) {
    w.byte(KINDS.indexOf(e.kind) | (e.brk ? 0x40 : 0) | (e.settled ? 0x80 : 0));
    stamp(e);
    switch (e.kind) {
      case 'file': w.str(e.path); w.varint(img(e.image)); break;
      case 'guest':
        w.str(e.name); w.varint(img(e.kernel)); w.varint(e.ramdisk === undefined ? 0 : img(e.ramdisk) + 1);
        w.varint(e.memMiB); w.varint(e.vcpus); w.str(e.cmdline); w.varint(e.domid === undefined ? 0 : e.domid + 1);
        break;
      case 'console': w.varint(e.domid); w.varint(e.data.length); w.bytes(e.data); break;
      case 'xl': w.str(e.line); break;
      case 'destroy': case 'pause': case 'unpause': w.varint(e.domid); break;
      case 'shutdown': w.varint(e.domid); w.byte(e.reboot ? 1 : 0); break;
      case 'evtchn': w.varint(e.domid); w.varint(e.port); w.byte(POKES.indexOf(e.op)); break;
    }
  }
  w.byte((r.end.settled ? 1 : 0) | (r.end.brk ? 2 : 0));
  stamp(r.end);
  const body = w.done();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

/** Read recipe bytes (checked). */
export function parseRecipe(bytes: Uint8Array): Recipe {
  if (bytes.length < 8) throw new SnapshotError('not a usable replay recipe: cut short');
  const b = bytes.subarray(0, bytes.length - 4);
  if (new DataView(bytes.buffer, bytes.byteOffset + b.length, 4).getUint32(0, true) !== crc32(b)) {
    throw new SnapshotError('the replay recipe is corrupt (its checksum does not match): was the link cut or changed?');
  }
  const rd = new Reader(b);
  for (const c of MAGIC) if (rd.byte() !== c) throw new SnapshotError('not a pvplay replay recipe');
  const version = rd.byte();
  if (version !== RECIPE_VERSION) throw new SnapshotError(`this recipe is version ${version}; this pvplay reads version ${RECIPE_VERSION}`);
  const ramMiB = rd.varint(2048), vcpus = rd.varint(1024);
  if (ramMiB < 1 || vcpus < 1) throw new SnapshotError('not a usable replay recipe: no memory or no vcpus');
  const images: Recipe['images'] = [];
  for (let i = 0, n = rd.varint(1024); i < n; i++) {
    const id = [...rd.bytes(32)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const name = rd.str();
    const has = rd.byte();
    images.push(has ? { id, name, bytes: rd.bytes(rd.varint(MAX_RECIPE)) } : { id, name });
  }
  const imageId = (i: number): string => {
    if (i >= images.length) throw new SnapshotError('not a usable replay recipe: an entry names a missing image');
    return images[i].id;
  };
  let prev: Stamp = { at: 0, time: 0, settled: false };
  const stamp = (settled: boolean, brk: boolean): Stamp => {
    const at = prev.at + rd.varint();
    const time = at + (prev.time - prev.at) + unzz(rd.varint());
    if (!Number.isSafeInteger(time) || !Number.isSafeInteger(at) || time < 0) throw new SnapshotError('not a usable replay recipe: a stamp is out of range');
    const s: Stamp = { at, time, settled };
    if (brk) s.brk = { kind: rd.varint(255), domid: unzz(rd.varint(0x10000)), code: unzz(rd.varint(2 ** 33)), nth: rd.varint(1 << 20) };
    prev = s;
    return s;
  };
  const log: LogEntry[] = [];
  for (let i = 0, n = rd.varint(1 << 24); i < n; i++) {
    const k = rd.byte();
    const kind = KINDS[k & 0x3f];
    if (!kind) throw new SnapshotError('not a usable replay recipe: an entry of unknown kind');
    const s = stamp((k & 0x80) !== 0, (k & 0x40) !== 0);
    const domid = (): number => rd.varint(0x7fef);
    let input: Input;
    switch (kind) {
      case 'file': input = { kind, path: rd.str(), image: imageId(rd.varint()) }; break;
      case 'guest': {
        const name = rd.str(), kernel = imageId(rd.varint()), rdk = rd.varint();
        const memMiB = rd.varint(2048), nv = rd.varint(32), cmdline = rd.str(), d = rd.varint(0x7ff0);
        input = { kind, name, kernel, memMiB, vcpus: nv, cmdline, ...(rdk ? { ramdisk: imageId(rdk - 1) } : {}), ...(d ? { domid: d - 1 } : {}) };
        break;
      }
      case 'console': { const d = domid(); input = { kind, domid: d, data: rd.bytes(rd.varint(1 << 20)) }; break; }
      case 'xl': input = { kind, line: rd.str() }; break;
      case 'destroy': case 'pause': case 'unpause': input = { kind, domid: domid() }; break;
      case 'shutdown': input = { kind, domid: domid(), reboot: rd.byte() === 1 }; break;
      case 'evtchn': {
        const d = domid(), port = rd.varint(4095), op = POKES[rd.byte()];
        if (!op) throw new SnapshotError('not a usable replay recipe: an event-channel poke of unknown kind');
        input = { kind, domid: d, port, op };
        break;
      }
    }
    log.push({ ...input, ...s });
  }
  const flags = rd.byte();
  const end = stamp((flags & 1) !== 0, (flags & 2) !== 0);
  if (!rd.end) throw new SnapshotError('not a usable replay recipe: garbage after its end');
  return { ramMiB, vcpus, images, log, end };
}

/** The recipe as URL-fragment text (base64url of DEFLATE). */
export function encodeRecipe(r: Recipe): string {
  return toBase64Url(deflateSync(recipeBytes(r), { level: 9 }));
}

/** Read URL-fragment text back; SnapshotError when it is not a recipe. */
export function decodeRecipe(text: string): Recipe {
  let packed: Uint8Array;
  try {
    packed = fromBase64Url(text.trim());
  } catch {
    throw new SnapshotError('not a usable replay recipe: the text is not base64url');
  }
  // Inflate with a cap, in steps, so a tiny hostile link cannot expand without bound.
  const chunks: Uint8Array[] = [];
  let size = 0, over = false, done = false;
  const inf = new Inflate((c, final) => {
    size += c.length;
    if (size > MAX_RECIPE) over = true;
    else chunks.push(c);
    if (final) done = true;
  });
  try {
    for (let i = 0; i < packed.length && !over; i += 16384) inf.push(packed.subarray(i, Math.min(packed.length, i + 16384)), i + 16384 >= packed.length);
  } catch {
    throw new SnapshotError('not a usable replay recipe: it does not decompress');
  }
  if (over) throw new SnapshotError('not a usable replay recipe: it expands beyond any real recipe');
  if (!done) throw new SnapshotError('not a usable replay recipe: it is cut short');
  const b = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) { b.set(c, o); o += c.length; }
  return parseRecipe(b);
}
