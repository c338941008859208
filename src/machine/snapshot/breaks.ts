// Stamps taken where a run stopped on a breakpoint (hv.breakpoint: "next
// hypercall", "next event"). Such a stop is not one an instruction budget can
// reach -- it may come after an upcall frame was built, or after a service --
// so the stamp names the trace record the run stopped on: its kind, domain and
// code, and how many records just like it came before at the same instruction
// count. Replay sets a breakpoint that matches that record and runs until it
// stops there (replay.ts).
import { TH, TK_MASK, TR, TRACE_HEADER_BYTES, TRACE_RECORD_BYTES, TRACE_RECORDS } from '../../shared/trace';
import type { Breakpoint } from '../../hv/trace';
import type { Machine } from '../machine';

export interface BreakMark {
  /** TK_* kind (flags stripped), domain and CODE of the record the run stopped on. */
  kind: number;
  domid: number;
  code: number;
  /** Records with the same kind, domain and code at the same instruction count before it. */
  nth: number;
}

const WORDS = TRACE_RECORD_BYTES >>> 2;

function ring(m: Machine): { head: Int32Array; slots: Int32Array; f64: Float64Array } {
  const off = m.mem.layout.traceOffset, buf = m.mem.buffer;
  return {
    head: new Int32Array(buf, off, TRACE_HEADER_BYTES >>> 2),
    slots: new Int32Array(buf, off + TRACE_HEADER_BYTES, TRACE_RECORDS * WORDS),
    f64: new Float64Array(buf, off + TRACE_HEADER_BYTES, (TRACE_RECORDS * WORDS) >>> 1),
  };
}

/** The mark of the record the last run stopped on (the machine's last run ended with 'break'). */
export function breakMark(m: Machine): BreakMark | undefined {
  const seq = m.hv.breakSeq;
  if (seq < 0) return undefined;
  const { head, slots, f64 } = ring(m);
  const at = (n: number): { kind: number; domid: number; code: number; icount: number } | null => {
    const w = (n % TRACE_RECORDS) * WORDS;
    if (slots[w + TR.SEQ] !== ((n + 1) | 0)) return null;
    return { kind: slots[w + TR.KIND] & TK_MASK, domid: slots[w + TR.DOMID], code: slots[w + TR.CODE], icount: f64[(w + TR.ICOUNT_F64) >>> 1] };
  };
  const r = at(seq);
  if (!r || ((Atomics.load(head, TH.HEAD) - seq) >>> 0) > TRACE_RECORDS) return undefined;
  let nth = 0;
  for (let n = seq - 1, k = 0; n >= 0 && k < TRACE_RECORDS - 1; n--, k++) {
    const p = at(n);
    if (!p || p.icount !== r.icount) break;
    if (p.kind === r.kind && p.domid === r.domid && p.code === r.code) nth++;
  }
  return { kind: r.kind, domid: r.domid, code: r.code, nth };
}

/** A breakpoint that fires on the marked record, once `executed` instructions have retired. */
export function breakpointFor(m: Machine, at: number, mark: BreakMark): Breakpoint {
  let seen = 0;
  return (kind, domid, code) => {
    if (kind !== mark.kind || domid !== mark.domid || code !== mark.code || m.hv.executed !== at) return false;
    return seen++ === mark.nth;
  };
}
