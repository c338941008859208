// Time as the guests see it: shared_info's wall clock, each vcpu's
// vcpu_time_info (both written with Xen's version protocol: odd while being
// written, so a guest that reads an odd or changed version reads again), and
// the timers (singleshot, periodic, SCHEDOP_poll timeouts) the run loop fires.
//
// Free functions over the Hypervisor rather than methods: the run loop calls
// fireTimers and nextDeadline at every exit, and they only read what the
// hypervisor exposes (its vcpus in scheduling order, its domains, the clock).
import { SHINFO, VCPUI, VIRQ, VTIME } from '../abi/xen';
import type { Domain } from './domain';
import type { Hypervisor } from './hypervisor';
import { TSC_MUL, TSC_SHIFT } from './time';
import type { Vcpu } from './vcpu';

/** shared_info's wall clock: the UTC time at system time 0. */
export function publishWallclock(hv: Hypervisor, dom: Domain): void {
  const dv = new DataView(hv.mem.buffer, dom.sharedInfoMfn * 4096);
  const ver = dv.getUint32(SHINFO.WC_VERSION, true);
  dv.setUint32(SHINFO.WC_VERSION, (ver + 1) | 1, true);
  dv.setUint32(SHINFO.WC_SEC, hv.time.wallclockBase >>> 0, true);
  dv.setUint32(SHINFO.WC_NSEC, 0, true);
  dv.setUint32(SHINFO.ARCH_WC_SEC_HI, Math.floor(hv.time.wallclockBase / 4294967296), true);
  dv.setUint32(SHINFO.WC_VERSION, (((ver + 1) | 1) + 1) >>> 0, true);
}

/** Publish system time to a vcpu's vcpu_time_info. */
export function updateTimeInfo(hv: Hypervisor, v: Vcpu): void {
  const m8 = v.cpu.m8, t = v.vcpuInfoAddr + VCPUI.TIME;
  const dv = new DataView(m8.buffer, m8.byteOffset);
  const ver = dv.getUint32(t + VTIME.VERSION, true);
  dv.setUint32(t + VTIME.VERSION, (ver + 1) | 1, true);
  const now = hv.time.now;
  setU64(dv, t + VTIME.TSC_TIMESTAMP, now);
  setU64(dv, t + VTIME.SYSTEM_TIME, now);
  dv.setUint32(t + VTIME.TSC_TO_SYSTEM_MUL, TSC_MUL, true);
  dv.setInt8(t + VTIME.TSC_SHIFT, TSC_SHIFT);
  dv.setUint8(t + VTIME.FLAGS, 1);
  dv.setUint32(t + VTIME.VERSION, (((ver + 1) | 1) + 1) >>> 0, true);
}

/** Fire timers that are due; wake pollers whose ports are pending or whose timeout passed. */
export function fireTimers(hv: Hypervisor): void {
  const now = hv.time.now;
  for (const v of hv.vcpus()) {
    const dom = hv.domains.get(v.domid);
    if (!dom || dom.state === 'dead' || dom.state === 'shutdown' || v.state === 'offline') continue;
    if (v.singleshot !== 0 && v.singleshot <= now) {
      v.singleshot = 0;
      hv.evtchn.sendVirq(v.domid, VIRQ.TIMER, v.id);
    }
    if (v.periodicPeriod !== 0 && v.periodicNext <= now) {
      v.periodicNext = now + v.periodicPeriod;
      hv.evtchn.sendVirq(v.domid, VIRQ.TIMER, v.id);
    }
    if (v.state === 'polling') {
      const m8 = v.cpu.m8;
      const deliverable = m8[v.vcpuInfoAddr] !== 0 && m8[v.vcpuInfoAddr + 1] === 0;
      if (deliverable || (v.pollDeadline !== 0 && v.pollDeadline <= now) || hv.evtchn.poll(v.domid, v.pollPorts) !== 0) {
        hv.wakeVcpu(v);
      }
    } else if (v.state === 'blocked' && v.cpu.m8[v.vcpuInfoAddr] !== 0) {
      hv.wakeVcpu(v);
    }
  }
}

/** The earliest timer deadline of any live vcpu, or Infinity. */
export function nextDeadline(hv: Hypervisor): number {
  let t = Infinity;
  for (const v of hv.vcpus()) {
    const dom = hv.domains.get(v.domid);
    if (!dom || dom.state !== 'running' || v.state === 'offline') continue;
    // A timer whose VIRQ_TIMER nobody has bound can wake nothing: it does not
    // count, so a guest that only waits for input is idle, not busy skipping.
    const heard = hv.evtchn.virqPort(v.domid, VIRQ.TIMER, v.id) !== 0;
    if (heard && v.singleshot !== 0) t = Math.min(t, v.singleshot);
    if (heard && v.periodicPeriod !== 0 && v.periodicNext !== 0) t = Math.min(t, v.periodicNext);
    if (v.state === 'polling' && v.pollDeadline !== 0) t = Math.min(t, v.pollDeadline);
  }
  return t;
}

function setU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v % 4294967296, true);
  dv.setUint32(off + 4, Math.floor(v / 4294967296), true);
}
