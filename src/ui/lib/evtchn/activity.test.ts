import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../machine/machine';
import {
  DS_DESTROYED, TK_DOMAIN, TK_EVT_BIND, TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_HYPERCALL, TraceReader, type TraceRecord,
} from '../../../shared/trace';
import { EvtchnActivity, Series } from './activity';

let seq = 0;
function rec(kind: number, domid: number, vcpu: number, code: number, ...args: number[]): TraceRecord {
  return { seq: seq++, kind, noResult: false, continued: false, subop: -1, domid, vcpu, code, args: [...args, 0, 0, 0, 0, 0, 0].slice(0, 6), result: 0, icount: seq, timeNs: seq };
}

describe('Series', () => {
  it('counts per bucket over a sliding window', () => {
    const s = new Series(4);
    s.add(10);
    s.add(10);
    s.add(12, 3);
    expect(s.values(12)).toEqual([0, 2, 0, 3]);
    expect(s.values(13)).toEqual([2, 0, 3, 0]);
    expect(s.values(14)).toEqual([0, 3, 0, 0]);
    // A write far ahead clears what slid out of the window.
    s.add(20);
    expect(s.values(20)).toEqual([0, 0, 0, 1]);
    expect(s.values(100)).toEqual([0, 0, 0, 0]);
  });
});

describe('EvtchnActivity', () => {
  it('counts sends on the sender and notifications on the receiver', () => {
    const a = new EvtchnActivity({ buckets: 4, bucketMs: 100 });
    a.ingest([rec(TK_EVT_SEND, 1, 0, 3, 2, 5), rec(TK_EVT_PENDING, 2, 0, 5, 1, 1), rec(TK_HYPERCALL, 1, 0, 32)], 1000);
    expect(a.port(1, 3)).toMatchObject({ sent: 1, raised: 0, delivered: 0 });
    expect(a.port(2, 5)).toMatchObject({ sent: 0, raised: 1, delivered: 0, waitingOn: 0 });
    expect(a.domain(1)!.signals.values(a.bucketAt(1000))).toEqual([0, 0, 0, 1]);
    expect(a.domain(2)!.lastMs).toBe(1000);
    const v = [a.domain(1)!.version, a.port(1, 3)!.version, a.domain(2)!.version];
    a.ingest([rec(TK_EVT_SEND, 1, 0, 3, 2, 5)], 1100);
    expect([a.domain(1)!.version, a.port(1, 3)!.version, a.domain(2)!.version]).toEqual([v[0]! + 1, v[1]! + 1, v[2]]);
    expect(a.port(1, 4)).toBeUndefined();
  });

  it('counts an upcall as delivering what was notified on that vcpu, unless masked', () => {
    const a = new EvtchnActivity();
    const v0 = a.version;
    a.ingest([rec(TK_EVT_PENDING, 1, 0, 3, 1, 1), rec(TK_EVT_PENDING, 1, 1, 4, 1, 1), rec(TK_EVT_PENDING, 1, 0, 5, 1, 0)], 0);
    expect(a.version).toBeGreaterThan(v0);
    const masked = (_d: number, port: number) => port === 5;
    a.ingest([rec(TK_EVT_UPCALL, 1, 0, 0, 0xc0001000)], 10, masked);
    expect(a.port(1, 3)).toMatchObject({ delivered: 1, waitingOn: -1, lastSignalMs: 0, lastDeliverMs: 10 });
    expect(a.port(1, 4)).toMatchObject({ delivered: 0, waitingOn: 1 });
    expect(a.port(1, 5)).toMatchObject({ delivered: 0, waitingOn: 0, lastDeliverMs: -Infinity });
    expect(a.domain(1)!.upcalls).toEqual([1]);
    // Unmasked later, the next upcall takes it.
    a.ingest([rec(TK_EVT_UPCALL, 1, 0, 0, 0xc0001000)], 20, () => false);
    expect(a.port(1, 5)).toMatchObject({ delivered: 1, waitingOn: -1 });
    expect(a.port(1, 3)!.delivered).toBe(1);
    expect(a.domain(1)!.deliveries.values(a.bucketAt(20)).reduce((x, y) => x + y, 0)).toBe(2);
  });

  it('starts a port afresh when it is bound again, and forgets destroyed domains', () => {
    const a = new EvtchnActivity();
    a.ingest([rec(TK_EVT_SEND, 1, 0, 3, 0, 1), rec(TK_EVT_SEND, 1, 0, 3, 0, 1)], 0);
    expect(a.port(1, 3)!.sent).toBe(2);
    a.ingest([rec(TK_EVT_BIND, 1, 0, 3, 3, 0, 1, 0)], 0);
    expect(a.port(1, 3)).toBeUndefined();
    a.ingest([rec(TK_EVT_SEND, 1, 0, 3, 0, 1)], 0);
    expect(a.port(1, 3)!.sent).toBe(1);
    a.ingest([rec(TK_DOMAIN, 1, 0, DS_DESTROYED)], 0);
    expect(a.domain(1)).toBeUndefined();
  });
});

describe('EvtchnActivity over a real machine\'s trace ring', () => {
  it('counts what the hypervisor\'s own per-port counters count, and a delivery per latched event', () => {
    const m = new Machine({ ramMiB: 32, maxVcpus: 2 });
    const demo = m.createGuest({ name: 'demo', kernel: readFileSync(resolve(__dirname, '../../../../public/guests/console.elf')), memMiB: 16 });
    const reader = new TraceReader(m.mem.buffer, m.mem.layout.traceOffset);
    const a = new EvtchnActivity();
    const masked = (d: number, port: number) => m.hv.sharedInfo.get(d)?.isMasked(port) ?? false;
    let now = 0;
    const run = (slices: number) => {
      for (let i = 0; i < slices; i++) {
        m.run(300_000);
        a.ingest(reader.read(), (now += 16), masked);
      }
    };
    run(30);
    // Each line typed wakes the guest (domain 0 notifies it) and it answers (it notifies domain 0).
    for (const line of ['hi', 'help', 'what']) {
      m.consoles.type(demo.dom.id, new TextEncoder().encode(`${line}\n`));
      run(10);
    }
    expect(reader.lost).toBe(0);
    let guestSignals = 0;
    for (const d of [0, demo.dom.id]) {
      for (const p of m.hv.evtchn.ports(d)) {
        const got = a.port(d, p.port);
        expect({ d, port: p.port, sent: got?.sent ?? 0, raised: got?.raised ?? 0 }).toEqual({ d, port: p.port, sent: p.sent, raised: p.raised });
        if (d === demo.dom.id) {
          // The guest's upcall handler took every event that found its port's pending bit clear.
          expect(got?.delivered ?? 0).toBe(p.latched);
          guestSignals += p.raised;
        } else {
          // Domain 0's services take their events without upcalls.
          expect(got?.delivered ?? 0).toBe(0);
        }
      }
    }
    expect(guestSignals).toBeGreaterThanOrEqual(3);
    expect(a.domain(demo.dom.id)!.upcalls[0]).toBeGreaterThanOrEqual(3);
  });
});
