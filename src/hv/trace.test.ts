// The trace ring's writer against the reader of src/shared/trace.ts: what goes in
// comes out, wrap-around and readers that fall behind, records overwritten while
// being read, a ring started again, the per-kind mask and the breakpoint hook.
import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../mem/memory';
import {
  TF_CONTINUED, TF_NO_RESULT, TH, subopFlag, TK_EVT_SEND, TK_FAULT, TK_HYPERCALL, TK_PIN, TR, TRACE_HEADER_BYTES,
  TRACE_READABLE, TRACE_RECORD_BYTES, TRACE_RECORDS, TraceReader,
} from '../shared/trace';
import { TraceWriter } from './trace';

function ring() {
  const mem = MachineMemory.create({ ramMiB: 1, vcpus: 1 });
  const clock = { insns: 0, ns: 0 };
  const w = new TraceWriter(mem.buffer, mem.layout.traceOffset, {
    instructions: () => clock.insns,
    timeNs: () => clock.ns,
  });
  const header = new Int32Array(mem.buffer, mem.layout.traceOffset, TRACE_HEADER_BYTES >>> 2);
  const slots = new Int32Array(mem.buffer, mem.layout.traceOffset + TRACE_HEADER_BYTES, (TRACE_RECORDS * TRACE_RECORD_BYTES) >>> 2);
  return { mem, clock, w, header, slots, reader: () => new TraceReader(mem.buffer, mem.layout.traceOffset) };
}

/** Write `count` hypercall records whose CODE and A0 are their own record numbers. */
function fill(w: TraceWriter, from: number, count: number): void {
  for (let k = from; k < from + count; k++) w.write(TK_HYPERCALL, 1, 0, k & 63, k);
}

describe('TraceWriter and TraceReader', () => {
  it('round-trips every slot of a record', () => {
    const { w, clock, header, reader } = ring();
    expect(header[TH.CAPACITY]).toBe(TRACE_RECORDS);
    const r = reader();
    clock.insns = 123_456_789_012;
    clock.ns = 98_765_432_101.5;
    w.write(TK_HYPERCALL, 3, 1, 17, 0xdeadbeef | 0, 1, -1, 0x7fffffff, 4, 5, -22);
    w.write(TK_HYPERCALL | TF_NO_RESULT, 3, 1, 23, 0, 0, 0, 0, 0, 0, 0);
    w.write(TK_HYPERCALL | TF_CONTINUED | subopFlag(17), 3, 0, 1, 9);
    w.write(TK_EVT_SEND, 0, -1, 5, 2, 7);
    expect(w.head).toBe(4);
    const got = r.read();
    expect(got).toHaveLength(4);
    expect(got[0]).toEqual({
      seq: 0, kind: TK_HYPERCALL, noResult: false, continued: false, subop: -1, domid: 3, vcpu: 1, code: 17,
      args: [0xdeadbeef, 1, 0xffffffff, 0x7fffffff, 4, 5], result: -22, icount: 123_456_789_012, timeNs: 98_765_432_101.5,
    });
    expect(got[1]).toMatchObject({ seq: 1, kind: TK_HYPERCALL, noResult: true, continued: false, code: 23 });
    expect(got[2]).toMatchObject({ seq: 2, kind: TK_HYPERCALL, noResult: false, continued: true, subop: 17, args: [9, 0, 0, 0, 0, 0] });
    expect(got[3]).toMatchObject({ seq: 3, kind: TK_EVT_SEND, domid: 0, vcpu: -1, code: 5, args: [2, 7, 0, 0, 0, 0] });
    expect(r.read()).toEqual([]);
    expect(r.lost).toBe(0);
  });

  it('keeps a reader that keeps up across several wraps, losing nothing', () => {
    const { w, reader } = ring();
    const r = reader();
    const seen: number[] = [];
    const batches = Math.ceil((3 * TRACE_RECORDS) / 1000) + 1;
    for (let b = 0; b < batches; b++) {
      fill(w, b * 1000, 1000);
      for (const rec of r.read()) {
        expect(rec.args[0]).toBe(rec.seq);
        seen.push(rec.seq);
      }
    }
    expect(seen).toHaveLength(batches * 1000);
    expect(seen.every((s, i) => s === i)).toBe(true);
    expect(r.lost).toBe(0);
  });

  it('gives a reader that fell behind the newest records and counts the rest as lost', () => {
    const { w, reader } = ring();
    const r = reader();
    fill(w, 0, 10);
    expect(r.read()).toHaveLength(10);
    fill(w, 10, 2 * TRACE_RECORDS + 5);
    const got = r.read();
    const head = 10 + 2 * TRACE_RECORDS + 5;
    expect(got).toHaveLength(TRACE_READABLE);
    expect(got[0].seq).toBe(head - TRACE_READABLE);
    expect(got.at(-1)!.seq).toBe(head - 1);
    expect(got.every((rec) => rec.args[0] === rec.seq)).toBe(true);
    expect(r.lost).toBe(head - 10 - TRACE_READABLE);
    // A reader that starts late gets the same window; `max` keeps only the newest.
    expect(reader().read().map((rec) => rec.seq)).toEqual(got.map((rec) => rec.seq));
    const late = reader();
    expect(late.read(3).map((rec) => rec.seq)).toEqual([head - 3, head - 2, head - 1]);
    expect(late.lost).toBe(TRACE_READABLE - 3);
  });

  it('refuses a record whose slot the writer started to fill while it was being copied', () => {
    const { w, header, slots } = ring();
    fill(w, 0, 10);
    // Between the reader's check of record 0's SEQ and its copy, the writer runs on: it has
    // completed records up to TRACE_RECORDS - 1 and is filling record TRACE_RECORDS into
    // slot 0, whose SEQ it has not replaced yet. SEQ alone still says "record 0".
    class RacingReader extends TraceReader {
      private calls = 0;
      override head(): number {
        if (++this.calls === 2) {
          Atomics.store(header, TH.HEAD, TRACE_RECORDS);
          slots[TR.A0] = 4242;
        }
        return super.head();
      }
    }
    const r = new RacingReader(header.buffer, header.byteOffset);
    const got = r.read();
    expect(got.map((rec) => rec.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.lost).toBe(1);
  });

  it('refuses records overwritten between the head snapshot and their copy', () => {
    const { w, header } = ring();
    fill(w, 0, 20);
    class LaggingReader extends TraceReader {
      private calls = 0;
      override head(): number {
        const h = super.head();
        // Right after the snapshot the writer laps the ring.
        if (++this.calls === 1) fill(w, 20, TRACE_RECORDS);
        return h;
      }
    }
    const r = new LaggingReader(header.buffer, header.byteOffset);
    expect(r.read()).toEqual([]);
    expect(r.lost).toBe(20);
  });

  it('restarts a reader when the ring starts again in the same memory', () => {
    const { mem, w, clock, reader } = ring();
    const r = reader();
    fill(w, 0, 50);
    expect(r.read()).toHaveLength(50);
    // A new machine over the same (zeroed) memory: its writer starts at record 0.
    new Uint8Array(mem.buffer, mem.layout.traceOffset, mem.layout.totalBytes - mem.layout.traceOffset).fill(0);
    const w2 = new TraceWriter(mem.buffer, mem.layout.traceOffset, { instructions: () => clock.insns, timeNs: () => clock.ns });
    expect(w2.head).toBe(0);
    fill(w2, 0, 3);
    expect(r.read().map((rec) => rec.seq)).toEqual([0, 1, 2]);
    expect(r.lost).toBe(0);
  });

  it('continues numbering after records already in the ring', () => {
    const { mem, w } = ring();
    fill(w, 0, 7);
    const again = new TraceWriter(mem.buffer, mem.layout.traceOffset, { instructions: () => 0, timeNs: () => 0 });
    expect(again.head).toBe(7);
  });

  it('writes only the kinds enabled in the mask', () => {
    const { w, reader } = ring();
    const r = reader();
    w.enabled &= ~(1 << TK_HYPERCALL);
    w.write(TK_HYPERCALL, 1, 0, 1);
    w.write(TK_HYPERCALL | TF_NO_RESULT, 1, 0, 23);
    w.write(TK_PIN, 1, 0, 300, 1);
    expect(r.read().map((rec) => rec.kind)).toEqual([TK_PIN]);
  });

  it('asks the breakpoint about every record and remembers the one that matched', () => {
    const { w } = ring();
    const asked: string[] = [];
    w.breakpoint = (kind, domid, code) => {
      asked.push(`${kind}:${domid}:${code}`);
      return kind === TK_FAULT && code === 14;
    };
    w.write(TK_HYPERCALL | TF_NO_RESULT, 2, 0, 23);
    w.write(TK_FAULT, 2, 0, 13, 0);
    expect(w.breakPending).toBe(false);
    expect(w.breakSeq).toBe(-1);
    w.write(TK_FAULT, 2, 0, 14, 2, 0x1000);
    expect(asked).toEqual([`${TK_HYPERCALL}:2:23`, `${TK_FAULT}:2:13`, `${TK_FAULT}:2:14`]);
    expect(w.breakPending).toBe(true);
    expect(w.breakSeq).toBe(2);
    w.breakpoint = null;
    w.write(TK_FAULT, 2, 0, 14);
    expect(w.breakSeq).toBe(2);
  });
});
