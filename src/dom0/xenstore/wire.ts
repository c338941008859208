// The xenstore wire protocol (xs_wire.h, docs/misc/xenstore.txt): a 16-byte
// xsd_sockmsg {type, req_id, tx_id, len} then len payload bytes, both ways.
// WireConn is one connection's byte stream: it assembles requests from whatever
// chunks arrive, parses each once into a validated request, runs it on the engine,
// and queues the reply (same type, req_id and tx_id; or XS_ERROR with the errno
// name) and any watch events (req_id = tx_id = 0) for the transport to send.
// Checks in xenstored's order: a payload over 4096 bytes kills the connection;
// an unknown type is ENOSYS; a dom0-only type from a guest EACCES; an unknown
// tx_id ENOENT (WATCH and UNWATCH ignore tx_id); then the op's own argument rules
// (strings NUL-terminated where the protocol says, else EINVAL). A reply over
// 4096 bytes becomes E2BIG. Paths and tokens are bytes: we carry them as latin1
// strings so every byte round-trips.
import { XenstoreError, xsErr } from './errors';
import type { XsConnection } from './connection';
import type { Xenstored } from './xenstored';

export const XS = {
  CONTROL: 0, DIRECTORY: 1, READ: 2, GET_PERMS: 3, WATCH: 4, UNWATCH: 5, TRANSACTION_START: 6,
  TRANSACTION_END: 7, INTRODUCE: 8, RELEASE: 9, GET_DOMAIN_PATH: 10, WRITE: 11, MKDIR: 12, RM: 13,
  SET_PERMS: 14, WATCH_EVENT: 15, ERROR: 16, IS_DOMAIN_INTRODUCED: 17, RESUME: 18, SET_TARGET: 19,
  RESET_WATCHES: 21, DIRECTORY_PART: 22, GET_FEATURE: 23, SET_FEATURE: 24, GET_QUOTA: 25, SET_QUOTA: 26,
  INVALID: 0xffff,
} as const;

export const XSD_HEADER_SIZE = 16;
export const XENSTORE_PAYLOAD_MAX = 4096;

/** Types only dom0 may send (xenstored's XS_FLAG_PRIV). */
const PRIV = new Set<number>([XS.CONTROL, XS.INTRODUCE, XS.RELEASE, XS.IS_DOMAIN_INTRODUCED, XS.RESUME, XS.SET_TARGET, XS.SET_FEATURE, XS.GET_QUOTA, XS.SET_QUOTA]);
/** Types that ignore tx_id (xenstored's XS_FLAG_NOTID). */
const NOTID = new Set<number>([XS.WATCH, XS.UNWATCH]);
/** Types a client may send. */
const KNOWN = new Set<number>(Object.values(XS).filter((t) => t !== XS.WATCH_EVENT && t !== XS.ERROR && t !== XS.INVALID));

export interface XsHeader {
  type: number;
  reqId: number;
  txId: number;
  len: number;
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

export function encodeMessage(type: number, reqId: number, txId: number, payload: Uint8Array): Uint8Array {
  const m = new Uint8Array(XSD_HEADER_SIZE + payload.length);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, reqId, true);
  dv.setUint32(8, txId, true);
  dv.setUint32(12, payload.length, true);
  m.set(payload, XSD_HEADER_SIZE);
  return m;
}

export function decodeHeader(b: Uint8Array): XsHeader {
  const dv = new DataView(b.buffer, b.byteOffset, XSD_HEADER_SIZE);
  return { type: dv.getUint32(0, true), reqId: dv.getUint32(4, true), txId: dv.getUint32(8, true), len: dv.getUint32(12, true) };
}

/** NUL-terminated strings of a payload (bytes after the last NUL are not a string), as get_strings. */
export function strings(p: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      out.push(latin1(p.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

/** Exactly one string, ending at the end of the payload (xenstored's onearg), else EINVAL. */
function onearg(p: Uint8Array): string {
  if (p.length === 0 || p.indexOf(0) !== p.length - 1) throw xsErr('EINVAL', 'expected one string');
  return latin1(p.subarray(0, p.length - 1));
}

/** xenstored's parse_domid: a whole decimal number 0..65535. */
function domid(s: string): number {
  if (!/^\s*[+]?\d*$/.test(s)) throw xsErr('EINVAL', `bad domid ${JSON.stringify(s)}`);
  const v = Number(s.trim() || '0');
  if (v > 65535) throw xsErr('EINVAL', `bad domid ${s}`);
  return v;
}

/** C's atoi: optional sign and leading digits, 0 if none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) | 0 : 0;
}

const str0 = (s: string): Uint8Array => fromLatin1(`${s}\0`);
const OK = str0('OK');

/** A validated request: what to do, with its arguments. */
export type XsRequest =
  | { op: 'read' | 'directory' | 'mkdir' | 'rm' | 'getPerms'; path: string }
  | { op: 'write'; path: string; value: Uint8Array }
  | { op: 'directoryPart'; path: string; offset: number }
  | { op: 'setPerms'; path: string; perms: string[] }
  | { op: 'watch'; path: string; token: string; depth: number }
  | { op: 'unwatch'; path: string; token: string }
  | { op: 'txStart' | 'resetWatches' }
  | { op: 'txEnd'; commit: boolean }
  | { op: 'introduce'; domid: number; gfn: number; port: number }
  | { op: 'release' | 'resume' | 'getDomainPath' | 'isIntroduced'; domid: number }
  | { op: 'setTarget'; domid: number; target: number }
  | { op: 'getFeature'; domid: number | undefined }
  | { op: 'setFeature'; domid: number; value: number }
  | { op: 'getQuota'; domid: number | null; name: string | null }
  | { op: 'setQuota'; domid: number | null; name: string; value: number }
  | { op: 'control'; args: string[] };

/** Parse a payload of a known client type; EINVAL for malformed arguments. */
export function parseRequest(type: number, p: Uint8Array, watchDepth: boolean): XsRequest {
  switch (type) {
    case XS.READ: return { op: 'read', path: onearg(p) };
    case XS.DIRECTORY: return { op: 'directory', path: onearg(p) };
    case XS.MKDIR: return { op: 'mkdir', path: onearg(p) };
    case XS.RM: return { op: 'rm', path: onearg(p) };
    case XS.GET_PERMS: return { op: 'getPerms', path: onearg(p) };
    case XS.WRITE: {
      const nul = p.indexOf(0);
      if (nul < 0) throw xsErr('EINVAL', 'no path');
      return { op: 'write', path: latin1(p.subarray(0, nul)), value: p.slice(nul + 1) };
    }
    case XS.DIRECTORY_PART: {
      const s = strings(p);
      if (s.length !== 2) throw xsErr('EINVAL', 'expected path and offset');
      return { op: 'directoryPart', path: s[0]!, offset: atoi(s[1]!) };
    }
    case XS.SET_PERMS: {
      const s = strings(p);
      if (s.length < 2) throw xsErr('EINVAL', 'expected path and permissions');
      return { op: 'setPerms', path: s[0]!, perms: s.slice(1) };
    }
    case XS.WATCH: {
      const s = strings(p);
      let depth = -1;
      if (s.length === 3 && watchDepth) {
        depth = atoi(s[2]!);
        if (depth < 0) throw xsErr('EINVAL', 'negative depth');
      } else if (s.length !== 2) throw xsErr('EINVAL', 'expected path and token');
      return { op: 'watch', path: s[0]!, token: s[1]!, depth };
    }
    case XS.UNWATCH: {
      const s = strings(p);
      if (s.length !== 2) throw xsErr('EINVAL', 'expected path and token');
      return { op: 'unwatch', path: s[0]!, token: s[1]! };
    }
    case XS.TRANSACTION_START: return { op: 'txStart' };
    case XS.TRANSACTION_END: {
      const a = onearg(p);
      if (a !== 'T' && a !== 'F') throw xsErr('EINVAL', 'expected T or F');
      return { op: 'txEnd', commit: a === 'T' };
    }
    case XS.INTRODUCE: {
      const s = strings(p);
      if (s.length < 3) throw xsErr('EINVAL', 'expected domid, gfn and port');
      return { op: 'introduce', domid: domid(s[0]!), gfn: atoi(s[1]!), port: atoi(s[2]!) };
    }
    case XS.RELEASE: return { op: 'release', domid: domid(onearg(p)) };
    case XS.RESUME: return { op: 'resume', domid: domid(onearg(p)) };
    case XS.GET_DOMAIN_PATH: return { op: 'getDomainPath', domid: domid(onearg(p)) };
    case XS.IS_DOMAIN_INTRODUCED: return { op: 'isIntroduced', domid: domid(onearg(p)) };
    case XS.SET_TARGET: {
      const s = strings(p);
      if (s.length < 2) throw xsErr('EINVAL', 'expected two domids');
      return { op: 'setTarget', domid: domid(s[0]!), target: domid(s[1]!) };
    }
    case XS.RESET_WATCHES: return { op: 'resetWatches' };
    case XS.GET_FEATURE: {
      const s = strings(p);
      if (s.length > 1) throw xsErr('EINVAL', 'expected at most a domid');
      return { op: 'getFeature', domid: s.length ? domid(s[0]!) : undefined };
    }
    case XS.SET_FEATURE: {
      const s = strings(p);
      if (s.length !== 2) throw xsErr('EINVAL', 'expected domid and value');
      return { op: 'setFeature', domid: domid(s[0]!), value: atoi(s[1]!) };
    }
    case XS.GET_QUOTA: {
      const s = strings(p);
      if (s.length > 2) throw xsErr('EINVAL', 'too many arguments');
      if (s.length === 0) return { op: 'getQuota', domid: null, name: null };
      return s.length === 1 ? { op: 'getQuota', domid: null, name: s[0]! } : { op: 'getQuota', domid: domid(s[0]!), name: s[1]! };
    }
    case XS.SET_QUOTA: {
      const s = strings(p);
      if (s.length < 2 || s.length > 3) throw xsErr('EINVAL', 'expected [domid] name value');
      return s.length === 2 ? { op: 'setQuota', domid: null, name: s[0]!, value: atoi(s[1]!) } : { op: 'setQuota', domid: domid(s[0]!), name: s[1]!, value: atoi(s[2]!) };
    }
    case XS.CONTROL: {
      const s = strings(p);
      if (s.length === 0) throw xsErr('EINVAL', 'no command');
      return { op: 'control', args: s };
    }
    default: throw xsErr('ENOSYS');
  }
}

/** Run a validated request for `conn` in transaction `tx`; returns the reply payload. */
export function execute(xs: Xenstored, conn: XsConnection, tx: number, r: XsRequest): Uint8Array {
  switch (r.op) {
    case 'read': return xs.read(conn, r.path, tx);
    case 'directory': return fromLatin1(xs.directory(conn, r.path, tx).map((n) => `${n}\0`).join(''));
    case 'directoryPart': return xs.directoryPart(conn, r.path, r.offset, tx);
    case 'getPerms': return fromLatin1(xs.getPermStrings(conn, r.path, tx).map((n) => `${n}\0`).join(''));
    case 'write': xs.write(conn, r.path, r.value, tx); return OK;
    case 'mkdir': xs.mkdir(conn, r.path, tx); return OK;
    case 'rm': xs.rm(conn, r.path, tx); return OK;
    case 'setPerms': xs.setPerms(conn, r.path, r.perms, tx); return OK;
    case 'watch': xs.watch(conn, r.path, r.token, null, r.depth); return OK;
    case 'unwatch': xs.unwatch(conn, r.path, r.token); return OK;
    case 'txStart': return str0(String(xs.transactionStart(conn, tx)));
    case 'txEnd': xs.transactionEnd(conn, tx, r.commit); return OK;
    case 'resetWatches': xs.resetWatches(conn); return OK;
    case 'introduce': xs.introduce(conn, r.domid, r.gfn, r.port); return OK;
    case 'release': xs.release(conn, r.domid); return OK;
    case 'resume': xs.resume(conn, r.domid); return OK;
    case 'getDomainPath': return str0(xs.getDomainPath(r.domid));
    case 'isIntroduced': return str0(xs.isDomainIntroduced(conn, r.domid) ? 'T' : 'F');
    case 'setTarget': xs.setTarget(conn, r.domid, r.target); return OK;
    case 'getFeature': return str0(String(xs.getFeature(conn, r.domid)));
    case 'setFeature': xs.setFeature(conn, r.domid, r.value); return OK;
    case 'getQuota': return str0(r.name === null ? xs.quotaNames.join(' ') : String(xs.getQuota(conn, r.domid, r.name)));
    case 'setQuota': xs.setQuota(conn, r.domid, r.name, r.value); return OK;
    case 'control': return str0(xs.control(conn, r.args));
  }
}

export interface Outgoing {
  bytes: Uint8Array;
  /** A reply (counts against "outstanding"), not a watch event. */
  reply: boolean;
  /** For watch events: path NUL token NUL, to drop duplicates still queued. */
  event?: string;
}

/**
 * One connection's byte streams. The transport feeds request bytes with take()
 * (asking want() how many complete the current part) and sends out[] in order.
 */
/** A WireConn's state between requests (see WireConn.state). */
export interface WireState {
  out: Outgoing[];
  /** Header bytes read so far, or payload bytes when `hdr` is set. */
  partial: Uint8Array;
  hdr: XsHeader | null;
}

export class WireConn {
  readonly conn: XsConnection;
  private readonly xs: Xenstored;
  /** Messages not yet (fully) sent, oldest first; the transport removes them. */
  readonly out: Outgoing[] = [];
  private readonly header = new Uint8Array(XSD_HEADER_SIZE);
  private hdrUsed = 0;
  private payload: Uint8Array | null = null;
  private payloadUsed = 0;
  private hdr: XsHeader | null = null;
  /** Events raised while a WATCH is handled wait until its reply is queued. */
  private held: Outgoing[] | null = null;

  constructor(xs: Xenstored, conn: XsConnection) {
    this.xs = xs;
    this.conn = conn;
  }

  /** A request half-read and the messages not yet sent, for snapshots (state.ts). */
  state(): WireState {
    return {
      out: this.out.map((m) => ({ ...m, bytes: m.bytes.slice() })),
      partial: this.hdr ? this.payload!.slice(0, this.payloadUsed) : this.header.slice(0, this.hdrUsed),
      hdr: this.hdr ? { ...this.hdr } : null,
    };
  }

  /** Restore that (checked by state.ts: a header's length is at most XENSTORE_PAYLOAD_MAX). */
  load(s: WireState): void {
    this.out.length = 0;
    this.out.push(...s.out);
    this.held = null;
    if (s.hdr) {
      this.hdr = { ...s.hdr };
      const dv = new DataView(this.header.buffer);
      [s.hdr.type, s.hdr.reqId, s.hdr.txId, s.hdr.len].forEach((w, i) => dv.setUint32(i * 4, w, true));
      this.hdrUsed = XSD_HEADER_SIZE;
      this.payload = new Uint8Array(s.hdr.len);
      this.payload.set(s.partial);
      this.payloadUsed = s.partial.length;
    } else {
      this.hdr = null;
      this.payload = null;
      this.payloadUsed = 0;
      this.header.set(s.partial);
      this.hdrUsed = s.partial.length;
    }
  }

  /** Queue a watch event (the connection's event sink). */
  event(path: string, token: string): void {
    const key = `${path}\0${token}\0`;
    const msg: Outgoing = { bytes: encodeMessage(XS.WATCH_EVENT, 0, 0, fromLatin1(key)), reply: false, event: key };
    if (msg.bytes.length - XSD_HEADER_SIZE > XENSTORE_PAYLOAD_MAX) return;
    const queue = this.held ?? this.out;
    if (!path.startsWith('@') && (queue.some((m) => m.event === key) || this.out.some((m) => m.event === key))) return;
    queue.push(msg);
  }

  /** Replies queued and not yet sent. */
  get outstanding(): number {
    let n = 0;
    for (const m of this.out) if (m.reply) n++;
    return n;
  }

  /** Bytes that complete the header or payload being assembled. */
  want(): number {
    return this.hdr ? this.hdr.len - this.payloadUsed : XSD_HEADER_SIZE - this.hdrUsed;
  }

  /**
   * Take request bytes (at most want()). Returns false if the client broke the
   * protocol (a payload over XENSTORE_PAYLOAD_MAX): the connection must be cut.
   */
  take(bytes: Uint8Array): boolean {
    if (!this.hdr) {
      this.header.set(bytes, this.hdrUsed);
      this.hdrUsed += bytes.length;
      if (this.hdrUsed < XSD_HEADER_SIZE) return true;
      const h = decodeHeader(this.header);
      if (h.len > XENSTORE_PAYLOAD_MAX) {
        this.hdrUsed = 0;
        return false;
      }
      this.hdr = h;
      this.payload = new Uint8Array(h.len);
      this.payloadUsed = 0;
    } else {
      this.payload!.set(bytes, this.payloadUsed);
      this.payloadUsed += bytes.length;
    }
    if (this.payloadUsed === this.hdr.len) {
      const h = this.hdr, p = this.payload!;
      this.hdr = null;
      this.payload = null;
      this.hdrUsed = 0;
      this.handle(h, p);
    }
    return true;
  }

  /** Process one complete request and queue its reply. */
  handle(h: XsHeader, payload: Uint8Array): void {
    let reply: Uint8Array, type = h.type;
    this.held = h.type === XS.WATCH ? [] : null;
    try {
      if (!KNOWN.has(h.type)) throw xsErr('ENOSYS');
      if (PRIV.has(h.type) && !this.conn.privileged) throw xsErr('EACCES');
      const tx = NOTID.has(h.type) ? 0 : h.txId;
      if (tx !== 0 && !this.conn.transactions.has(tx)) throw xsErr('ENOENT');
      const req = parseRequest(h.type, payload, (this.xs.featuresOf(this.conn.id) & 4) !== 0);
      reply = execute(this.xs, this.conn, tx, req);
      if (reply.length > XENSTORE_PAYLOAD_MAX) throw xsErr('E2BIG');
    } catch (e) {
      if (!(e instanceof XenstoreError)) throw e;
      type = XS.ERROR;
      reply = str0(e.errno);
    }
    this.out.push({ bytes: encodeMessage(type, h.reqId, h.txId, reply), reply: true });
    const held = this.held;
    this.held = null;
    if (held) this.out.push(...held);
  }
}
