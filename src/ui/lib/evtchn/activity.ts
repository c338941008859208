// Event-channel activity, gathered from the trace ring: how often each port was signalled and
// how often the guest took it, recent rates for the little charts, and counters whose changes
// make a row flash. Fed with decoded trace records and the wall-clock time they were drained
// at (the charts show what the user saw happen, second by second, not virtual time).
//
// Signals: EVT_SEND counts on the sender's port, EVT_PENDING on the port a notification
// reached. Delivery: the trace has no per-port delivery record, because a guest's upcall
// handler takes every pending, unmasked port of the selected words at once. So an EVT_UPCALL
// on a vcpu counts as delivering each port that was notified on that vcpu since its last
// delivery, unless the port is masked now (then the guest cannot take it: it stays waiting).
import { TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, DS_DESTROYED, type TraceRecord } from '../../../shared/trace';

/** Counts per time bucket over a sliding window; buckets older than the window are reused. */
export class Series {
  private readonly counts: Uint32Array;
  /** The bucket number of the newest slot written. */
  private last = -1;

  constructor(readonly length: number) {
    this.counts = new Uint32Array(length);
  }

  add(bucket: number, n = 1): void {
    this.advance(bucket);
    this.counts[bucket % this.length]! += n;
  }

  /** The counts of the `length` buckets ending at `bucket`, oldest first. */
  values(bucket: number): number[] {
    const out = new Array<number>(this.length).fill(0);
    for (let i = 0; i < this.length; i++) {
      const b = bucket - this.length + 1 + i;
      if (b >= 0 && b <= this.last && b > this.last - this.length) out[i] = this.counts[b % this.length]!;
    }
    return out;
  }

  /** Zero the slots between the last bucket written and `bucket`, which is about to be. */
  private advance(bucket: number): void {
    if (bucket <= this.last) return;
    const from = Math.max(this.last + 1, bucket - this.length + 1);
    for (let b = from; b <= bucket; b++) this.counts[b % this.length] = 0;
    this.last = bucket;
  }
}

export interface PortActivity {
  /** Events this domain sent through the port (EVTCHNOP_send). */
  sent: number;
  /** Notifications that reached the port (from its remote end, a VIRQ, an IPI or the UI). */
  raised: number;
  /** Upcalls that took it. */
  delivered: number;
  /** The vcpu it was last notified on and not yet delivered to, or -1. */
  waitingOn: number;
  /** Wall-clock ms of the last signal and the last delivery (-Infinity: none yet), for flashes. */
  lastSignalMs: number;
  lastDeliverMs: number;
  /** Signals (sent + raised) per bucket. */
  readonly series: Series;
  /** Bumped on every change of the above (the object itself is updated in place). */
  version: number;
}

export interface DomainActivity {
  readonly ports: Map<number, PortActivity>;
  readonly signals: Series;
  readonly deliveries: Series;
  /** Event upcalls per vcpu. */
  readonly upcalls: number[];
  /** Wall-clock ms of the latest signal or delivery (-Infinity: none). */
  lastMs: number;
  /** Bumped on every change to the domain's activity, so a view of one domain can tell. */
  version: number;
}

export interface ActivityOptions {
  /** Buckets in a chart. */
  buckets?: number;
  /** Width of a bucket in ms. */
  bucketMs?: number;
}

export class EvtchnActivity {
  readonly buckets: number;
  readonly bucketMs: number;
  private readonly doms = new Map<number, DomainActivity>();
  /** Bumped whenever anything here changes, so views can tell cheaply. */
  version = 0;

  constructor(options: ActivityOptions = {}) {
    this.buckets = options.buckets ?? 40;
    this.bucketMs = options.bucketMs ?? 250;
  }

  /** The bucket number for wall-clock time `nowMs`. */
  bucketAt(nowMs: number): number {
    return Math.floor(nowMs / this.bucketMs);
  }

  domain(domid: number): DomainActivity | undefined {
    return this.doms.get(domid);
  }

  port(domid: number, port: number): PortActivity | undefined {
    return this.doms.get(domid)?.ports.get(port);
  }

  clear(): void {
    this.doms.clear();
    this.version++;
  }

  /**
   * Take in records drained at `nowMs`. `masked(domid, port)` reads a port's mask bit now;
   * without it every waiting port counts as delivered by its vcpu's next upcall.
   */
  ingest(records: readonly TraceRecord[], nowMs: number, masked?: (domid: number, port: number) => boolean): void {
    const bucket = this.bucketAt(nowMs);
    let changed = false;
    for (const r of records) {
      switch (r.kind) {
        case TK_EVT_SEND: {
          const a = this.portOf(r.domid, r.code);
          a.sent++;
          a.version++;
          a.lastSignalMs = nowMs;
          a.series.add(bucket);
          this.signalled(r.domid, bucket, nowMs);
          changed = true;
          break;
        }
        case TK_EVT_PENDING: {
          const a = this.portOf(r.domid, r.code);
          a.raised++;
          a.version++;
          a.waitingOn = r.vcpu;
          a.lastSignalMs = nowMs;
          a.series.add(bucket);
          this.signalled(r.domid, bucket, nowMs);
          changed = true;
          break;
        }
        case TK_EVT_UPCALL:
          this.upcall(r.domid, r.vcpu, nowMs, masked);
          changed = true;
          break;
        case TK_EVT_BIND:
        case TK_EVT_CLOSE:
          // A port's counts describe one binding: a new binding starts from zero.
          if (this.doms.get(r.domid)?.ports.delete(r.code)) {
            this.doms.get(r.domid)!.version++;
            changed = true;
          }
          break;
        case TK_DOMAIN:
          if (r.code === DS_DESTROYED && this.doms.delete(r.domid)) changed = true;
          break;
      }
    }
    if (changed) this.version++;
  }

  private upcall(domid: number, vcpu: number, nowMs: number, masked?: (domid: number, port: number) => boolean): void {
    const d = this.domainOf(domid);
    while (d.upcalls.length <= vcpu) d.upcalls.push(0);
    d.upcalls[vcpu]!++;
    d.version++;
    for (const [port, a] of d.ports) {
      if (a.waitingOn !== vcpu || masked?.(domid, port)) continue;
      a.waitingOn = -1;
      a.delivered++;
      a.version++;
      a.lastDeliverMs = nowMs;
      d.deliveries.add(this.bucketAt(nowMs));
      d.lastMs = nowMs;
    }
  }

  private signalled(domid: number, bucket: number, nowMs: number): void {
    const d = this.doms.get(domid)!;
    d.signals.add(bucket);
    d.lastMs = nowMs;
    d.version++;
  }

  private domainOf(domid: number): DomainActivity {
    let d = this.doms.get(domid);
    if (!d) {
      d = { ports: new Map(), signals: new Series(this.buckets), deliveries: new Series(this.buckets), upcalls: [], lastMs: -Infinity, version: 0 };
      this.doms.set(domid, d);
    }
    return d;
  }

  private portOf(domid: number, port: number): PortActivity {
    const d = this.domainOf(domid);
    let a = d.ports.get(port);
    if (!a) {
      a = { sent: 0, raised: 0, delivered: 0, waitingOn: -1, lastSignalMs: -Infinity, lastDeliverMs: -Infinity, series: new Series(this.buckets), version: 0 };
      d.ports.set(port, a);
    }
    return a;
  }
}
