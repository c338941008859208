// The trace ring: xentrace for pvplay (DESIGN.md, principle 3). The machine appends a
// fixed-size record for each hypercall, event-channel send / notification / upcall,
// fault bounced to a guest, pin, grant map and domain change; the UI drains the ring at
// its own pace straight from shared memory, without messages. Pure data and a reader:
// the writer lives with the machine (src/hv/trace.ts).
//
//   traceOffset      header: TRACE_HEADER_BYTES (Int32 slots TH below)
//   + header         TRACE_RECORDS records of TRACE_RECORD_BYTES (Int32 slots TR below)
//
// Records are numbered from 0 in the order they were written; record n sits in slot
// n % TRACE_RECORDS. The writer fills a record, then stores n + 1 in its SEQ slot and
// finally bumps TH.HEAD to n + 1 (both with Atomics). A reader that sees SEQ == n + 1
// before copying knows the record is whole; the writer only starts on record
// n + TRACE_RECORDS (same slot) once HEAD has reached it, so a HEAD still below that
// after the copy means nothing was overwritten meanwhile. (SEQ alone cannot tell:
// it changes only after the new record's fields are already in place.)

export const TRACE_RECORDS = 8192;
export const TRACE_RECORD_BYTES = 64;
export const TRACE_HEADER_BYTES = 64;
export const TRACE_BYTES = TRACE_HEADER_BYTES + TRACE_RECORDS * TRACE_RECORD_BYTES;

/** Header slots (Int32). */
export const TH = {
  /** Records written so far (wraps at 2^32; readers compare with `(head - seen) >>> 0`). */
  HEAD: 0,
  /** TRACE_RECORDS, so a reader can check it agrees with the writer. */
  CAPACITY: 1,
} as const;

/** Record slots (Int32); ICOUNT and TIME are float64 over two slots each (8-byte aligned). */
export const TR = {
  /** Record number + 1; 0 for a slot never written. */
  SEQ: 0,
  /** TK_* */
  KIND: 1,
  /** Domain the record is about (-1: the hypervisor itself). */
  DOMID: 2,
  VCPU: 3,
  /** Hypercall number, port, vector, frame or ref: see each TK_*. */
  CODE: 4,
  /** Up to six arguments (A0..A5 = slots 5..10). */
  A0: 5,
  RESULT: 11,
  /** Machine-wide retired-instruction count when the record was written (float64). */
  ICOUNT_F64: 12,
  /** Virtual system time in ns (float64). */
  TIME_F64: 14,
} as const;

/**
 * Record kinds. For each: CODE, then the arguments. VCPU is the vcpu the record is
 * about (the caller, or the vcpu notified), -1 when none is (domain 0's services,
 * timers, the toolstack). Arguments that do not apply are -1 where 0 would mean
 * something, else 0.
 * HYPERCALL: nr; A0..A5 = ebx, ecx, edx, esi, edi, ebp as the guest passed them; RESULT = eax
 *   (KIND carries TF_NO_RESULT when the hypercall set the registers itself, like iret, and
 *   TF_CONTINUED when it was preempted and the guest will issue it again).
 * MULTICALL_ENTRY: op of one entry of a multicall; A0..A5 its args; RESULT its result (flags
 *   as HYPERCALL). Written as each entry completes, before the multicall's own record.
 * EVT_SEND: port the domain sent on; A0 = remote domain, A1 = remote port (both -1 when the
 *   port is unbound and the send is dropped; an IPI names its own domain and port).
 * EVT_PENDING: port that a notification reached; A0 = 1 when it set the pending bit (was clear),
 *   A1 = 1 when it raised the vcpu's upcall (the vcpu was kicked). VCPU = the vcpu notified.
 * EVT_UPCALL: 0; the vcpu entered its event callback (a bounce frame was built). A0 = eip of
 *   the callback, A1 = the eip it interrupted.
 * EVT_BIND: port bound or allocated; A0 = ECS_* state (2 unbound, 3 interdomain, 5 virq,
 *   6 ipi), A1 = remote domain, A2 = remote port, A3 = virq. VCPU = the vcpu it notifies.
 * EVT_CLOSE: port closed.
 * FAULT: vector bounced to the guest; A0 = error code (-1: the vector pushes none),
 *   A1 = cr2 (page faults), A2 = faulting eip (for a software interrupt, the eip after the
 *   INT), A3 = 1 for a software interrupt (INT n, INT3, INTO), 0 for an exception.
 * PIN / UNPIN: machine frame; A0 = page-table level (1..3). DOMID = the table's owner.
 * GNT_MAP / GNT_UNMAP: grant ref; A0 = granting domain, A1 = handle, A2 = machine frame, A3 = GNTMAP flags.
 * DOMAIN: a DS_* lifecycle change; A0 = shutdown reason when it shut down, vcpus when created.
 */
export const TK_HYPERCALL = 1, TK_MULTICALL_ENTRY = 2, TK_EVT_SEND = 3, TK_EVT_PENDING = 4, TK_EVT_UPCALL = 5,
  TK_EVT_BIND = 6, TK_EVT_CLOSE = 7, TK_FAULT = 8, TK_PIN = 9, TK_UNPIN = 10, TK_GNT_MAP = 11, TK_GNT_UNMAP = 12,
  TK_DOMAIN = 13;
export const TK_NAMES: Readonly<Record<number, string>> = {
  [TK_HYPERCALL]: 'hypercall', [TK_MULTICALL_ENTRY]: 'multicall entry', [TK_EVT_SEND]: 'evtchn send',
  [TK_EVT_PENDING]: 'evtchn pending', [TK_EVT_UPCALL]: 'event upcall', [TK_EVT_BIND]: 'evtchn bind',
  [TK_EVT_CLOSE]: 'evtchn close', [TK_FAULT]: 'fault', [TK_PIN]: 'pin', [TK_UNPIN]: 'unpin',
  [TK_GNT_MAP]: 'grant map', [TK_GNT_UNMAP]: 'grant unmap', [TK_DOMAIN]: 'domain',
};
/** Flag ORed into KIND of a hypercall that set the registers itself (iret): RESULT means nothing. */
export const TF_NO_RESULT = 0x100;
/**
 * Flag ORed into KIND of a hypercall (or multicall entry) that was preempted and will be
 * continued (Xen's hypercall continuations): the guest re-executes it with the updated
 * arguments, each pass has its own record, and RESULT is not a result yet.
 */
export const TF_CONTINUED = 0x200;
/**
 * KIND bits 16..23 of a hypercall or multicall entry whose sub-operation lives in guest
 * memory rather than in a register (mmuext_op: the cmd of its first op): the sub-op + 1;
 * 0 when none was recorded.
 */
export const TF_SUBOP_SHIFT = 16;
/** The KIND bits that record sub-op `op` (0..254). */
export function subopFlag(op: number): number {
  return (((op >>> 0) + 1) & 0xff) << TF_SUBOP_SHIFT;
}
export const TK_MASK = 0xff;

/** DOMAIN record codes. */
export const DS_CREATED = 0, DS_UNPAUSED = 1, DS_PAUSED = 2, DS_SHUTDOWN = 3, DS_DESTROYED = 4;

/** One record, decoded. */
export interface TraceRecord {
  seq: number;
  kind: number;
  noResult: boolean;
  /** Preempted; the guest will run it again with updated arguments (TF_CONTINUED). */
  continued: boolean;
  /** The sub-operation read from guest memory (TF_SUBOP_SHIFT), -1 when not recorded. */
  subop: number;
  domid: number;
  vcpu: number;
  code: number;
  args: number[];
  result: number;
  icount: number;
  timeNs: number;
}

/**
 * The most records a reader can get back from the ring: the slot after the newest
 * record is the one the writer may be filling, so the record it held is given up.
 */
export const TRACE_READABLE = TRACE_RECORDS - 1;

/**
 * Reads new records from the ring. The first `read` starts at the oldest record still in
 * the ring; records overwritten before a read are counted in `lost`.
 */
export class TraceReader {
  private readonly header: Int32Array;
  private readonly slots: Int32Array;
  private readonly f64: Float64Array;
  /** Records consumed so far (the next record number to read). */
  next = -1;
  lost = 0;

  constructor(buffer: ArrayBufferLike, traceOffset: number) {
    this.header = new Int32Array(buffer, traceOffset, TRACE_HEADER_BYTES >>> 2);
    this.slots = new Int32Array(buffer, traceOffset + TRACE_HEADER_BYTES, (TRACE_RECORDS * TRACE_RECORD_BYTES) >>> 2);
    this.f64 = new Float64Array(buffer, traceOffset + TRACE_HEADER_BYTES, (TRACE_RECORDS * TRACE_RECORD_BYTES) >>> 3);
  }

  /** Records written so far. */
  head(): number {
    return Atomics.load(this.header, TH.HEAD) >>> 0;
  }

  /**
   * Decode the records written since the last call (at most `max`, the newest ones).
   * A head behind what was already read means the ring was started again (a new
   * machine in the same memory): reading then restarts from its oldest record.
   */
  read(max = TRACE_READABLE): TraceRecord[] {
    const head = this.head();
    if (this.next < 0 || ((head - this.next) | 0) < 0) this.next = head >= TRACE_READABLE ? head - TRACE_READABLE : 0;
    let from = this.next;
    const behind = (head - from) >>> 0;
    const keep = Math.min(max, TRACE_READABLE);
    if (behind > keep) {
      this.lost += behind - keep;
      from = (head - keep) >>> 0;
    }
    const out: TraceRecord[] = [];
    for (let n = from; n !== head; n = (n + 1) >>> 0) {
      const r = this.decode(n);
      if (r) out.push(r);
      else this.lost++;
    }
    this.next = head;
    return out;
  }

  /** Record n, or null when its slot holds, or is being filled with, another record. */
  private decode(n: number): TraceRecord | null {
    const w = (n % TRACE_RECORDS) * (TRACE_RECORD_BYTES >>> 2);
    const tag = (n + 1) | 0;
    if (Atomics.load(this.slots, w + TR.SEQ) !== tag) return null;
    const s = this.slots;
    const kind = s[w + TR.KIND];
    const r: TraceRecord = {
      seq: n,
      kind: kind & TK_MASK,
      noResult: (kind & TF_NO_RESULT) !== 0,
      continued: (kind & TF_CONTINUED) !== 0,
      subop: ((kind >>> TF_SUBOP_SHIFT) & 0xff) - 1,
      domid: s[w + TR.DOMID],
      vcpu: s[w + TR.VCPU],
      code: s[w + TR.CODE] >>> 0,
      args: [s[w + 5] >>> 0, s[w + 6] >>> 0, s[w + 7] >>> 0, s[w + 8] >>> 0, s[w + 9] >>> 0, s[w + 10] >>> 0],
      result: s[w + TR.RESULT],
      icount: this.f64[(w + TR.ICOUNT_F64) >>> 1],
      timeNs: this.f64[(w + TR.TIME_F64) >>> 1],
    };
    return ((this.head() - n) >>> 0) < TRACE_RECORDS && Atomics.load(this.slots, w + TR.SEQ) === tag ? r : null;
  }
}
