// Which trace records the view shows. A filter picks by domain, by kind group, by hypercall
// number (a multicall's entries count as that hypercall too) and by words of the record's
// text. FilteredTrace keeps the positions of the matching records of a TraceHistory and
// catches up with it incrementally under a deadline, so a new filter over 50,000 records,
// or a burst of new records, never holds the main thread for a long task.
import type { TraceHistory } from './history';
import { kindGroup, type KindGroup } from './names';
import { TK_HYPERCALL, TK_MULTICALL_ENTRY } from '../../../shared/trace';

export interface TraceFilter {
  /** Only records about this domain; null: all. */
  domid: number | null;
  /** Only these kinds; null: all (records of kinds the UI does not know show only then). */
  groups: readonly KindGroup[] | null;
  /** Only this hypercall; null: any record. */
  hypercall: number | null;
  /** Words that must all occur in the record's text (case-insensitive). */
  text: string;
}

export const NO_FILTER: TraceFilter = { domid: null, groups: null, hypercall: null, text: '' };

export function isNoFilter(f: TraceFilter): boolean {
  return f.domid === null && f.groups === null && f.hypercall === null && f.text.trim() === '';
}

/** The record at `abs` as lower-case text; only called for records the other tests let through. */
export type LineOf = (abs: number) => string;

/** How often the scan looks at its deadline. */
const CHECK_EVERY = 256;

export class FilteredTrace {
  private readonly identity: boolean;
  private readonly words: string[];
  private readonly groups: ReadonlySet<KindGroup> | null;
  /** Matching positions, ascending, from items[start]. */
  private items: number[] = [];
  private start = 0;
  /** Positions below this have been looked at. */
  private scanned = 0;

  constructor(readonly history: TraceHistory, readonly filter: TraceFilter, private readonly lineOf: LineOf) {
    this.identity = isNoFilter(filter);
    this.words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
    this.groups = filter.groups ? new Set(filter.groups) : null;
  }

  /** Matching records held (ones that have left the history are not counted). */
  get length(): number {
    if (this.identity) return this.history.size;
    this.prune();
    return this.items.length - this.start;
  }

  /** Whether every record of the history has been looked at. */
  get complete(): boolean {
    return this.identity || this.scanned >= this.history.total;
  }

  /** The position in the history of the i-th match. */
  at(i: number): number {
    return this.identity ? this.history.base + i : this.items[this.start + i]!;
  }

  /** Where the record at history position `abs` is in this list, or -1 when it is not. */
  indexOf(abs: number): number {
    if (this.identity) return this.history.has(abs) ? abs - this.history.base : -1;
    this.prune();
    let lo = this.start, hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.items[mid]!;
      if (v === abs) return mid - this.start;
      if (v < abs) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The positions of every match held now, oldest first: a list that no longer moves. */
  snapshot(): number[] {
    const n = this.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(i);
    return out;
  }

  matches(abs: number): boolean {
    const h = this.history, f = this.filter;
    if (f.domid !== null && h.domidAt(abs) !== f.domid) return false;
    const kind = h.kindAt(abs);
    if (this.groups) {
      const g = kindGroup(kind);
      if (g === undefined || !this.groups.has(g)) return false;
    }
    if (f.hypercall !== null && ((kind !== TK_HYPERCALL && kind !== TK_MULTICALL_ENTRY) || h.codeAt(abs) !== f.hypercall)) return false;
    if (this.words.length) {
      const line = this.lineOf(abs);
      for (const w of this.words) if (!line.includes(w)) return false;
    }
    return true;
  }

  /**
   * Look at records not yet looked at until caught up or `deadline()` says stop (asked every
   * few hundred records). Returns whether it caught up.
   */
  scan(deadline: () => boolean = () => false): boolean {
    const h = this.history;
    if (this.identity) {
      this.scanned = h.total;
      return true;
    }
    let n = Math.max(this.scanned, h.base);
    let since = 0;
    while (n < h.total) {
      if (this.matches(n)) this.items.push(n);
      n++;
      if (++since === CHECK_EVERY) {
        since = 0;
        if (deadline()) break;
      }
    }
    this.scanned = n;
    this.prune();
    return n >= h.total;
  }

  /** Drop positions that have left the history; compact the array now and then. */
  private prune(): void {
    const base = this.history.base;
    while (this.start < this.items.length && this.items[this.start]! < base) this.start++;
    if (this.start > 4096 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }
}
