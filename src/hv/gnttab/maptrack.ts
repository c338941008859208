// The maptrack: one domain's record of the grants it has mapped, indexed by the handle that
// map_grant_ref returns and unmap_grant_ref takes. Handles come from a free list grown a page
// (256 entries of Xen's 16-byte grant_mapping) at a time, up to max_maptrack_frames (default
// 1024). We keep Xen's list discipline so handle numbers match Xen for a one-vcpu guest: a new
// page hands out its first entry and queues the rest at the head; freed handles go to the tail;
// the last free entry is never handed out (it anchors the tail), so a new page is added instead.
// Simplified: Xen keeps one such list per vcpu and steals from a randomly chosen vcpu when out
// of pages; we keep one list per domain (deterministic; no stealing needed).

export const MAPTRACK_PER_PAGE = 256;
const TAIL = -1;

export class Maptrack {
  /** Handles below this exist (maptrack_limit). */
  limit = 0;
  private head = TAIL;
  private tail = TAIL;
  /** Per handle: the granted ref while in use, the next free handle while free. */
  readonly ref: number[] = [];
  /** GNTMAP_* flags still mapped (low 16 bits); 0 = free. */
  readonly flags: number[] = [];
  readonly domid: number[] = [];
  readonly vcpu: number[] = [];
  /** Ours, for the UI and the trace: where the mapping was made. */
  readonly hostAddr: number[] = [];

  constructor(readonly maxFrames: number) {}

  /** A free handle, or -1 (GNTST_no_space). */
  get(vcpu: number): number {
    if (this.head !== TAIL) {
      const next = this.ref[this.head]!;
      if (next !== TAIL) {
        const h = this.head;
        this.head = next;
        return h;
      }
    }
    if (this.limit / MAPTRACK_PER_PAGE >= this.maxFrames) return -1;
    const h = this.limit;
    for (let i = 0; i < MAPTRACK_PER_PAGE; i++) {
      this.ref.push(h + i + 1);
      this.flags.push(0);
      this.domid.push(0);
      this.vcpu.push(vcpu);
      this.hostAddr.push(0);
    }
    if (this.tail === TAIL) this.tail = h + MAPTRACK_PER_PAGE - 1;
    this.limit += MAPTRACK_PER_PAGE;
    this.ref[h + MAPTRACK_PER_PAGE - 1] = this.head;
    this.head = h + 1;
    return h;
  }

  /** Give back a handle whose flags are already 0. */
  put(handle: number): void {
    this.ref[handle] = TAIL;
    if (this.tail === TAIL) this.head = handle;
    else this.ref[this.tail] = handle;
    this.tail = handle;
  }

  /** The free list's two ends (TAIL = -1), for snapshots. */
  freeList(): { head: number; tail: number } {
    return { head: this.head, tail: this.tail };
  }

  /** Restore every entry below `limit` and the free list (gnttab/state.ts has checked them). */
  load(limit: number, head: number, tail: number, e: { ref: number[]; flags: number[]; domid: number[]; vcpu: number[]; hostAddr: number[] }): void {
    this.clear();
    this.limit = limit;
    this.head = head;
    this.tail = tail;
    this.ref.push(...e.ref);
    this.flags.push(...e.flags);
    this.domid.push(...e.domid);
    this.vcpu.push(...e.vcpu);
    this.hostAddr.push(...e.hostAddr);
  }

  /** Forget every entry (a destroyed domain's maptrack). */
  clear(): void {
    this.limit = 0;
    this.head = this.tail = TAIL;
    this.ref.length = this.flags.length = this.domid.length = this.vcpu.length = this.hostAddr.length = 0;
  }
}
