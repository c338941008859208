// The xenstore ring adapter: what xenstored's domain.c does for each guest's
// ring page (xen-pv32-abi.md 7.2). INTRODUCE maps the page the builder seeded
// in grant entry 1 (the domain's store frame; the gfn argument is ignored, as
// xenstored ignores it), binds the guest's unbound store port from dom0, resets
// the ring indexes, advertises our features in server_features and, if the guest
// asked to reconnect (connection = 1), sets connection = 0 and notifies.
// service() moves bytes both ways on every ring: requests from req[] into the
// connection's WireConn (requests may span the wrap-around; we stop taking new
// ones while 20 replies are still queued, xenstored's "outstanding" quota), then
// queued replies and watch events into rsp[] as far as there is room (the rest
// waits for the guest to consume), then one notification if anything moved.
// A guest that publishes an index more than a ring ahead (error 2, bad ring
// index) or a payload over 4096 bytes (error 3, protocol) has its connection cut:
// the error field says why, its watches and transactions are dropped and its
// ring is no longer read; everyone else keeps being served. The page's
// evtchn_port field (dom0less) is not consulted.
import type { Hypervisor } from '../../hv/hypervisor';
import { XenstoreError, errnoName, type XsErrno } from './errors';
import { WireConn } from './wire';
import { Xenstored } from './xenstored';

export const XENSTORE_RING_SIZE = 1024;
/** Offsets in struct xenstore_domain_interface. */
export const XSRING = {
  REQ: 0, RSP: 1024, REQ_CONS: 2048, REQ_PROD: 2052, RSP_CONS: 2056, RSP_PROD: 2060,
  SERVER_FEATURES: 2064, CONNECTION: 2068, ERROR: 2072, EVTCHN_PORT: 2076,
} as const;
export const XENSTORE_ERROR_COMM = 1, XENSTORE_ERROR_RINGIDX = 2, XENSTORE_ERROR_PROTO = 3;
const XENSTORE_SERVER_FEATURE_ERROR = 2;
/** Replies we let queue before reading more requests (xenstored's "outstanding" default). */
const MAX_OUTSTANDING = 20;
const MASK = XENSTORE_RING_SIZE - 1;

export interface Ring {
  readonly domid: number;
  /** Machine address of the ring page. */
  readonly base: number;
  /** Domain 0's end of the store event channel. */
  port: number;
  readonly wc: WireConn;
  /** Bytes of out[0] already on the ring. */
  sent: number;
  /** Cut off: the error code we set, or 0. */
  broken: number;
}

export class XenstoreService {
  readonly xs: Xenstored;
  private readonly hv: Hypervisor;
  private readonly rings = new Map<number, Ring>();

  constructor(hv: Hypervisor) {
    this.hv = hv;
    this.xs = new Xenstored({
      domainExists: (d) => hv.domains.has(d),
      introduce: (domid, gfn, port) => this.connect(domid, gfn, port),
      release: (domid) => this.disconnect(domid),
      log: (line) => hv.message(`xenstored: ${line}`),
    });
  }

  /** The rings served, by domain, for snapshots (state.ts). */
  ringMap(): Map<number, Ring> {
    return this.rings;
  }

  /** libxl's XS_INTRODUCE for a domain the builder made: its store frame and port. Returns 0 or an errno name. */
  introduce(domid: number): 0 | XsErrno {
    const dom = this.hv.domains.get(domid);
    if (!dom) return 'ENOENT';
    try {
      this.xs.introduce(0, domid, dom.storeMfn, dom.storePort);
      return 0;
    } catch (e) {
      if (e instanceof XenstoreError) return e.errno;
      throw e;
    }
  }

  /** XS_RELEASE from dom0 (no-op for a domain not introduced): fires @releaseDomain. */
  release(domid: number): void {
    if (this.xs.introducedDomains().includes(domid)) this.xs.release(0, domid);
  }

  /** Is `port` (of domain 0) a store channel we serve? */
  ownsPort(port: number): boolean {
    for (const r of this.rings.values()) if (r.port === port) return true;
    return false;
  }

  /** The error code a domain's connection was cut off with (0: still served, -1: none). */
  connectionError(domid: number): number {
    return this.rings.get(domid)?.broken ?? -1;
  }

  /** Serve every ring: take requests, answer them, send events; notify where anything moved. */
  service(): void {
    for (const r of this.rings.values()) {
      if (r.broken) continue;
      const dom = this.hv.domains.get(r.domid);
      if (!dom || dom.state === 'dead') continue;
      const moved = this.serviceRing(r);
      if (moved) {
        this.hv.code.notifyWrite(r.base, 4096);
        this.hv.evtchn.send(0, r.port);
      }
    }
  }

  private serviceRing(r: Ring): boolean {
    const dv = new DataView(this.hv.mem.buffer, r.base, 4096);
    let moved = false;
    // Requests: read the indexes once, check them, then consume.
    const prod = dv.getUint32(XSRING.REQ_PROD, true);
    let cons = dv.getUint32(XSRING.REQ_CONS, true);
    let avail = (prod - cons) >>> 0;
    if (avail > XENSTORE_RING_SIZE) return this.cut(r, dv, XENSTORE_ERROR_RINGIDX, `req_prod ${prod} is ${avail} bytes past req_cons ${cons}`);
    while (avail > 0 && r.wc.outstanding < MAX_OUTSTANDING) {
      const n = Math.min(avail, r.wc.want(), XENSTORE_RING_SIZE - (cons & MASK));
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i++) chunk[i] = dv.getUint8(XSRING.REQ + ((cons + i) & MASK));
      cons = (cons + n) >>> 0;
      avail -= n;
      dv.setUint32(XSRING.REQ_CONS, cons, true);
      moved = true;
      if (!r.wc.take(chunk)) return this.cut(r, dv, XENSTORE_ERROR_PROTO, 'request payload over 4096 bytes');
    }
    // Replies and events.
    const rcons = dv.getUint32(XSRING.RSP_CONS, true);
    let rprod = dv.getUint32(XSRING.RSP_PROD, true);
    const used = (rprod - rcons) >>> 0;
    if (used > XENSTORE_RING_SIZE) return this.cut(r, dv, XENSTORE_ERROR_RINGIDX, `rsp_cons ${rcons} is ${used} bytes behind rsp_prod ${rprod}`);
    let space = XENSTORE_RING_SIZE - used;
    while (space > 0 && r.wc.out.length > 0) {
      const msg = r.wc.out[0]!.bytes;
      const n = Math.min(space, msg.length - r.sent);
      for (let i = 0; i < n; i++) dv.setUint8(XSRING.RSP + ((rprod + i) & MASK), msg[r.sent + i]!);
      rprod = (rprod + n) >>> 0;
      space -= n;
      r.sent += n;
      if (r.sent === msg.length) {
        r.wc.out.shift();
        r.sent = 0;
      }
      dv.setUint32(XSRING.RSP_PROD, rprod, true);
      moved = true;
    }
    return moved;
  }

  /** Stop serving a ring that broke the protocol; the guest keeps running. */
  private cut(r: Ring, dv: DataView, code: number, why: string): false {
    r.broken = code;
    if (this.xs.featuresOf(r.domid) & XENSTORE_SERVER_FEATURE_ERROR) dv.setUint32(XSRING.ERROR, code, true);
    this.xs.resetWatches(r.wc.conn);
    r.wc.out.length = 0;
    this.hv.message(`xenstored: domain ${r.domid}: ${why}; connection closed (error ${code})`);
    return false;
  }

  /** The INTRODUCE hook: bind the port and attach (or, for a known domain, rebind). */
  private connect(domid: number, _gfn: number, port: number): XsErrno | null {
    const dom = this.hv.domains.get(domid);
    if (!dom || dom.state === 'dead') return 'ENOENT';
    const old = this.rings.get(domid);
    if (old) {
      // Introduced again (xenstored's way to recreate the channel): unbind ours, bind anew.
      this.hv.evtchn.close(0, old.port);
      const again = this.hv.evtchn.bindInterdomain(0, domid, port);
      if (again < 0) {
        this.disconnect(domid);
        return errnoName(again);
      }
      old.port = again;
      this.xs.attachDomain(domid, null);
      return null;
    }
    const local = this.hv.evtchn.bindInterdomain(0, domid, port);
    if (local < 0) return errnoName(local);
    const base = dom.storeMfn * 4096;
    let wc: WireConn | null = null;
    const conn = this.xs.attachDomain(domid, (path, token) => wc?.event(path, token));
    wc = new WireConn(this.xs, conn);
    this.rings.set(domid, { domid, base, port: local, wc, sent: 0, broken: 0 });
    const dv = new DataView(this.hv.mem.buffer, base, 4096);
    for (const off of [XSRING.REQ_CONS, XSRING.REQ_PROD, XSRING.RSP_CONS, XSRING.RSP_PROD]) dv.setUint32(off, 0, true);
    dv.setUint32(XSRING.SERVER_FEATURES, this.xs.featuresOf(domid), true);
    if (dv.getUint32(XSRING.CONNECTION, true) === 1) {
      dv.setUint32(XSRING.CONNECTION, 0, true);
      this.hv.evtchn.send(0, local);
    }
    this.hv.code.notifyWrite(base, 4096);
    return null;
  }

  private disconnect(domid: number): void {
    const r = this.rings.get(domid);
    if (!r) return;
    this.rings.delete(domid);
    this.hv.evtchn.close(0, r.port);
  }
}
