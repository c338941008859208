// The hypervisor console buffer as dom0 keeps it for `xl dmesg` (Xen's conring):
// the last CONRING_BYTES bytes of everything written to the hypervisor console,
// the hypervisor's own lines ("(XEN) ...") as they are and a guest's console_io
// output with "(dN) " at the start of each of its lines, as Xen's console
// shows it. Older bytes fall off the front. `xl dmesg -c` clears it.

/** Xen's default console ring size (16 KiB). */
export const CONRING_BYTES = 16384;

export class ConsoleRing {
  private buf: number[] = [];
  private readonly atLineStart = new Map<number, boolean>();
  readonly capacity: number;
  private readonly listeners: ((text: Uint8Array) => void)[] = [];

  constructor(capacity = CONRING_BYTES) {
    this.capacity = capacity;
  }

  /** Append console output of `domid` (-1: the hypervisor); returns the bytes as shown. */
  append(domid: number, bytes: Uint8Array): Uint8Array {
    let shown: Uint8Array;
    if (domid < 0) {
      shown = bytes;
    } else {
      const prefix = new TextEncoder().encode(`(d${domid}) `);
      const out: number[] = [];
      let fresh = this.atLineStart.get(domid) ?? true;
      for (const b of bytes) {
        if (fresh) { out.push(...prefix); fresh = false; }
        out.push(b);
        if (b === 0x0a) fresh = true;
      }
      this.atLineStart.set(domid, fresh);
      shown = Uint8Array.from(out);
    }
    for (const b of shown) this.buf.push(b);
    if (this.buf.length > this.capacity) this.buf = this.buf.slice(this.buf.length - this.capacity);
    for (const l of this.listeners) l(shown);
    return shown;
  }

  /** Everything kept, as text. */
  text(): string {
    return new TextDecoder().decode(Uint8Array.from(this.buf));
  }

  clear(): void {
    this.buf = [];
  }

  /** What is kept and where each domain's output stands, for snapshots. */
  saveState(): { bytes: Uint8Array; lineStart: [number, boolean][] } {
    return { bytes: Uint8Array.from(this.buf), lineStart: [...this.atLineStart] };
  }

  /** Restore that; listeners stay. */
  restoreState(bytes: Uint8Array, lineStart: Iterable<[number, boolean]>): void {
    this.buf = Array.from(bytes.subarray(Math.max(0, bytes.length - this.capacity)));
    this.atLineStart.clear();
    for (const [d, b] of lineStart) this.atLineStart.set(d, b);
  }

  /** Hear of every append (as shown); returns the unsubscribe. */
  subscribe(fn: (text: Uint8Array) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
