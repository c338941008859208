// A xenstored connection: who is asking (domid, privileged, SET_TARGET), its
// watches and its open transactions. A guest has exactly one, over its ring;
// dom0's TypeScript services have as many as they open (as dom0 processes open
// sockets to xenstored), each privileged. Watch events either go to a sink (the
// ring adapter puts them on the ring) or, for TypeScript connections, to the
// callback given at watch(), called after the operation that fired them has
// finished (never in the middle of a change to the store).
import type { Caller, XsPerm } from './perms';
import type { XsNode } from './tree';

/** Receives a watch event: the path to report and the watch's token. */
export type EventSink = (path: string, token: string) => void;

/** A dom0 watch callback. */
export type WatchCallback = (path: string, token: string) => void;

export interface Watch {
  /** Canonical watched path (or @special). */
  readonly node: string;
  readonly token: string;
  /** Levels below node that match; -1 = any. */
  readonly depth: number;
  /** Characters stripped from event paths (the caller's home) when the watch was relative. */
  readonly prefixLen: number;
  readonly callback: WatchCallback | null;
}

/** One node a transaction has touched (xenstored's accessed_node). */
export interface Access {
  /** Generation of the global node at the first access (NO_GENERATION: absent). */
  readonly gen: number;
  /** The transaction's view of the node (null: absent). */
  node: XsNode | null;
  modified: boolean;
  /** Watch match to fire at commit: 0 none, 1 exact, 2 subtree. */
  fire: 0 | 1 | 2;
  /** Permissions at the first access, for deciding who may see the event. */
  readonly oldPerms: readonly XsPerm[] | null;
}

export class Transaction {
  readonly id: number;
  readonly generation: number;
  readonly accessed = new Map<string, Access>();
  /** Change in owned-node counts per domain the commit will make. */
  readonly delta = new Map<number, number>();
  nodeCreated = false;
  /** Set when the transaction can no longer commit (xenstored's fail_transaction). */
  fail = false;

  constructor(id: number, generation: number) {
    this.id = id;
    this.generation = generation;
  }
}

export class XsConnection implements Caller {
  readonly id: number;
  readonly privileged: boolean;
  target: number | null = null;
  readonly watches: Watch[] = [];
  readonly transactions = new Map<number, Transaction>();
  /** Next transaction id to try; 0 is never used (it means "no transaction"). */
  nextTxId = 1;
  /** Where watch events go; null: to the watches' callbacks. */
  readonly sink: EventSink | null;
  closed = false;

  constructor(id: number, sink: EventSink | null) {
    this.id = id;
    this.privileged = id === 0;
    this.sink = sink;
  }
}
