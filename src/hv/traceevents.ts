// The engines' reports, turned into trace records (src/shared/trace.ts says what
// each slot holds). The event-channel engine reports through an observer of plain
// numbers, so a send or notification writes its record without allocating; the
// grant engine's event objects come from map/unmap paths that allocate anyway.
import {
  TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND, TK_GNT_MAP, TK_GNT_UNMAP,
} from '../shared/trace';
import type { EvtchnObserver } from './evtchn/evtchn';
import type { GrantEvent } from './gnttab/events';
import type { Hypervisor } from './hypervisor';

/**
 * The vcpu of `dom` whose hypercall is being handled, or -1 when the record does
 * not come from one of its vcpus (domain 0's services, timers, the toolstack).
 */
export function actingVcpu(hv: Hypervisor, dom: number): number {
  const c = hv.current;
  return c !== null && c.domid === dom ? c.id : -1;
}

export function evtchnTracer(hv: Hypervisor): EvtchnObserver {
  const t = hv.trace;
  return {
    bound: (dom, port, ecs, vcpu, remoteDom, remotePort, virq) =>
      t.write(TK_EVT_BIND, dom, vcpu, port, ecs, remoteDom, remotePort, virq),
    closed: (dom, port) => t.write(TK_EVT_CLOSE, dom, actingVcpu(hv, dom), port),
    sent: (dom, port, remoteDom, remotePort) => t.write(TK_EVT_SEND, dom, actingVcpu(hv, dom), port, remoteDom, remotePort),
    pending: (dom, port, vcpu, latched, upcall) => t.write(TK_EVT_PENDING, dom, vcpu, port, latched ? 1 : 0, upcall ? 1 : 0),
  };
}

export function traceGrantEvent(hv: Hypervisor, e: GrantEvent): void {
  switch (e.kind) {
    case 'map':
    case 'unmap':
      hv.trace.write(e.kind === 'map' ? TK_GNT_MAP : TK_GNT_UNMAP, e.dom, actingVcpu(hv, e.dom), e.ref,
        e.granter, e.handle, e.mfn, e.flags);
      return;
    case 'copy':
    case 'grow':
      // No record kind: a copy shows as its grant_table_op hypercall, growth in the grant panel.
      return;
  }
}
