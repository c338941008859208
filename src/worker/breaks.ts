// What stops a running machine besides the user: a step to the next hypercall or
// the next event upcall, and the user's break-on-hypercall filters. Both become
// one hv.breakpoint, the hypervisor's test of each trace record as it is written
// (src/hv/trace.ts); a match ends the run at the next instruction boundary with
// 'break', and this says why, for the pause it turns into. With neither set the
// hypervisor has no breakpoint at all, so it costs nothing.
import type { Hypervisor } from '../hv/hypervisor';
import { TK_EVT_UPCALL, TK_HYPERCALL } from '../shared/trace';
import type { PauseInfo } from '../protocol/messages';

export type StepUntil = 'hypercall' | 'event';

export interface BreakHit {
  reason: PauseInfo['reason'];
  /** The domain the matching record was about. */
  domid: number;
}

export class Breaks {
  private hypercalls = new Set<number>();
  private domid: number | undefined;
  private until: StepUntil | null = null;
  /** Why the last 'break' happened. */
  hit: BreakHit | null = null;

  /** The user's filters: stop after these hypercalls (of `domid` only, when given); empty: none. */
  setFilters(hv: Hypervisor | null, hypercalls: readonly number[], domid?: number): void {
    this.hypercalls = new Set(hypercalls);
    this.domid = domid;
    if (hv) this.install(hv);
  }

  get filters(): { hypercalls: number[]; domid?: number } {
    return { hypercalls: [...this.hypercalls].sort((a, b) => a - b), ...(this.domid !== undefined ? { domid: this.domid } : {}) };
  }

  /** Stop at the next hypercall or upcall of any domain (null: no step under way). */
  step(hv: Hypervisor, until: StepUntil | null): void {
    this.until = until;
    this.install(hv);
  }

  get stepping(): StepUntil | null {
    return this.until;
  }

  /** Give the hypervisor the breakpoint the current settings call for (a new machine needs it too). */
  install(hv: Hypervisor): void {
    this.hit = null;
    if (this.until === null && this.hypercalls.size === 0) {
      hv.breakpoint = null;
      return;
    }
    hv.breakpoint = (kind, domid, code) => {
      let reason: PauseInfo['reason'] | null = null;
      if (this.until === 'hypercall' && kind === TK_HYPERCALL) reason = 'hypercall';
      else if (this.until === 'event' && kind === TK_EVT_UPCALL) reason = 'event';
      else if (kind === TK_HYPERCALL && this.hypercalls.has(code) && (this.domid === undefined || this.domid === domid)) reason = 'breakpoint';
      if (reason === null) return false;
      this.hit = { reason, domid };
      return true;
    };
  }
}
