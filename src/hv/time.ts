// Virtual time. The machine has one clock, advanced only by retired guest
// instructions and by idle skips (DESIGN.md, principle 2): the virtual
// processor runs at 1 GHz, so one retired instruction is one nanosecond of
// system time. Nothing here reads a host clock.
//
// Each vcpu's TSC is made to equal system time in nanoseconds whenever it is
// scheduled (Cpu.tscOffset), so vcpu_time_info can say tsc_to_system_mul 1.0:
// the guest's time formula then reduces to system_time + (tsc - tsc_timestamp).

/** Nanoseconds of system time per retired instruction. */
export const NS_PER_INSN = 1;

/** tsc_to_system_mul and tsc_shift that make one TSC tick one nanosecond: (d << 1) * 2^31 >> 32 = d. */
export const TSC_MUL = 0x80000000;
export const TSC_SHIFT = 1;

/** The UTC wall-clock time the machine claims at system time 0 (seconds), fixed so runs are reproducible. */
export const DEFAULT_WALLCLOCK_BASE = 1767225600; // 2026-01-01T00:00:00Z

export class VirtualTime {
  /** System time in ns. */
  now = 0;
  /** Wall-clock seconds at system time 0; part of the machine config, never read from the host. */
  wallclockBase = DEFAULT_WALLCLOCK_BASE;
  /** Total time skipped while every vcpu was blocked, for the UI. */
  idleSkipped = 0;

  advance(instructions: number): void {
    this.now += instructions * NS_PER_INSN;
  }

  skipTo(t: number): void {
    if (t > this.now) {
      this.idleSkipped += t - this.now;
      this.now = t;
    }
  }
}
