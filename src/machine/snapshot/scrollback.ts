// What each guest's console has printed, the last SCROLLBACK_BYTES per domain:
// the Machine keeps it so that a restored machine (a shared link, a step back)
// can repaint its terminals as they were. Snapshots carry it.
export const SCROLLBACK_BYTES = 65536;

export class Scrollback {
  private readonly text = new Map<number, Uint8Array[]>();
  private readonly sizes = new Map<number, number>();

  constructor(readonly capacity = SCROLLBACK_BYTES) {}

  append(domid: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    let chunks = this.text.get(domid);
    if (!chunks) this.text.set(domid, (chunks = []));
    chunks.push(bytes.slice());
    let size = (this.sizes.get(domid) ?? 0) + bytes.length;
    // Drop whole chunks from the front, then trim the first.
    while (size - chunks[0].length >= this.capacity) size -= chunks.shift()!.length;
    if (size > this.capacity) {
      chunks[0] = chunks[0].slice(size - this.capacity);
      size = this.capacity;
    }
    this.sizes.set(domid, size);
  }

  /** The bytes kept for a domain, oldest first. */
  bytes(domid: number): Uint8Array {
    const chunks = this.text.get(domid) ?? [];
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
  }

  domains(): number[] {
    return [...this.text.keys()].sort((a, b) => a - b);
  }

  clear(): void {
    this.text.clear();
    this.sizes.clear();
  }
}
