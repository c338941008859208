// Lower-case text of history records, made once per record and kept while the record is,
// so typing into the text filter re-scans 50,000 records without formatting them again.
// The text is what a row shows: who, the kind of record, what happened, and the result.
import { formatRecord } from '../../../protocol/tracefmt';
import type { TraceRecord } from '../../../shared/trace';
import type { TraceHistory } from './history';

/** A record as the trace list shows it, in one line. */
export function rowText(r: TraceRecord): string {
  const t = formatRecord(r);
  return `${t.who} ${t.kind} ${t.text}${t.result ? ` = ${t.result}` : ''}`;
}

export class TraceLines {
  private readonly lines: string[];
  /** The history position each cached line belongs to (-1: none), so a reused slot is noticed. */
  private readonly owner: Float64Array;

  constructor(private readonly history: TraceHistory, private readonly format = rowText) {
    this.lines = new Array<string>(history.capacity).fill('');
    this.owner = new Float64Array(history.capacity).fill(-1);
  }

  /** The record at `abs` as lower-case text; '' when it is not held. */
  lineOf = (abs: number): string => {
    const s = abs % this.history.capacity;
    if (this.owner[s] === abs) return this.lines[s]!;
    const r = this.history.record(abs);
    if (!r) return '';
    const line = this.format(r).toLowerCase();
    this.lines[s] = line;
    this.owner[s] = abs;
    return line;
  };

  /** Forget every line (after the history was cleared and positions restart). */
  clear(): void {
    this.owner.fill(-1);
  }
}
