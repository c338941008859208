// The trace view's history and filters over a real machine's trace ring: the demo guest boots
// and answers lines typed on its console, and the records its hypervisor wrote are drained
// with the TraceReader, kept in bounded histories and filtered as the panel does.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HC } from '../../../abi/xen';
import { Machine } from '../../../machine/machine';
import {
  TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_HYPERCALL, TraceReader, type TraceRecord,
} from '../../../shared/trace';
import { FilteredTrace, NO_FILTER, type TraceFilter } from './filter';
import { TraceHistory } from './history';
import { TraceLines } from './lines';

const DEMO = resolve(__dirname, '../../../../public/guests/console.elf');
const EVENT_KINDS = [TK_EVT_SEND, TK_EVT_PENDING, TK_EVT_UPCALL, TK_EVT_BIND, TK_EVT_CLOSE];

/** A demo guest answering `lines` lines; every record drained, in the batches a UI would see. */
function session(lines: number) {
  const m = new Machine({ ramMiB: 32, maxVcpus: 2 });
  const domid = m.createGuest({ name: 'demo', kernel: readFileSync(DEMO), memMiB: 16 }).dom.id;
  const reader = new TraceReader(m.mem.buffer, m.mem.layout.traceOffset);
  const batches: TraceRecord[][] = [];
  const run = (slices: number) => {
    for (let i = 0; i < slices; i++) {
      m.run(300_000);
      batches.push(reader.read());
    }
  };
  run(20);
  for (let i = 0; i < lines; i++) {
    m.consoles.type(domid, new TextEncoder().encode(`line ${i}\n`));
    run(4);
  }
  expect(reader.lost).toBe(0);
  return { domid, batches, records: batches.flat() };
}

/** The history positions a filter picks, after a full scan. */
function pick(h: TraceHistory, lines: TraceLines, f: Partial<TraceFilter>): number[] {
  const ft = new FilteredTrace(h, { ...NO_FILTER, ...f }, lines.lineOf);
  ft.scan();
  return Array.from({ length: ft.length }, (_, i) => ft.at(i));
}

/** Positions (in `records`) where `pred` holds. */
const where = (records: readonly TraceRecord[], pred: (r: TraceRecord) => boolean) =>
  records.flatMap((r, i) => (pred(r) ? [i] : []));

describe('trace history and filters over a real machine', () => {
  let s: ReturnType<typeof session>;
  beforeAll(() => {
    s = session(30);
  });

  it('drains a gapless run of records', () => {
    expect(s.records.length).toBeGreaterThan(600);
    s.records.forEach((r, i) => expect(r.seq).toBe(i));
  });

  it('keeps the newest records, by position and by record number', () => {
    const h = new TraceHistory(100);
    for (const b of s.batches) h.append(b);
    const n = s.records.length;
    expect([h.total, h.base, h.size]).toEqual([n, n - 100, 100]);
    expect(h.record(n - 101)).toBeUndefined();
    for (const abs of [n - 100, n - 50, n - 1]) expect(h.record(abs)).toEqual(s.records[abs]);
    expect(h.positionOfSeq(s.records[n - 7]!.seq)).toBe(n - 7);
    expect(h.positionOfSeq(s.records[3]!.seq)).toBe(-1);
    expect(h.positionOfSeq(n + 5)).toBe(-1);
  });

  it('keeps only the tail of a batch larger than itself, flags and all', () => {
    const h = new TraceHistory(10);
    h.append(s.records);
    const n = s.records.length;
    expect([h.base, h.total]).toEqual([n - 10, n]);
    for (let abs = n - 10; abs < n; abs++) expect(h.record(abs)).toEqual(s.records[abs]);
    // iret sets the registers itself: its record has no result, and keeps saying so.
    const big = new TraceHistory(5000);
    big.append(s.records);
    const iret = s.records.findIndex((r) => r.kind === TK_HYPERCALL && r.code === HC.iret);
    expect(iret).toBeGreaterThanOrEqual(0);
    expect(big.record(iret)).toMatchObject({ noResult: true, continued: false });
  });

  it('picks records by domain, kind, hypercall and words of their text', () => {
    const h = new TraceHistory(5000);
    h.append(s.records);
    const lines = new TraceLines(h);
    const { records, domid } = s;
    expect(pick(h, lines, {})).toEqual(records.map((_, i) => i));
    expect(pick(h, lines, { domid: 0 })).toEqual(where(records, (r) => r.domid === 0));
    expect(pick(h, lines, { domid })).toEqual(where(records, (r) => r.domid === domid));
    expect(pick(h, lines, { groups: ['event'] })).toEqual(where(records, (r) => EVENT_KINDS.includes(r.kind)));
    expect(pick(h, lines, { groups: [] })).toEqual([]);
    // The demo guest registers its callbacks once.
    expect(pick(h, lines, { hypercall: HC.set_callbacks })).toEqual(where(records, (r) => r.kind === TK_HYPERCALL && r.code === HC.set_callbacks));
    expect(pick(h, lines, { hypercall: HC.set_callbacks })).toHaveLength(1);
    // Text: what the panel shows, case and spacing aside.
    expect(pick(h, lines, { text: 'SEND ON   port' })).toEqual(where(records, (r) => r.kind === TK_EVT_SEND));
    expect(pick(h, lines, { text: `d${domid}v0 sched_op(block` })).toEqual(
      where(records, (r) => r.domid === domid && r.kind === TK_HYPERCALL && r.code === HC.sched_op),
    );
    expect(pick(h, lines, { domid: 0, text: 'upcall to' })).toEqual([]);
    // The kind of record, as its column shows it, is text too.
    expect(pick(h, lines, { text: 'evtchn bind' })).toEqual(where(records, (r) => r.kind === TK_EVT_BIND));
    const both = pick(h, lines, { domid, groups: ['hypercall'], hypercall: HC.event_channel_op, text: 'send' });
    expect(both.length).toBeGreaterThan(10);
    expect(both).toEqual(where(records, (r) => r.domid === domid && r.kind === TK_HYPERCALL && r.code === HC.event_channel_op && r.args[0] === 4));
  });

  it('catches up in steps under a deadline, and follows new records', () => {
    const h = new TraceHistory(5000);
    const half = s.batches.length >> 1;
    for (const b of s.batches.slice(0, half)) h.append(b);
    const lines = new TraceLines(h);
    const ft = new FilteredTrace(h, { ...NO_FILTER, domid: s.domid, text: 'sched_op' }, lines.lineOf);
    // A deadline that has always passed: each scan looks at one batch of records and stops.
    let scans = 1;
    expect(ft.scan(() => true)).toBe(false);
    expect(ft.complete).toBe(false);
    while (!ft.scan(() => true)) scans++;
    expect(scans).toBeGreaterThanOrEqual(2);
    const blocks = (upTo: number) => where(s.records.slice(0, upTo), (r) => r.domid === s.domid && r.code === HC.sched_op && r.kind === TK_HYPERCALL);
    expect(ft.length).toBe(blocks(h.total).length);
    // New records: only they are looked at.
    for (const b of s.batches.slice(half)) h.append(b);
    expect(ft.complete).toBe(false);
    expect(ft.scan()).toBe(true);
    expect(Array.from({ length: ft.length }, (_, i) => ft.at(i))).toEqual(blocks(s.records.length));
    expect(ft.indexOf(ft.at(3))).toBe(3);
    expect(ft.indexOf(0)).toBe(-1);
    expect(ft.snapshot()).toEqual(blocks(s.records.length));
  });

  it('drops positions that leave the history from a filtered list', () => {
    const h = new TraceHistory(200);
    const lines = new TraceLines(h);
    const ft = new FilteredTrace(h, { ...NO_FILTER, groups: ['event'] }, lines.lineOf);
    for (const b of s.batches) {
      h.append(b);
      ft.scan();
    }
    const n = s.records.length;
    expect(ft.at(0)).toBeGreaterThanOrEqual(h.base);
    expect(Array.from({ length: ft.length }, (_, i) => ft.at(i))).toEqual(
      where(s.records, (r) => EVENT_KINDS.includes(r.kind)).filter((i) => i >= n - 200),
    );
    // Without a filter, rows are positions counted from the oldest held.
    const all = new FilteredTrace(h, NO_FILTER, lines.lineOf);
    expect([all.complete, all.length, all.at(0), all.indexOf(n - 1), all.indexOf(n - 201)]).toEqual([true, 200, n - 200, 199, -1]);
  });
});
