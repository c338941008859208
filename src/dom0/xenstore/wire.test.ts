// The wire codec: request parsing per type, reply and error framing, the order of
// xenstored's checks, streaming assembly and the payload limit.
import { describe, expect, it } from 'vitest';
import { Xenstored } from './xenstored';
import { WireConn, XS, decodeHeader, encodeMessage, fromLatin1, latin1 } from './wire';

interface Msg { type: number; reqId: number; txId: number; body: string }

function rig(domid = 1) {
  const xs = new Xenstored();
  let wc: WireConn | null = null;
  const conn = xs.attachDomain(domid, (p, t) => wc?.event(p, t));
  wc = new WireConn(xs, conn);
  const w = wc;
  /** Send one request; return every message queued (and drain them). */
  const send = (type: number, body: string | Uint8Array, txId = 0, reqId = 7): Msg[] => {
    const p = typeof body === 'string' ? fromLatin1(body) : body;
    const m = encodeMessage(type, reqId, txId, p);
    expect(w.take(m.subarray(0, 16))).toBe(true);
    if (p.length) expect(w.take(m.subarray(16))).toBe(true);
    return drain();
  };
  const drain = (): Msg[] => w.out.splice(0).map(({ bytes }) => {
    const h = decodeHeader(bytes);
    expect(h.len).toBe(bytes.length - 16);
    return { type: h.type, reqId: h.reqId, txId: h.txId, body: latin1(bytes.subarray(16)) };
  });
  return { xs, wc: w, send, drain };
}

const err = (name: string, reqId = 7, txId = 0): Msg => ({ type: XS.ERROR, reqId, txId, body: `${name}\0` });

describe('xenstore wire protocol', () => {
  it('write, read, directory, mkdir, rm with replies echoing type and req_id', () => {
    const { xs, send } = rig(0);
    expect(send(XS.WRITE, '/a/b\0hello')).toEqual([{ type: XS.WRITE, reqId: 7, txId: 0, body: 'OK\0' }]);
    expect(send(XS.READ, '/a/b\0', 0, 99)).toEqual([{ type: XS.READ, reqId: 99, txId: 0, body: 'hello' }]);
    send(XS.WRITE, '/a/c\0');
    expect(send(XS.DIRECTORY, '/a\0')[0]!.body).toBe('b\0c\0');
    expect(send(XS.MKDIR, '/a/d\0')[0]!.body).toBe('OK\0');
    expect(send(XS.RM, '/a/b\0')[0]!.body).toBe('OK\0');
    expect(xs.directory(0, '/a')).toEqual(['c', 'd']);
    expect(send(XS.READ, '/a/b\0')).toEqual([err('ENOENT')]);
  });

  it('values are bytes: NULs in a written value are kept', () => {
    const { send } = rig(0);
    send(XS.WRITE, '/bin\0a\0b\0');
    expect(send(XS.READ, '/bin\0')[0]!.body).toBe('a\0b\0');
  });

  it('one-string ops need exactly one NUL-terminated string', () => {
    const { send } = rig(0);
    expect(send(XS.READ, '/a')).toEqual([err('EINVAL')]);
    expect(send(XS.READ, '')).toEqual([err('EINVAL')]);
    expect(send(XS.READ, '/a\0/b\0')).toEqual([err('EINVAL')]);
    expect(send(XS.WRITE, '/no-nul')).toEqual([err('EINVAL')]);
    expect(send(XS.GET_DOMAIN_PATH, '3')).toEqual([err('EINVAL')]);
    expect(send(XS.GET_DOMAIN_PATH, 'x\0')).toEqual([err('EINVAL')]);
    expect(send(XS.GET_DOMAIN_PATH, '70000\0')).toEqual([err('EINVAL')]);
    expect(send(XS.GET_DOMAIN_PATH, '3\0')[0]!.body).toBe('/local/domain/3\0');
  });

  it('unknown and server-only types are ENOSYS; dom0-only types from a guest EACCES', () => {
    const { send } = rig(1);
    for (const t of [XS.WATCH_EVENT, XS.ERROR, 20, 27, 1000, XS.INVALID]) expect(send(t, '\0'), `type ${t}`).toEqual([err('ENOSYS')]);
    for (const t of [XS.CONTROL, XS.INTRODUCE, XS.RELEASE, XS.IS_DOMAIN_INTRODUCED, XS.RESUME, XS.SET_TARGET, XS.SET_FEATURE, XS.GET_QUOTA, XS.SET_QUOTA]) {
      expect(send(t, '1\0'), `type ${t}`).toEqual([err('EACCES')]);
    }
    // EACCES comes before the transaction lookup.
    expect(send(XS.RELEASE, '1\0', 55)).toEqual([err('EACCES', 7, 55)]);
  });

  it('transactions over the wire: start, ops with tx_id, end; unknown tx_id ENOENT', () => {
    const { xs, send } = rig(0);
    const [start] = send(XS.TRANSACTION_START, '\0');
    expect(start).toEqual({ type: XS.TRANSACTION_START, reqId: 7, txId: 0, body: '1\0' });
    expect(send(XS.WRITE, '/t\0v', 1)).toEqual([{ type: XS.WRITE, reqId: 7, txId: 1, body: 'OK\0' }]);
    expect(xs.tryRead(0, '/t')).toBeUndefined();
    expect(send(XS.TRANSACTION_START, '\0', 1)).toEqual([err('EBUSY', 7, 1)]);
    expect(send(XS.TRANSACTION_END, 'X\0', 1)).toEqual([err('EINVAL', 7, 1)]);
    expect(send(XS.TRANSACTION_END, 'T\0', 0)).toEqual([err('ENOENT')]);
    expect(send(XS.TRANSACTION_END, 'T\0', 9)).toEqual([err('ENOENT', 7, 9)]);
    expect(send(XS.TRANSACTION_END, 'T\0', 1)).toEqual([{ type: XS.TRANSACTION_END, reqId: 7, txId: 1, body: 'OK\0' }]);
    expect(xs.readString(0, '/t')).toBe('v');
    expect(send(XS.READ, '/t\0', 1)).toEqual([err('ENOENT', 7, 1)]);
  });

  it('a conflicting commit answers EAGAIN', () => {
    const { xs, send } = rig(0);
    xs.write(0, '/k', '0');
    send(XS.TRANSACTION_START, '\0');
    send(XS.READ, '/k\0', 1);
    xs.write(0, '/k', 'changed');
    send(XS.WRITE, '/k\0mine', 1);
    expect(send(XS.TRANSACTION_END, 'T\0', 1)).toEqual([err('EAGAIN', 7, 1)]);
    expect(xs.readString(0, '/k')).toBe('changed');
  });

  it('watch: the OK reply, then the initial event (req_id and tx_id 0); events on change; unwatch', () => {
    const { xs, send, drain } = rig(0);
    expect(send(XS.WATCH, '/w\0tok\0', 3)).toEqual([
      { type: XS.WATCH, reqId: 7, txId: 3, body: 'OK\0' },
      { type: XS.WATCH_EVENT, reqId: 0, txId: 0, body: '/w\0tok\0' },
    ]);
    xs.write(0, '/w/x', '1');
    expect(drain()).toEqual([{ type: XS.WATCH_EVENT, reqId: 0, txId: 0, body: '/w/x\0tok\0' }]);
    // An identical event still queued is not repeated.
    xs.write(0, '/w/x', '2');
    xs.write(0, '/w/x', '3');
    expect(drain().length).toBe(1);
    expect(send(XS.UNWATCH, '/w\0tok\0')[0]!.body).toBe('OK\0');
    expect(send(XS.UNWATCH, '/w\0tok\0')).toEqual([err('ENOENT')]);
    expect(send(XS.WATCH, '/w\0')).toEqual([err('EINVAL')]);
    expect(send(XS.WATCH, '/w\0t\0-1\0')).toEqual([err('EINVAL')]);
    expect(send(XS.WATCH, '/w\0t\0' + '1\0').map((m) => m.type)).toEqual([XS.WATCH, XS.WATCH_EVENT]);
  });

  it('a write that fires the writer\'s own watch queues the event before the reply, as xenstored', () => {
    const { send } = rig(0);
    send(XS.WATCH, '/o\0t\0');
    expect(send(XS.WRITE, '/o\0v').map((m) => m.type)).toEqual([XS.WATCH_EVENT, XS.WRITE]);
  });

  it('get/set perms, directory_part, get_feature, is_domain_introduced, get/set quota, control', () => {
    const { send } = rig(0);
    send(XS.WRITE, '/p\0');
    expect(send(XS.SET_PERMS, '/p\0n0\0r5\0')[0]!.body).toBe('OK\0');
    expect(send(XS.GET_PERMS, '/p\0')[0]!.body).toBe('n0\0r5\0');
    expect(send(XS.SET_PERMS, '/p\0')).toEqual([err('EINVAL')]);
    expect(send(XS.SET_PERMS, '/p\0q1\0')).toEqual([err('EINVAL')]);
    expect(send(XS.DIRECTORY_PART, '/\0')).toEqual([err('EINVAL')]);
    expect(send(XS.DIRECTORY_PART, '/\x000\0')[0]!.body).toMatch(/^\d+\0tool\0p\0\0$/);
    expect(send(XS.GET_FEATURE, '')[0]!.body).toBe('14\0');
    expect(send(XS.IS_DOMAIN_INTRODUCED, '0\0')[0]!.body).toBe('T\0');
    expect(send(XS.IS_DOMAIN_INTRODUCED, '9\0')[0]!.body).toBe('F\0');
    expect(send(XS.GET_QUOTA, '')[0]!.body).toBe('nodes watches outstanding transactions transaction-nodes node-permissions path-max node-size\0');
    expect(send(XS.SET_QUOTA, 'watches\x0050\0')[0]!.body).toBe('OK\0');
    expect(send(XS.GET_QUOTA, 'watches\0')[0]!.body).toBe('50\0');
    expect(send(XS.GET_QUOTA, 'soft-watches\0')).toEqual([err('EINVAL')]);
    expect(send(XS.CONTROL, 'check\0')[0]!.body).toBe('OK\0');
    expect(send(XS.CONTROL, 'bogus\0')).toEqual([err('EINVAL')]);
    expect(send(XS.RESET_WATCHES, '\0')[0]!.body).toBe('OK\0');
  });

  it('a reply over 4096 bytes is E2BIG', () => {
    const { xs, send } = rig(0);
    xs.write(0, '/big', 'x'.repeat(4097));
    expect(send(XS.READ, '/big\0')).toEqual([err('E2BIG')]);
  });

  it('requests assemble from any chunking; a payload over 4096 bytes is refused', () => {
    const { wc, drain } = rig(0);
    const m = encodeMessage(XS.WRITE, 1, 0, fromLatin1('/chunks\0value'));
    const m2 = encodeMessage(XS.READ, 2, 0, fromLatin1('/chunks\0'));
    const all = new Uint8Array([...m, ...m2]);
    for (let i = 0; i < all.length;) {
      const n = Math.min(3, wc.want());
      expect(wc.take(all.subarray(i, i + n))).toBe(true);
      i += n;
    }
    expect(drain().map((x) => x.body)).toEqual(['OK\0', 'value']);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(12, 4097, true);
    expect(wc.take(huge)).toBe(false);
    const max = encodeMessage(XS.WRITE, 3, 0, new Uint8Array(4096).fill(0x41));
    expect(wc.take(max.subarray(0, 16))).toBe(true);
  });
});
