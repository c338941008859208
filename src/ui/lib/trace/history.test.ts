// The trace view's history and filters, fed through the real TraceReader from a ring laid
// out as src/shared/trace.ts says (records written here the way the writer's contract reads).
import { describe, expect, it } from 'vitest';
import { E, HC } from '../../../abi/xen';
import {
  TH, TR, TRACE_BYTES, TRACE_HEADER_BYTES, TRACE_RECORDS, TRACE_RECORD_BYTES, TF_NO_RESULT, TK_EVT_PENDING,
  TK_EVT_SEND, TK_FAULT, TK_HYPERCALL, TK_MULTICALL_ENTRY, TraceReader,
} from '../../../shared/trace';
import { FilteredTrace, NO_FILTER } from './filter';
import { formatRecord } from './format';
import { TraceHistory } from './history';
import { TraceLines } from './lines';

/** A ring in shared memory and a writer that keeps the seqlock protocol. */
function ring() {
  const buffer = new SharedArrayBuffer(TRACE_BYTES);
  const header = new Int32Array(buffer, 0, TRACE_HEADER_BYTES >>> 2);
  const slots = new Int32Array(buffer, TRACE_HEADER_BYTES);
  const f64 = new Float64Array(buffer, TRACE_HEADER_BYTES);
  header[TH.CAPACITY] = TRACE_RECORDS;
  let n = 0;
  const write = (kind: number, domid: number, code: number, args: number[] = [], result = 0) => {
    const w = (n % TRACE_RECORDS) * (TRACE_RECORD_BYTES >>> 2);
    Atomics.store(slots, w + TR.SEQ, 0);
    slots[w + TR.KIND] = kind;
    slots[w + TR.DOMID] = domid;
    slots[w + TR.VCPU] = 0;
    slots[w + TR.CODE] = code;
    for (let i = 0; i < 6; i++) slots[w + TR.A0 + i] = args[i] ?? 0;
    slots[w + TR.RESULT] = result;
    f64[(w + TR.ICOUNT_F64) >>> 1] = n * 100;
    f64[(w + TR.TIME_F64) >>> 1] = n * 1000;
    Atomics.store(slots, w + TR.SEQ, n + 1);
    Atomics.store(header, TH.HEAD, ++n);
  };
  return { reader: new TraceReader(buffer, 0), write };
}

describe('TraceHistory', () => {
  it('keeps the newest records, by position and by record number', () => {
    const { reader, write } = ring();
    const h = new TraceHistory(1000);
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 500; i++) write(TK_HYPERCALL, i % 3, HC.sched_op, [i]);
      h.append(reader.read());
    }
    expect(h.total).toBe(2500);
    expect(h.base).toBe(1500);
    expect(h.size).toBe(1000);
    expect(h.record(1499)).toBeUndefined();
    expect(h.record(1500)).toMatchObject({ seq: 1500, kind: TK_HYPERCALL, domid: 0, code: HC.sched_op, icount: 150000 });
    expect(h.record(2499)!.args[0]).toBe(499);
    expect(h.positionOfSeq(2000)).toBe(2000);
    expect(h.positionOfSeq(10)).toBe(-1);
    expect(h.positionOfSeq(2500)).toBe(-1);
  });

  it('keeps only the tail of a batch larger than itself, and the no-result flag', () => {
    const { reader, write } = ring();
    const h = new TraceHistory(100);
    for (let i = 0; i < 300; i++) write(i === 299 ? TK_HYPERCALL | TF_NO_RESULT : TK_HYPERCALL, 1, HC.iret);
    h.append(reader.read());
    expect([h.base, h.total]).toEqual([200, 300]);
    expect(h.record(200)!.seq).toBe(200);
    expect(h.record(299)).toMatchObject({ seq: 299, noResult: true });
    expect(h.record(298)!.noResult).toBe(false);
  });

  it('counts records the ring overwrote before they were drained', () => {
    const { reader, write } = ring();
    write(TK_HYPERCALL, 1, HC.xen_version);
    expect(reader.read()).toHaveLength(1);
    for (let i = 0; i < TRACE_RECORDS + 10; i++) write(TK_HYPERCALL, 1, HC.xen_version);
    const got = reader.read();
    expect(got).toHaveLength(TRACE_RECORDS);
    expect(reader.lost).toBe(10);
    expect(got[0]!.seq).toBe(11);
  });
});

describe('FilteredTrace', () => {
  function filled(capacity = 100) {
    const { reader, write } = ring();
    write(TK_HYPERCALL, 1, HC.event_channel_op, [4, 0xbfff0000], 0);
    write(TK_EVT_SEND, 1, 3, [2, 5]);
    write(TK_EVT_PENDING, 2, 5, [1, 1]);
    write(TK_HYPERCALL, 2, HC.grant_table_op, [0, 0x1000, 1], -E.EINVAL);
    write(TK_HYPERCALL, 1, HC.multicall, [0x2000, 2], 0);
    write(TK_MULTICALL_ENTRY, 1, HC.grant_table_op, [0], 0);
    write(TK_FAULT, 2, 14, [2, 0xdead0000, 0xc0100000]);
    const h = new TraceHistory(capacity);
    h.append(reader.read());
    const lines = new TraceLines(h);
    const list = (f: Partial<typeof NO_FILTER>) => {
      const ft = new FilteredTrace(h, { ...NO_FILTER, ...f }, lines.lineOf);
      ft.scan();
      return Array.from({ length: ft.length }, (_, i) => ft.at(i));
    };
    return { h, list, write, reader, lines };
  }

  it('picks records by domain, kind, hypercall and words of their text', () => {
    const { list } = filled();
    expect(list({})).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(list({ domid: 2 })).toEqual([2, 3, 6]);
    expect(list({ groups: ['event'] })).toEqual([1, 2]);
    expect(list({ groups: ['fault', 'hypercall'] })).toEqual([0, 3, 4, 5, 6]);
    // A multicall's entry counts as that hypercall.
    expect(list({ hypercall: HC.grant_table_op })).toEqual([3, 5]);
    expect(list({ text: 'EINVAL' })).toEqual([3]);
    expect(list({ text: 'port 3' })).toEqual([1]);
    expect(list({ text: 'grant   d2' })).toEqual([3]);
    expect(list({ domid: 1, groups: ['hypercall'], text: 'multicall' })).toEqual([4]);
    expect(list({ text: 'nothing like this' })).toEqual([]);
  });

  it('formats what the list shows', () => {
    const { h } = filled();
    expect(formatRecord(h.record(3)!)).toMatchObject({ what: 'grant_table_op', result: '-EINVAL' });
    expect(formatRecord(h.record(1)!).detail).toBe('port 3 → d2:5');
    expect(formatRecord(h.record(5)!).what).toBe('↳ grant_table_op');
  });

  it('catches up in steps under a deadline, and follows new records', () => {
    const { h, write, reader, lines } = filled(2000);
    for (let i = 0; i < 1000; i++) write(TK_HYPERCALL, i % 2, HC.sched_op, [i]);
    h.append(reader.read());
    const ft = new FilteredTrace(h, { ...NO_FILTER, domid: 1, text: 'sched_op' }, lines.lineOf);
    // A deadline that has always passed: each scan looks at one batch and stops.
    let scans = 1;
    expect(ft.scan(() => true)).toBe(false);
    expect(ft.complete).toBe(false);
    expect(ft.length).toBeLessThan(500);
    while (!ft.scan(() => true)) scans++;
    expect(scans).toBeGreaterThan(2);
    expect(ft.complete).toBe(true);
    expect(ft.length).toBe(500);
    // New records: only they are looked at; old positions leave as the history drops them.
    for (let i = 0; i < 1500; i++) write(TK_HYPERCALL, 1, HC.sched_op, [i]);
    h.append(reader.read());
    expect(ft.complete).toBe(false);
    expect(ft.scan()).toBe(true);
    expect(h.base).toBe(507);
    // Of the older records still held (positions 507..1006), domain 1 wrote the even ones.
    expect(ft.length).toBe(250 + 1500);
    expect(ft.at(0)).toBe(508);
    expect(ft.indexOf(h.total - 1)).toBe(ft.length - 1);
    expect(ft.indexOf(10)).toBe(-1);
  });

  it('maps positions to rows without a filter', () => {
    const { h, lines } = filled();
    const ft = new FilteredTrace(h, NO_FILTER, lines.lineOf);
    expect(ft.complete).toBe(true);
    expect(ft.length).toBe(7);
    expect(ft.indexOf(4)).toBe(4);
    expect(ft.indexOf(7)).toBe(-1);
  });
});
