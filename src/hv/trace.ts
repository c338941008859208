// The writer side of the trace ring (src/shared/trace.ts has the layout and the
// reader): the hypervisor appends one fixed-size record per hypercall, multicall
// entry, event-channel send / notification / upcall / bind / close, fault bounced
// to a guest, pin, grant map and domain change, straight into shared memory where
// the UI drains it at its own pace (DESIGN.md principle 3).
//
// It is always on, so it must stay cheap (principle 5): callers pass plain
// numbers, a record is a handful of Int32 stores plus two Atomics stores (SEQ, then
// HEAD, the order the reader relies on), and nothing is allocated. The trace is a
// view of what happened, never state a guest can see: writing it changes nothing
// the machine does, and a breakpoint only ends the current run early (the caller
// resumes exactly where it stopped).
import {
  TH, TR, TK_MASK, TRACE_HEADER_BYTES, TRACE_RECORD_BYTES, TRACE_RECORDS,
} from '../shared/trace';

/** Where ICOUNT and TIME of a record come from. */
export interface TraceClock {
  /** Instructions retired machine-wide so far. */
  instructions(): number;
  /** Virtual system time in ns. */
  timeNs(): number;
}

/** Decides whether a record stops the run: its TK_* kind (flags stripped), domain and CODE. */
export type Breakpoint = (kind: number, domid: number, code: number) => boolean;

/** Every kind enabled (bit k = TK kind k). */
export const TRACE_ALL = 0xffffffff | 0;

const WORDS = TRACE_RECORD_BYTES >>> 2;
const SLOT_MASK = TRACE_RECORDS - 1;
// write() spells the record's slots as literals (16 words a record, TR's order): loads
// of TR's properties on every record cost more than the stores themselves.
if ((TRACE_RECORDS & SLOT_MASK) !== 0 || WORDS !== 16 || TR.SEQ !== 0 || TR.KIND !== 1 || TR.DOMID !== 2 ||
  TR.VCPU !== 3 || TR.CODE !== 4 || TR.A0 !== 5 || TR.RESULT !== 11 || TR.ICOUNT_F64 !== 12 || TR.TIME_F64 !== 14 ||
  TH.HEAD !== 0) {
  throw new Error('src/hv/trace.ts is out of step with the record layout of src/shared/trace.ts');
}

export class TraceWriter {
  /** Bit k set: records of kind k are written. Clearing a bit also means such records cannot break. */
  enabled = TRACE_ALL;
  /** Called for every record written while set; true ends the current run at the next instruction boundary. */
  breakpoint: Breakpoint | null = null;
  /** Record number of the last record the breakpoint matched, -1 before any. */
  breakSeq = -1;
  /** A record matched and no run has stopped for it yet (the run loops read and clear it). */
  breakPending = false;

  private readonly header: Int32Array;
  private readonly slots: Int32Array;
  private readonly f64: Float64Array;
  private readonly clock: TraceClock;
  /** Records written so far, modulo 2^32 (the next record number). */
  private n = 0;

  constructor(buffer: ArrayBufferLike, traceOffset: number, clock: TraceClock) {
    if (traceOffset % 8 !== 0) throw new RangeError(`trace ring offset ${traceOffset} is not 8-byte aligned`);
    this.header = new Int32Array(buffer, traceOffset, TRACE_HEADER_BYTES >>> 2);
    this.slots = new Int32Array(buffer, traceOffset + TRACE_HEADER_BYTES, TRACE_RECORDS * WORDS);
    this.f64 = new Float64Array(buffer, traceOffset + TRACE_HEADER_BYTES, (TRACE_RECORDS * WORDS) >>> 1);
    this.clock = clock;
    // Continue after whatever the ring already holds (a machine rebuilt over the same memory).
    this.n = Atomics.load(this.header, TH.HEAD) >>> 0;
    Atomics.store(this.header, TH.CAPACITY, TRACE_RECORDS);
  }

  /** Records written so far (the number the next record gets), modulo 2^32. */
  get head(): number {
    return this.n;
  }

  /**
   * Append one record (see TK_* in src/shared/trace.ts for what each slot means).
   * Arguments are stored as int32: pass guest register values as they are.
   */
  write(kind: number, domid: number, vcpu: number, code: number,
    a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, result = 0): void {
    this.record(kind, domid, vcpu, code, a0, a1, a2, a3, a4, a5, result);
  }

  /**
   * write() with every slot given: what the hypercall path calls. Kept small (no
   * defaults, the breakpoint question out of line) so the JIT inlines it there and
   * the register values are stored without being boxed.
   */
  record(kind: number, domid: number, vcpu: number, code: number,
    a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, result: number): void {
    const k = kind & TK_MASK;
    if (((this.enabled >>> k) & 1) === 0) return;
    const n = this.n;
    const w = (n & SLOT_MASK) << 4;
    const s = this.slots;
    s[w + 1] = kind;
    s[w + 2] = domid;
    s[w + 3] = vcpu;
    s[w + 4] = code;
    s[w + 5] = a0;
    s[w + 6] = a1;
    s[w + 7] = a2;
    s[w + 8] = a3;
    s[w + 9] = a4;
    s[w + 10] = a5;
    s[w + 11] = result;
    const f = this.f64, d = w >>> 1;
    f[d + 6] = this.clock.instructions();
    f[d + 7] = this.clock.timeNs();
    const next = (n + 1) >>> 0;
    Atomics.store(s, w, next | 0);
    Atomics.store(this.header, 0, next | 0);
    this.n = next;
    if (this.breakpoint !== null) this.ask(k, domid, code, n);
  }

  /** The breakpoint's question, out of record() to keep that small. */
  private ask(kind: number, domid: number, code: number, n: number): void {
    if (this.breakpoint?.(kind, domid, code)) {
      this.breakSeq = n;
      this.breakPending = true;
    }
  }
}
