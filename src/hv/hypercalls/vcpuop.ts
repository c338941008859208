// vcpu_op: per-vcpu control. Timers (a periodic VIRQ_TIMER and a single-shot
// one), bringing vcpus up and down, where a vcpu's vcpu_info lives, and its
// run-state. VCPUOP_initialise (starting a secondary vcpu from a full
// vcpu_guest_context) lives in vcpuinit.ts.
import { E, SHINFO } from '../../abi/xen';
import { VCPUOP } from '../../abi/ops';
import type { HcFn } from './types';
import { vcpuInitialise } from './vcpuinit';

export { VCPUOP };

const MILLISECOND = 1_000_000;
const RUNSTATE = { running: 0, runnable: 1, blocked: 2, offline: 3 } as const;

export const vcpuOp: HcFn = (x, cmd, vcpuid, arg) => {
  const dom = x.dom, g = x.g;
  const target = dom.vcpus[vcpuid >>> 0];
  if (!target) return -E.ENOENT;
  const self = target === x.v;
  switch (cmd) {
    case VCPUOP.initialise: return vcpuInitialise(x, target, arg);
    case VCPUOP.up:
      if (!target.initialised) return -E.EINVAL;
      if (target.state === 'offline') x.hv.wakeVcpu(target);
      return 0;
    case VCPUOP.down:
      x.hv.downVcpu(target);
      return 0;
    case VCPUOP.is_up: return target.state === 'offline' ? 0 : 1;
    case VCPUOP.get_runstate_info: {
      const state = target === x.v ? RUNSTATE.running : target.state === 'offline' ? RUNSTATE.offline
        : target.state === 'runnable' ? RUNSTATE.runnable : RUNSTATE.blocked;
      const b = new Uint8Array(44);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, state, true);
      dv.setFloat64(4, 0, true);
      // state_entry_time and the four time[] buckets: running time is what we count.
      dv.setUint32(4, x.hv.time.now % 4294967296, true);
      dv.setUint32(8, Math.floor(x.hv.time.now / 4294967296), true);
      dv.setUint32(12, target.cpuTimeNs % 4294967296, true);
      dv.setUint32(16, Math.floor(target.cpuTimeNs / 4294967296), true);
      return g.write(arg, b) ? 0 : -E.EFAULT;
    }
    case VCPUOP.set_periodic_timer: {
      const lo = g.u32(arg), hi = g.u32(arg + 4);
      if (!g.ok) return -E.EFAULT;
      const period = (hi >>> 0) * 4294967296 + (lo >>> 0);
      if (period < MILLISECOND) return -E.EINVAL;
      target.periodicPeriod = period;
      target.periodicNext = x.hv.time.now + period;
      return 0;
    }
    case VCPUOP.stop_periodic_timer:
      target.periodicPeriod = 0;
      target.periodicNext = 0;
      return 0;
    case VCPUOP.set_singleshot_timer: {
      if (!self) return -E.EINVAL;
      const lo = g.u32(arg), hi = g.u32(arg + 4);
      if (!g.ok) return -E.EFAULT;
      // A time already passed fires at once (VCPU_SSHOTTMR_future is not enforced, as in Xen).
      target.singleshot = Math.max((hi >>> 0) * 4294967296 + (lo >>> 0), 1);
      return 0;
    }
    case VCPUOP.stop_singleshot_timer:
      if (!self) return -E.EINVAL;
      target.singleshot = 0;
      return 0;
    case VCPUOP.register_vcpu_info: {
      const mfnLo = g.u32(arg), mfnHi = g.u32(arg + 4), offset = g.u32(arg + 8);
      if (!g.ok) return -E.EFAULT;
      if (target.vcpuInfoRegistered) return -E.EBUSY;
      if (mfnHi !== 0 || (offset & 3) !== 0 || offset >>> 0 > 4096 - SHINFO.VCPU_INFO_SIZE) return -E.ENXIO;
      const err = x.hv.moveVcpuInfo(dom, target, mfnLo >>> 0, offset >>> 0);
      return err;
    }
    case VCPUOP.send_nmi: return arg !== 0 ? -E.EINVAL : -E.ENOSYS;
    default: return -E.ENOSYS;
  }
};
