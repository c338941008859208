// Register snapshots of every vcpu at the last two pauses, so the CPU panel can
// highlight what changed: while paused, since the pause before; while running,
// since the last pause.
export class PauseHistory {
  private readonly last = new Map<number, Int32Array>();
  private readonly before = new Map<number, Int32Array>();

  /** The machine paused: these are the snapshots (by register-file slot) at this pause. */
  record(snapshots: ReadonlyMap<number, Int32Array>): void {
    for (const [slot, snap] of snapshots) {
      const prev = this.last.get(slot);
      if (prev) this.before.set(slot, prev);
      else this.before.delete(slot);
      this.last.set(slot, snap);
    }
  }

  /** What slot's registers are compared with now, or null when there is nothing to compare with. */
  baseline(slot: number, paused: boolean): Int32Array | null {
    return (paused ? this.before.get(slot) : this.last.get(slot)) ?? null;
  }

  clear(): void {
    this.last.clear();
    this.before.clear();
  }
}
