// Console output from the worker, on its way to the terminals without passing
// through React state: the worker client appends bytes, a terminal subscribes and
// writes them to xterm.js as they come. Each stream keeps its recent history (up
// to HISTORY_BYTES), replayed to a new subscriber, so a panel that mounts late or
// is re-mounted when the layout moves it shows what was already printed.

export const HISTORY_BYTES = 256 * 1024;

/** A guest's hvc0, the hypervisor console, and Domain 0's shell (which outlives machines). */
export type StreamKey = `guest:${number}` | 'xen' | 'dom0';
type Listener = (bytes: Uint8Array) => void;

interface Stream {
  chunks: Uint8Array[];
  bytes: number;
  listeners: Set<Listener>;
}

export class ConsoleStreams {
  private readonly streams = new Map<StreamKey, Stream>();

  append(key: StreamKey, bytes: Uint8Array): void {
    const s = this.stream(key);
    s.chunks.push(bytes);
    s.bytes += bytes.length;
    while (s.bytes > HISTORY_BYTES && s.chunks.length > 1) s.bytes -= s.chunks.shift()?.length ?? 0;
    for (const l of s.listeners) l(bytes);
  }

  /** Replay the history to `listener`, then pass it everything appended; returns the unsubscribe. */
  subscribe(key: StreamKey, listener: Listener): () => void {
    const s = this.stream(key);
    for (const c of s.chunks) listener(c);
    s.listeners.add(listener);
    return () => s.listeners.delete(listener);
  }

  /** Forget the machine's streams' history (a new boot); subscribers stay. Domain 0's shell goes on. */
  clear(): void {
    for (const [key, s] of this.streams) {
      if (key === 'dom0') continue;
      s.chunks = [];
      s.bytes = 0;
    }
  }

  private stream(key: StreamKey): Stream {
    let s = this.streams.get(key);
    if (!s) this.streams.set(key, (s = { chunks: [], bytes: 0, listeners: new Set() }));
    return s;
  }
}

/** The page's console streams. */
export const consoleStreams = new ConsoleStreams();
