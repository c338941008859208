// The snapshot file: a small binary container of named, versioned sections, each
// compressed on its own (fflate's DEFLATE) and checked by a CRC-32 of its bytes.
//
//   offset  size
//   0       8     magic "PVPLAYSN"
//   8       2     container format version (FORMAT_VERSION), little-endian
//   10      2     number of sections
//   12      ...   per section: name length (1), name (ASCII), section version (2),
//                 codec (1: 0 stored, 1 deflate), raw length (4), stored length (4), CRC-32 of the raw bytes (4)
//   then          the sections' stored bytes, in the same order, nothing after
//
// Reading never believes a length before checking it against the bytes present
// and the caller's limit, and inflates through a stream it stops as soon as the
// output would pass the declared length, so a small hostile file cannot make us
// allocate or work without bound.
import { deflateSync, inflateSync, Inflate } from 'fflate';
import { SnapshotError } from './errors';

export const MAGIC = 'PVPLAYSN';
export const FORMAT_VERSION = 1;
const CODEC_STORED = 0, CODEC_DEFLATE = 1;
/** Compressed bytes handed to the inflater at a time (bounds its output per step to ~1000x this). */
const STREAM_CHUNK = 16384;

export interface Section {
  name: string;
  version: number;
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Sample size for telling data that will not compress (a guest's random or encrypted pages). */
const SAMPLE = 1 << 18;

/** Worth compressing? Large sections are judged by a sample from their middle first. */
function compressible(data: Uint8Array): boolean {
  if (data.length < 4 * SAMPLE) return true;
  const at = (data.length - SAMPLE) >> 1;
  return deflateSync(data.subarray(at, at + SAMPLE), { level: 1 }).length < SAMPLE * 0.97;
}

/** Encode sections; `level` is the DEFLATE level (0: store). */
export function encodeContainer(sections: readonly Section[], level: number): Uint8Array {
  const heads: Uint8Array[] = [], bodies: Uint8Array[] = [];
  for (const s of sections) {
    if (!/^[a-z0-9_.-]{1,64}$/.test(s.name)) throw new Error(`bad section name ${s.name}`);
    const packed = level > 0 && compressible(s.data) ? deflateSync(s.data, { level: level as 1 }) : s.data;
    const codec = level > 0 && packed.length < s.data.length ? CODEC_DEFLATE : CODEC_STORED;
    const body = codec === CODEC_DEFLATE ? packed : s.data;
    const h = new Uint8Array(1 + s.name.length + 2 + 1 + 12);
    const dv = new DataView(h.buffer);
    h[0] = s.name.length;
    for (let i = 0; i < s.name.length; i++) h[1 + i] = s.name.charCodeAt(i);
    let o = 1 + s.name.length;
    dv.setUint16(o, s.version, true); o += 2;
    h[o++] = codec;
    dv.setUint32(o, s.data.length, true); o += 4;
    dv.setUint32(o, body.length, true); o += 4;
    dv.setUint32(o, crc32(s.data), true);
    heads.push(h);
    bodies.push(body);
  }
  const total = 12 + heads.reduce((n, h) => n + h.length, 0) + bodies.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, FORMAT_VERSION, true);
  dv.setUint16(10, sections.length, true);
  let o = 12;
  for (const h of heads) { out.set(h, o); o += h.length; }
  for (const b of bodies) { out.set(b, o); o += b.length; }
  return out;
}

interface Entry {
  version: number;
  codec: number;
  rawLength: number;
  crc: number;
  stored: Uint8Array;
}

/** A decoded container: headers checked; each section is inflated and checked when asked for. */
export class Container {
  private constructor(private readonly entries: Map<string, Entry>, private readonly trusted: boolean) {}

  /** Parse and check the headers. `trusted`: our own bytes (checkpoints), inflated the fast way. */
  static decode(bytes: Uint8Array, trusted = false): Container {
    const fail = (why: string): never => { throw new SnapshotError(`not a usable snapshot: ${why}`); };
    if (!(bytes instanceof Uint8Array)) fail('no bytes');
    if (bytes.length < 12) fail(`only ${bytes.length} bytes`);
    for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail('it does not start with the pvplay snapshot magic');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = dv.getUint16(8, true);
    if (version !== FORMAT_VERSION) {
      throw new SnapshotError(`this snapshot is in format ${version}; this pvplay reads format ${FORMAT_VERSION}${version > FORMAT_VERSION ? ' (it was made by a newer version)' : ''}`);
    }
    const count = dv.getUint16(10, true);
    let o = 12;
    const heads: { name: string; version: number; codec: number; rawLength: number; storedLength: number; crc: number }[] = [];
    for (let k = 0; k < count; k++) {
      if (o + 1 > bytes.length) fail('cut short in its section table');
      const n = bytes[o];
      if (n === 0 || o + 1 + n + 15 > bytes.length) fail('cut short in its section table');
      let name = '';
      for (let i = 0; i < n; i++) name += String.fromCharCode(bytes[o + 1 + i]);
      if (!/^[a-z0-9_.-]+$/.test(name)) fail('a section has a garbled name');
      o += 1 + n;
      const h = { name, version: dv.getUint16(o, true), codec: bytes[o + 2], rawLength: dv.getUint32(o + 3, true), storedLength: dv.getUint32(o + 7, true), crc: dv.getUint32(o + 11, true) };
      o += 15;
      if (h.codec !== CODEC_STORED && h.codec !== CODEC_DEFLATE) fail(`section ${name} has an unknown encoding`);
      if (h.codec === CODEC_STORED && h.storedLength !== h.rawLength) fail(`section ${name} has inconsistent lengths`);
      heads.push(h);
    }
    const entries = new Map<string, Entry>();
    for (const h of heads) {
      if (h.storedLength > bytes.length - o) fail(`cut short (section ${h.name} needs ${h.storedLength} bytes, ${bytes.length - o} left)`);
      if (entries.has(h.name)) fail(`section ${h.name} appears twice`);
      entries.set(h.name, { version: h.version, codec: h.codec, rawLength: h.rawLength, crc: h.crc, stored: bytes.subarray(o, o + h.storedLength) });
      o += h.storedLength;
    }
    if (o !== bytes.length) fail(`${bytes.length - o} bytes of garbage after the last section`);
    return new Container(entries, trusted);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The raw bytes of a section, at most `maxRaw` of them, in one of `versions`. */
  section(name: string, versions: readonly number[], maxRaw: number): { version: number; data: Uint8Array } {
    const e = this.entries.get(name);
    if (!e) throw new SnapshotError(`not a usable snapshot: it has no ${name} section`);
    if (!versions.includes(e.version)) {
      throw new SnapshotError(`its ${name} section is version ${e.version}; this pvplay reads version ${versions.join(' or ')}${e.version > Math.max(...versions) ? ' (made by a newer version)' : ''}`);
    }
    if (e.rawLength > maxRaw) throw new SnapshotError(`not a usable snapshot: its ${name} section claims ${e.rawLength} bytes, more than such a machine can have (${maxRaw})`);
    const data = e.codec === CODEC_STORED ? e.stored : this.inflate(name, e);
    if (crc32(data) !== e.crc) throw new SnapshotError(`the snapshot is corrupt: section ${name} fails its checksum`);
    return { version: e.version, data };
  }

  private inflate(name: string, e: Entry): Uint8Array {
    const corrupt = (): never => { throw new SnapshotError(`the snapshot is corrupt: section ${name} does not decompress`); };
    const out = new Uint8Array(e.rawLength);
    if (this.trusted) {
      let got: Uint8Array;
      try { got = inflateSync(e.stored, { out }); } catch { return corrupt(); }
      if (got.length !== e.rawLength) corrupt();
      return out;
    }
    let n = 0, over = false, done = false;
    const inf = new Inflate((chunk, final) => {
      if (over || n + chunk.length > out.length) { over = true; return; }
      out.set(chunk, n);
      n += chunk.length;
      if (final) done = true;
    });
    try {
      for (let i = 0; i < e.stored.length && !over; i += STREAM_CHUNK) {
        const end = Math.min(e.stored.length, i + STREAM_CHUNK);
        inf.push(e.stored.subarray(i, end), end === e.stored.length);
      }
    } catch {
      corrupt();
    }
    if (over || !done || n !== e.rawLength) corrupt();
    return out;
  }
}
