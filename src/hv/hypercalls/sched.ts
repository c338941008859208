// Scheduling hypercalls: give up the CPU (yield), sleep until an event
// (block, which also clears the upcall mask so the wake-up event is delivered),
// wait for particular ports (poll), shut the domain down, and the one-shot
// timer (set_timer_op). Blocked and polling vcpus are woken by the scheduler
// when their condition holds (hypervisor.ts), so nothing here needs a callback.
import { E, SHUTDOWN } from '../../abi/xen';
import type { HcCtx, HcFn } from './types';

export const SCHEDOP = { yield: 0, block: 1, shutdown: 2, poll: 3, remote_shutdown: 4, shutdown_code: 5, watchdog: 6, pin_override: 7 } as const;
const MAX_POLL_PORTS = 128;

function block(x: HcCtx): number {
  const m8 = x.v.cpu.m8, info = x.v.vcpuInfoAddr;
  m8[info + 1] = 0;
  if (m8[info] === 0) x.hv.blockVcpu(x.v);
  return 0;
}

function shutdown(x: HcCtx, reason: number): number {
  x.hv.shutdownDomain(x.dom, reason >>> 0);
  return 0;
}

export const schedOp: HcFn = (x, cmd, arg) => {
  const g = x.g;
  switch (cmd) {
    case SCHEDOP.yield: x.hv.yieldVcpu(x.v); return 0;
    case SCHEDOP.block: return block(x);
    case SCHEDOP.shutdown: {
      const reason = g.u32(arg);
      if (!g.ok) return -E.EFAULT;
      return shutdown(x, reason);
    }
    case SCHEDOP.poll: {
      const ports = g.u32(arg), n = g.u32(arg + 4), lo = g.u32(arg + 8), hi = g.u32(arg + 12);
      if (!g.ok) return -E.EFAULT;
      if (n >>> 0 > MAX_POLL_PORTS) return -E.EINVAL;
      const list: number[] = [];
      for (let i = 0; i < n; i++) {
        list.push(g.u32(ports + i * 4) >>> 0);
        if (!g.ok) return -E.EFAULT;
      }
      const timeout = (hi >>> 0) * 4294967296 + (lo >>> 0);
      return x.hv.pollVcpu(x.v, list, timeout);
    }
    case SCHEDOP.remote_shutdown: return -E.EPERM;
    case SCHEDOP.shutdown_code: {
      const reason = g.u32(arg);
      if (!g.ok) return -E.EFAULT;
      if (x.dom.pendingShutdownCode < 0) x.dom.pendingShutdownCode = reason >>> 0;
      return 0;
    }
    case SCHEDOP.pin_override: return -E.EPERM;
    default: return -E.ENOSYS;
  }
};

/** The pre-3.0.2 form: sched_op_compat(cmd, arg) with the reason as the argument itself. */
export const schedOpCompat: HcFn = (x, cmd, arg) => {
  switch (cmd) {
    case SCHEDOP.yield: x.hv.yieldVcpu(x.v); return 0;
    case SCHEDOP.block: return block(x);
    case SCHEDOP.shutdown: return shutdown(x, arg);
    default: return -E.ENOSYS;
  }
};

/** 100 ms: what Xen substitutes for a timeout in the past-as-negative or absurdly far future. */
const FALLBACK_NS = 100_000_000;
const MAX_AHEAD_NS = 2 ** 50;

export const setTimerOp: HcFn = (x, lo, hi) => {
  const v = x.v, now = x.hv.time.now;
  if (lo === 0 && hi === 0) {
    v.singleshot = 0;
    return 0;
  }
  let t = (hi >>> 0) * 4294967296 + (lo >>> 0);
  if (hi < 0 || t > now + MAX_AHEAD_NS) t = now + FALLBACK_NS;
  // A deadline already passed fires at once (the scheduler checks before resuming).
  v.singleshot = Math.max(t, 1);
  return 0;
};

export { SHUTDOWN };
