// The UI's end of the snapshot messages (protocol/snapshots.ts): requests by id
// and their replies, timeline updates into the share store, and the console
// text of a machine that replaced the one shown (a restore, a step back), which
// goes straight to the terminals.
import { PROTOCOL_VERSION } from '../../protocol/messages';
import type { SnapshotReply, SnapshotRequest } from '../../protocol/snapshots';
import type { ShareStore } from './shareStore';

type Request = SnapshotRequest;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<Request, 'v' | 'id'>;

/** The reply type of each request type. */
interface ReplyOf {
  snapshot: Extract<SnapshotReply, { type: 'snapshot-file' }>;
  restore: Extract<SnapshotReply, { type: 'restored' }>;
  share: Extract<SnapshotReply, { type: 'share-link' }>;
  timeline: Extract<SnapshotReply, { type: 'timeline-info' }>;
  seek: Extract<SnapshotReply, { type: 'seeked' }>;
  'step-back': Extract<SnapshotReply, { type: 'seeked' }>;
}

/** Where console text goes (client/consoleStreams.ts has this shape). */
export interface ConsoleSink {
  append(key: `guest:${number}` | 'xen', bytes: Uint8Array): void;
}

export class SnapshotPort {
  private readonly pending = new Map<number, (reply: SnapshotReply) => void>();
  private nextId = 1;

  constructor(
    private readonly send: (message: Request) => void,
    private readonly store: ShareStore,
    private readonly consoles: ConsoleSink,
  ) {}

  request<B extends RequestBody>(body: B): Promise<ReplyOf[B['type']]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (reply: SnapshotReply) => void);
      this.send({ ...body, v: PROTOCOL_VERSION, id } as Request);
    });
  }

  receive(msg: SnapshotReply): void {
    switch (msg.type) {
      case 'scrollback':
        for (const g of msg.guest) this.consoles.append(`guest:${g.domid}`, g.data);
        // The ring's lines are already prefixed "(XEN)" / "(dN)"; a terminal wants CR LF.
        this.consoles.append('xen', crlf(msg.xen));
        return;
      case 'timeline-info':
        this.store.setState({ timeline: msg.timeline });
        if (msg.id !== undefined) this.settle(msg.id, msg);
        return;
      default:
        this.settle(msg.id, msg);
    }
  }

  /** Forget requests the worker will never answer (it was stopped). */
  dispose(): void {
    this.pending.clear();
  }

  private settle(id: number, msg: SnapshotReply): void {
    const resolve = this.pending.get(id);
    if (!resolve) return;
    this.pending.delete(id);
    resolve(msg);
  }
}

/** LF → CR LF (a lone CR stays). */
export function crlf(bytes: Uint8Array): Uint8Array {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10 && bytes[i - 1] !== 13) n++;
  if (n === 0) return bytes;
  const out = new Uint8Array(bytes.length + n);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] !== 13) out[o++] = 13;
    out[o++] = bytes[i]!;
  }
  return out;
}
