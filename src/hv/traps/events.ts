// Event upcalls (xen-pv32-abi.md 6.11). On every return to the guest, if its
// vcpu_info says an event is pending (evtchn_upcall_pending) and events are
// not masked (evtchn_upcall_mask), the guest is entered at its event callback
// with a bounce frame and events masked. Xen never clears upcall_pending or the
// selector itself: the guest's handler does. An upcall with no callback
// registered crashes the domain, which is why guests keep the mask set until
// they have registered one.
import { R } from '../../shared/layout';
import { TK_EVT_UPCALL } from '../../shared/trace';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { bounce } from './bounce';

/** Deliver a pending upcall if one is due. Returns a crash reason, or null. */
export function deliverEvents(hv: Hypervisor, dom: Domain, v: Vcpu): string | null {
  const m8 = v.cpu.m8, info = v.vcpuInfoAddr;
  // Checked after every exit: the nothing-due case stays this small so the run loop can inline it.
  if (m8[info] === 0 || m8[info + 1] !== 0) return null;
  return upcall(hv, dom, v);
}

function upcall(hv: Hypervisor, dom: Domain, v: Vcpu): string | null {
  if ((v.eventCs & 0xfffc) === 0) return 'event upcall pending but no event callback registered';
  hv.upcalls++;
  dom.upcalls++;
  const interrupted = v.cpu.r[R.EIP];
  const err = bounce(dom, v, { cs: v.eventCs, eip: v.eventEip, maskEvents: true }, -1);
  // Written once the frame is built, so a breakpoint on it stops before the callback runs.
  if (!err) hv.trace.write(TK_EVT_UPCALL, dom.id, v.id, 0, v.eventEip, interrupted);
  return err;
}
