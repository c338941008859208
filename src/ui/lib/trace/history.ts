// The trace records the UI keeps after draining them from the ring: the newest `capacity`
// (50,000 by default, about six times the ring), in columns of typed arrays so keeping them
// costs a few megabytes and no garbage. Records are addressed by their position in the
// history since it was created (`abs`): positions base..total-1 are held, older ones are gone.
// Views keep positions, not records, so they can tell when one has scrolled out.
import { TF_CONTINUED, TF_NO_RESULT, type TraceRecord } from '../../../shared/trace';

export const DEFAULT_HISTORY = 50_000;
const ARGS = 6;

export class TraceHistory {
  readonly capacity: number;
  /** Records appended so far; the next position. */
  total = 0;
  private readonly seq: Float64Array;
  /** Kind with TF_NO_RESULT and TF_CONTINUED kept, so a record round-trips. */
  private readonly kind: Uint16Array;
  /** The sub-operation read from guest memory, -1 when none. */
  private readonly subop: Int16Array;
  private readonly domid: Int32Array;
  private readonly vcpu: Int32Array;
  private readonly code: Uint32Array;
  private readonly args: Uint32Array;
  private readonly result: Int32Array;
  private readonly icount: Float64Array;
  private readonly time: Float64Array;

  constructor(capacity = DEFAULT_HISTORY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity ${capacity}`);
    this.capacity = capacity;
    this.seq = new Float64Array(capacity);
    this.kind = new Uint16Array(capacity);
    this.subop = new Int16Array(capacity);
    this.domid = new Int32Array(capacity);
    this.vcpu = new Int32Array(capacity);
    this.code = new Uint32Array(capacity);
    this.args = new Uint32Array(capacity * ARGS);
    this.result = new Int32Array(capacity);
    this.icount = new Float64Array(capacity);
    this.time = new Float64Array(capacity);
  }

  /** The oldest position still held. */
  get base(): number {
    return Math.max(0, this.total - this.capacity);
  }

  get size(): number {
    return this.total - this.base;
  }

  has(abs: number): boolean {
    return abs >= this.base && abs < this.total;
  }

  append(records: readonly TraceRecord[]): void {
    // Only the newest `capacity` of a large batch can stay; skip writing the others.
    const skip = Math.max(0, records.length - this.capacity);
    this.total += skip;
    for (let i = skip; i < records.length; i++) {
      const r = records[i]!;
      const s = this.total % this.capacity;
      this.seq[s] = r.seq;
      this.kind[s] = r.kind | (r.noResult ? TF_NO_RESULT : 0) | (r.continued ? TF_CONTINUED : 0);
      this.subop[s] = r.subop;
      this.domid[s] = r.domid;
      this.vcpu[s] = r.vcpu;
      this.code[s] = r.code;
      for (let a = 0; a < ARGS; a++) this.args[s * ARGS + a] = r.args[a] ?? 0;
      this.result[s] = r.result;
      this.icount[s] = r.icount;
      this.time[s] = r.timeNs;
      this.total++;
    }
  }

  clear(): void {
    this.total = 0;
  }

  // Field readers for filters, which look at many records and build none.
  kindAt(abs: number): number {
    return this.kind[abs % this.capacity]! & 0xff;
  }
  domidAt(abs: number): number {
    return this.domid[abs % this.capacity]!;
  }
  codeAt(abs: number): number {
    return this.code[abs % this.capacity]!;
  }
  seqAt(abs: number): number {
    return this.seq[abs % this.capacity]!;
  }

  /** The record at `abs`, rebuilt (for display); undefined when it is not held. */
  record(abs: number): TraceRecord | undefined {
    if (!this.has(abs)) return undefined;
    const s = abs % this.capacity;
    const kind = this.kind[s]!;
    return {
      seq: this.seq[s]!,
      kind: kind & 0xff,
      noResult: (kind & TF_NO_RESULT) !== 0,
      continued: (kind & TF_CONTINUED) !== 0,
      subop: this.subop[s]!,
      domid: this.domid[s]!,
      vcpu: this.vcpu[s]!,
      code: this.code[s]!,
      args: Array.from(this.args.subarray(s * ARGS, s * ARGS + ARGS)),
      result: this.result[s]!,
      icount: this.icount[s]!,
      timeNs: this.time[s]!,
    };
  }

  /**
   * The position of the record numbered `seq`, or -1 when it is not held. Record numbers
   * grow with position (the reader hands them over in order), so this is a binary search.
   */
  positionOfSeq(seq: number): number {
    let lo = this.base, hi = this.total - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.seq[mid % this.capacity]!;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
