// xenstored's ring adapter on real built domains (the hello test kernel, never
// run): the test plays the guest, writing requests into the store page and reading
// replies, as a xenbus driver would. Checks xs_wire.h's ring rules: wrap-around,
// replies queued while the response ring is full, notifications, the error field
// and cut-off for a guest that scribbles on its ring (others keep being served),
// and the introduce/release lifecycle with @introduceDomain / @releaseDomain.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVTCHNSTAT } from '../abi/xen';
import { Machine } from './machine';
import { XS, decodeHeader, encodeMessage, fromLatin1, latin1 } from '../dom0/xenstore/wire';
import { XSRING } from '../dom0/xenstore/ring';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
// The test kernels need a gcc that emits 32-bit code (.ci/run installs gcc-multilib): fail, never skip.
const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`cannot build the 32-bit test kernels:\n${cc.stderr}`);

/** The guest's side of one store ring. */
class FakeGuest {
  constructor(private readonly m: Machine, readonly domid: number) {}
  get base(): number {
    return this.m.domain(this.domid)!.storeMfn * 4096;
  }
  get dv(): DataView {
    return new DataView(this.m.mem.buffer, this.base, 4096);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  set(off: number, v: number): void {
    this.dv.setUint32(off, v >>> 0, true);
  }
  /** Put bytes on req[] at req_prod (wrapping) and publish them. */
  send(bytes: Uint8Array): void {
    const prod = this.u32(XSRING.REQ_PROD);
    for (let i = 0; i < bytes.length; i++) this.dv.setUint8(XSRING.REQ + ((prod + i) & 1023), bytes[i]!);
    this.set(XSRING.REQ_PROD, prod + bytes.length);
  }
  request(type: number, body: string, reqId = 1, txId = 0): void {
    this.send(encodeMessage(type, reqId, txId, fromLatin1(body)));
  }
  /** Take every complete message on rsp[]. */
  receive(): { type: number; reqId: number; txId: number; body: string }[] {
    const out = [];
    let cons = this.u32(XSRING.RSP_CONS);
    const prod = this.u32(XSRING.RSP_PROD);
    const bytes: number[] = [];
    for (; cons !== prod; cons = (cons + 1) >>> 0) bytes.push(this.dv.getUint8(XSRING.RSP + (cons & 1023)));
    this.set(XSRING.RSP_CONS, cons);
    const b = new Uint8Array(bytes);
    for (let o = 0; o < b.length;) {
      const h = decodeHeader(b.subarray(o, o + 16));
      out.push({ type: h.type, reqId: h.reqId, txId: h.txId, body: latin1(b.subarray(o + 16, o + 16 + h.len)) });
      o += 16 + h.len;
    }
    return out;
  }
  /** Notifications dom0 has raised on the guest's store port so far. */
  raised(): number {
    const dom = this.m.domain(this.domid)!;
    return this.m.hv.evtchn.ports(this.domid).find((x) => x.port === dom.storePort)!.raised;
  }
}

describe('xenstore rings', () => {
  let kernel: Uint8Array;
  beforeAll(() => {
    execFileSync('make', ['-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
    kernel = readFileSync(join(GUESTS, 'build/tests/hello.elf'));
  });

  const machine = (n: number) => {
    const m = new Machine({ ramMiB: 64, maxVcpus: 4 });
    const guests = [];
    for (let i = 0; i < n; i++) {
      const built = m.createGuest({ name: `g${i + 1}`, kernel, memMiB: 16, vcpus: 1 });
      guests.push(new FakeGuest(m, built.dom.id));
    }
    return { m, guests };
  };

  it('introduce binds the store port, resets the indexes and advertises the features', () => {
    const { m, guests: [g] } = machine(1);
    const dom = m.domain(g!.domid)!;
    expect(m.xs.isDomainIntroduced(0, g!.domid)).toBe(true);
    const p = m.hv.evtchn.ports(g!.domid).find((x) => x.port === dom.storePort)!;
    expect(p.status).toBe(EVTCHNSTAT.interdomain);
    expect(p.remoteDom).toBe(0);
    expect(g!.u32(XSRING.SERVER_FEATURES)).toBe(14);
    expect(g!.u32(XSRING.ERROR)).toBe(0);
    expect(g!.u32(XSRING.REQ_PROD)).toBe(0);
  });

  it('answers a request, and notifies the guest', () => {
    const { m, guests: [g] } = machine(1);
    const before = g!.raised();
    g!.request(XS.READ, 'name\0', 42);
    m.xenstore.service();
    expect(g!.receive()).toEqual([{ type: XS.READ, reqId: 42, txId: 0, body: 'g1' }]);
    expect(g!.u32(XSRING.REQ_CONS)).toBe(g!.u32(XSRING.REQ_PROD));
    expect(g!.raised()).toBe(before + 1);
    m.xenstore.service();
    expect(g!.raised()).toBe(before + 1);
  });

  it('requests and replies that span the wrap-around', () => {
    const { m, guests: [g] } = machine(1);
    for (const off of [XSRING.REQ_CONS, XSRING.REQ_PROD]) g!.set(off, 0xfffffff8);
    for (const off of [XSRING.RSP_CONS, XSRING.RSP_PROD]) g!.set(off, 1020);
    g!.request(XS.WRITE, 'data/wrap\0across the end of the ring', 5);
    g!.request(XS.READ, 'data/wrap\0', 6);
    m.xenstore.service();
    expect(g!.receive()).toEqual([
      { type: XS.WRITE, reqId: 5, txId: 0, body: 'OK\0' },
      { type: XS.READ, reqId: 6, txId: 0, body: 'across the end of the ring' },
    ]);
    expect(g!.u32(XSRING.REQ_CONS)).toBe(g!.u32(XSRING.REQ_PROD));
  });

  it('a partial request waits for the rest', () => {
    const { m, guests: [g] } = machine(1);
    const msg = encodeMessage(XS.READ, 9, 0, fromLatin1('name\0'));
    g!.send(msg.subarray(0, 10));
    m.xenstore.service();
    expect(g!.receive()).toEqual([]);
    g!.send(msg.subarray(10));
    m.xenstore.service();
    expect(g!.receive()).toEqual([{ type: XS.READ, reqId: 9, txId: 0, body: 'g1' }]);
  });

  it('replies wait while the response ring is full', () => {
    const { m, guests: [g] } = machine(1);
    m.xs.write(0, `/local/domain/${g!.domid}/data/big`, 'x'.repeat(600));
    for (let i = 0; i < 3; i++) g!.request(XS.READ, 'data/big\0', 100 + i);
    m.xenstore.service();
    expect((g!.u32(XSRING.RSP_PROD) - g!.u32(XSRING.RSP_CONS)) >>> 0).toBe(1024);
    const got = [];
    for (let i = 0; i < 4 && got.length < 3; i++) {
      // Consume what is there (whole messages may be split: take raw bytes), then let xenstored refill.
      got.push(...drainStream(g!));
      m.xenstore.service();
    }
    expect(got.map((r) => r.reqId)).toEqual([100, 101, 102]);
    expect(got.every((r) => r.body.length === 600)).toBe(true);
  });

  it('a guest that scribbles on req_prod is cut off with error 2; the other guest is still served', () => {
    const { m, guests: [a, b] } = machine(2);
    a!.set(XSRING.REQ_PROD, a!.u32(XSRING.REQ_CONS) + 5000);
    b!.request(XS.READ, 'name\0', 1);
    m.xenstore.service();
    expect(a!.u32(XSRING.ERROR)).toBe(2);
    expect(m.xenstore.connectionError(a!.domid)).toBe(2);
    expect(b!.receive()).toEqual([{ type: XS.READ, reqId: 1, txId: 0, body: 'g2' }]);
    // The cut-off guest is not read again, even with a sane ring.
    a!.set(XSRING.REQ_PROD, a!.u32(XSRING.REQ_CONS));
    a!.request(XS.READ, 'name\0', 2);
    m.xenstore.service();
    expect(a!.receive()).toEqual([]);
    // It is still introduced (xenstored keeps the domain; the toolstack releases it).
    expect(m.xs.isDomainIntroduced(0, a!.domid)).toBe(true);
    b!.request(XS.READ, 'domid\0', 3);
    m.xenstore.service();
    expect(b!.receive()).toEqual([{ type: XS.READ, reqId: 3, txId: 0, body: String(b!.domid) }]);
  });

  it('a bogus rsp_cons is error 2; a payload over 4096 bytes is error 3', () => {
    const { m, guests: [a, b] } = machine(2);
    a!.set(XSRING.RSP_CONS, a!.u32(XSRING.RSP_PROD) - 2000);
    b!.send(encodeMessage(XS.WRITE, 1, 0, new Uint8Array(0)).map((x, i) => (i === 13 ? 0x11 : x)));
    m.xenstore.service();
    expect(a!.u32(XSRING.ERROR)).toBe(2);
    expect(b!.u32(XSRING.ERROR)).toBe(3);
  });

  it('watch events reach the ring with req_id and tx_id 0', () => {
    const { m, guests: [g] } = machine(1);
    g!.request(XS.WATCH, 'data\0tok\0', 7);
    m.xenstore.service();
    expect(g!.receive()).toEqual([
      { type: XS.WATCH, reqId: 7, txId: 0, body: 'OK\0' },
      { type: XS.WATCH_EVENT, reqId: 0, txId: 0, body: 'data\0tok\0' },
    ]);
    m.xs.write(0, `/local/domain/${g!.domid}/data/from-dom0`, 'hi');
    m.xenstore.service();
    expect(g!.receive()).toEqual([{ type: XS.WATCH_EVENT, reqId: 0, txId: 0, body: 'data/from-dom0\0tok\0' }]);
  });

  it('destroying a domain releases its connection and fires @releaseDomain; creating one fires @introduceDomain', () => {
    const { m, guests: [g] } = machine(1);
    const seen: string[] = [];
    m.xs.watch(0, '@introduceDomain', 'i', (p) => seen.push(p));
    m.xs.watch(0, '@releaseDomain', 'r', (p) => seen.push(p));
    seen.length = 0;
    const port = m.domain(g!.domid)!.storePort;
    const dom0Ports = m.hv.evtchn.ports(0).filter((p) => p.remoteDom === g!.domid).length;
    expect(dom0Ports).toBeGreaterThan(0);
    m.toolstack.destroy(g!.domid);
    expect(seen).toEqual(['@releaseDomain']);
    expect(m.xs.isDomainIntroduced(0, g!.domid)).toBe(false);
    expect(m.hv.evtchn.ports(0).filter((p) => p.remoteDom === g!.domid && p.status === EVTCHNSTAT.interdomain)).toEqual([]);
    expect(port).toBeGreaterThan(0);
    m.createGuest({ name: 'again', kernel, memMiB: 16, vcpus: 1 });
    expect(seen).toEqual(['@releaseDomain', '@introduceDomain']);
  });
});

/** Take every byte on rsp[] and parse whole messages, keeping a partial one for next time. */
const partial = new WeakMap<FakeGuest, number[]>();
function drainStream(g: FakeGuest): { reqId: number; body: string }[] {
  const buf = partial.get(g) ?? [];
  let cons = g.u32(XSRING.RSP_CONS);
  const prod = g.u32(XSRING.RSP_PROD);
  for (; cons !== prod; cons = (cons + 1) >>> 0) buf.push(g.dv.getUint8(XSRING.RSP + (cons & 1023)));
  g.set(XSRING.RSP_CONS, cons);
  const out = [];
  while (buf.length >= 16) {
    const h = decodeHeader(new Uint8Array(buf.slice(0, 16)));
    if (buf.length < 16 + h.len) break;
    out.push({ reqId: h.reqId, body: latin1(new Uint8Array(buf.slice(16, 16 + h.len))) });
    buf.splice(0, 16 + h.len);
  }
  partial.set(g, buf);
  return out;
}
