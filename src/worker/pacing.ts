// How far virtual time may run ahead, given the wall clock and the speed factor.
// factor 1: virtual time follows real time (a guest that sleeps 10 ms sleeps 10 ms);
// 2: twice as fast; 0.1: slow motion; 0: no limit at all (flat out). The limit
// caps idle skips (hv.timeLimit) and, for factors that make virtual time slower
// than the host could go, the instructions of a slice too. Pacing changes only
// when things happen, never what the guest sees (DESIGN.md principle 2).
//
// Virtual time is measured from an anchor (wall ms, virtual ns) taken when the
// machine starts, resumes after a pause or changes speed, so time spent paused is
// not made up afterwards in a burst.

export class Pacer {
  private anchorMs = 0;
  private anchorNs = 0;
  private factor = 1;

  get speed(): number {
    return this.factor;
  }

  /** Start counting from here: wall `nowMs` corresponds to virtual `nowNs`. */
  anchor(nowMs: number, nowNs: number): void {
    this.anchorMs = nowMs;
    this.anchorNs = nowNs;
  }

  /** Change the factor from now on (`nowNs`: the machine's virtual time now). */
  setSpeed(factor: number, nowMs: number, nowNs: number): void {
    this.factor = factor;
    this.anchor(nowMs, nowNs);
  }

  /** The virtual time (ns) the machine may reach by wall time `nowMs`; Infinity when flat out. */
  limit(nowMs: number): number {
    if (this.factor === 0) return Infinity;
    return this.anchorNs + (nowMs - this.anchorMs) * 1e6 * this.factor;
  }
}
