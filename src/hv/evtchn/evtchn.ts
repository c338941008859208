// Event channels, 2-level ABI: the engine behind event_channel_op (xen/common/event_channel.c,
// event_2l.c). The hypercall adapter copies the argument struct in, calls one method here with
// plain numbers, and copies the result out: methods that allocate a port return it (> 0) or a
// negative Xen errno; the others return 0 or -errno. Checks run in Xen's order (domain lookup,
// port allocation, permission...), so a guest sees the same errno Xen would give it.
// Refused or simplified, each on purpose:
// - bind_pirq: no domain has physical IRQs here, so -EINVAL beyond the PIRQ space, else -EPERM.
// - FIFO ABI: init_control and expand_array give -EOPNOTSUPP (Xen built without FIFO); guests
//   fall back to 2-level. set_priority gives -ENOSYS on a valid port, as under 2-level.
// - Global VIRQs (VIRQ_CONSOLE, VIRQ_DOM_EXC, ...) go to one handler domain, the hardware domain
//   (0) unless setGlobalVirqHandler says otherwise; anyone else binding one gets -EBUSY, as in
//   Xen. We raise none of them ourselves yet; domain 0's services may bind and raise them.
// - No Xen-internal consumers; reset of another domain needs a controller-paused target.
// Setting a port pending follows evtchn_2l_set_pending step by step (see setPending).
import { DOMID_SELF, E, EVTCHNSTAT, NR_VIRQS } from '../../abi/xen';
import { HypervisorBug } from '../../shared/bugs';
import {
  ECS_FREE, ECS_INTERDOMAIN, ECS_IPI, ECS_PIRQ, ECS_RESERVED, ECS_UNBOUND, ECS_VIRQ, PortTable,
  VIRQ_GLOBAL, VIRQ_VCPU, virqType, type DomainEvtchnConfig,
} from './ports';

export type { DomainEvtchnConfig } from './ports';

export interface EvtchnHooks {
  /** vcpu_kick: upcall_pending of this vcpu went from 0 to 1; wake it if it is blocked. */
  kick(dom: number, vcpu: number): void;
  /** evtchn_check_pollers: `port` of `dom` just became pending; wake vcpus polling it. */
  pollWake?(dom: number, port: number): void;
  /** Is `dom` paused by its controller (allows EVTCHNOP_reset from dom0)? Default: no. */
  controllerPaused?(dom: number): boolean;
  /** Every bind, close, send, notification and unmask, for the trace ring. */
  observer?: EvtchnObserver;
}

/**
 * What the engine reports as it happens. Plain numbers, not event objects: send and
 * set-pending run on every notification, and reporting them must not allocate.
 */
export interface EvtchnObserver {
  /** `port` of `dom` was bound (ECS_* `ecs`); remote end or virq where the state has one, else -1. */
  bound(dom: number, port: number, ecs: number, vcpu: number, remoteDom: number, remotePort: number, virq: number): void;
  closed(dom: number, port: number): void;
  /** `dom` sent on `port`; the notification goes to remoteDom:remotePort (-1, -1: nobody bound, dropped). */
  sent(dom: number, port: number, remoteDom: number, remotePort: number): void;
  /** A notification reached `port`: latched = the pending bit was clear; upcall = the vcpu was kicked. */
  pending(dom: number, port: number, vcpu: number, latched: boolean, upcall: boolean): void;
  /** An unmask, and whether it raised the vcpu's upcall (the trace ring shows that as the upcall). */
  unmasked?(dom: number, port: number, upcall: boolean): void;
}

/** evtchn_status output; fields not meaningful for the status are 0. */
export interface EvtchnStatusOut {
  status: number;
  vcpu: number;
  /** unbound.dom / interdomain.dom */
  dom: number;
  /** interdomain.port */
  port: number;
  /** pirq or virq */
  irq: number;
}

/** A port as the UI shows it. */
export interface PortView {
  port: number;
  status: number;
  vcpu: number;
  remoteDom: number;
  remotePort: number;
  virq: number;
  pending: boolean;
  masked: boolean;
  sent: number;
  raised: number;
  latched: number;
}

const ECS_TO_STATUS = [EVTCHNSTAT.closed, EVTCHNSTAT.closed, EVTCHNSTAT.unbound, EVTCHNSTAT.interdomain,
  EVTCHNSTAT.pirq, EVTCHNSTAT.virq, EVTCHNSTAT.ipi];

export class EventChannels {
  private readonly doms = new Map<number, PortTable>();
  /** global_virq_handlers: the domain bound to each global VIRQ, -1 = the hardware domain. */
  private readonly globalHandler = new Int32Array(NR_VIRQS).fill(-1);

  constructor(private readonly hooks: EvtchnHooks, private readonly hardwareDomain = 0) {}

  // ---- Domain lifecycle (called by the hypervisor, not by guests) ----

  addDomain(dom: number, cfg: DomainEvtchnConfig): void {
    if (this.doms.has(dom)) throw new HypervisorBug(`event channels of d${dom} already exist`);
    this.doms.set(dom, new PortTable(cfg));
  }

  hasDomain(dom: number): boolean {
    return this.doms.has(dom);
  }

  /** evtchn_destroy: close every port, highest first (remote ends revert to UNBOUND), forget it. */
  destroyDomain(dom: number): void {
    const d = this.doms.get(dom);
    if (!d) return;
    for (let port = d.valid - 1; port > 0; port--) this.closePort(dom, d, port);
    for (let virq = 0; virq < NR_VIRQS; virq++) if (this.globalHandler[virq] === dom) this.globalHandler[virq] = -1;
    this.doms.delete(dom);
  }

  /** set_global_virq_handler (XEN_DOMCTL_set_virq_handler). */
  setGlobalVirqHandler(dom: number, virq: number): number {
    if (!Number.isInteger(virq) || virq < 0 || virq >= NR_VIRQS || virqType(virq) !== VIRQ_GLOBAL) return -E.EINVAL;
    if (!this.doms.has(dom)) return -E.EINVAL;
    const current = this.handlerOf(virq);
    if (current === dom) return 0;
    const h = this.doms.get(current);
    if (h && h.virqToPort[virq]) return -E.EBUSY;
    this.globalHandler[virq] = dom;
    return 0;
  }

  // ---- EVTCHNOP_* ----

  /** EVTCHNOP_alloc_unbound: a port of `dom` that `remoteDom` may bind to. Returns the port. */
  allocUnbound(caller: number, dom: number, remoteDom: number): number {
    const id = this.resolve(caller, dom);
    const d = this.doms.get(id);
    if (!d) return -E.ESRCH;
    const port = d.allocate();
    if (port < 0) return port;
    if (!this.permitted(caller, id)) return -E.EPERM;
    d.state[port] = ECS_UNBOUND;
    d.remoteDom[port] = remoteDom === DOMID_SELF ? caller : remoteDom;
    this.bound(id, d, port);
    return port;
  }

  /** EVTCHNOP_bind_interdomain: connect a new local port to remoteDom's unbound remotePort. */
  bindInterdomain(caller: number, remoteDom: number, remotePort: number): number {
    const ld = this.doms.get(caller);
    if (!ld) throw new HypervisorBug(`d${caller} has no event channels`);
    const rid = this.resolve(caller, remoteDom);
    const rd = this.doms.get(rid);
    if (!rd) return -E.ESRCH;
    const lport = ld.allocate();
    if (lport < 0) return lport;
    if (!rd.isValid(remotePort)) return -E.EINVAL;
    if (rd.state[remotePort] !== ECS_UNBOUND || rd.remoteDom[remotePort] !== caller) return -E.EINVAL;
    ld.state[lport] = ECS_INTERDOMAIN;
    ld.remoteDom[lport] = rid;
    ld.remotePort[lport] = remotePort;
    rd.state[remotePort] = ECS_INTERDOMAIN;
    rd.remoteDom[remotePort] = caller;
    rd.remotePort[remotePort] = lport;
    this.bound(caller, ld, lport);
    // Notifications sent while the remote port was unbound were dropped; Xen makes up for them
    // by always raising the new local port.
    this.setPending(caller, ld, ld.notifyVcpu[lport]!, lport);
    return lport;
  }

  /** EVTCHNOP_bind_virq. */
  bindVirq(caller: number, virq: number, vcpu: number): number {
    const d = this.domain(caller);
    virq |= 0; // Xen reads both as int
    vcpu |= 0;
    if (virq < 0 || virq >= NR_VIRQS) return -E.EINVAL;
    const type = virqType(virq);
    if (type !== VIRQ_VCPU && vcpu !== 0) return -E.EINVAL;
    if (!d.hasVcpu(vcpu)) return -E.ENOENT;
    if (type === VIRQ_GLOBAL && this.handlerOf(virq) !== caller) return -E.EBUSY;
    if (d.virqToPort[vcpu * NR_VIRQS + virq]) return -E.EEXIST;
    const port = d.allocate();
    if (port < 0) return port;
    d.state[port] = ECS_VIRQ;
    d.notifyVcpu[port] = vcpu;
    d.virq[port] = virq;
    d.virqToPort[vcpu * NR_VIRQS + virq] = port;
    this.bound(caller, d, port);
    return port;
  }

  /** EVTCHNOP_bind_ipi: a port that notifies `vcpu` of the caller. */
  bindIpi(caller: number, vcpu: number): number {
    const d = this.domain(caller);
    if (!d.hasVcpu(vcpu)) return -E.ENOENT;
    const port = d.allocate();
    if (port < 0) return port;
    d.state[port] = ECS_IPI;
    d.notifyVcpu[port] = vcpu;
    this.bound(caller, d, port);
    return port;
  }

  /** EVTCHNOP_bind_pirq: refused, no domain here may use physical IRQs. */
  bindPirq(caller: number, pirq: number): number {
    const d = this.domain(caller);
    if (!Number.isInteger(pirq) || pirq < 0 || pirq >= d.nrPirqs) return -E.EINVAL;
    return -E.EPERM;
  }

  /** EVTCHNOP_close. */
  close(caller: number, port: number): number {
    const d = this.domain(caller);
    if (!d.isValid(port)) return -E.EINVAL;
    const s = d.state[port]!;
    if (s === ECS_FREE || s === ECS_RESERVED) return -E.EINVAL;
    this.closePort(caller, d, port);
    return 0;
  }

  /** EVTCHNOP_send. */
  send(caller: number, port: number): number {
    const d = this.domain(caller);
    if (!d.isValid(port)) return -E.EINVAL;
    switch (d.state[port]) {
      case ECS_INTERDOMAIN: {
        const rid = d.remoteDom[port]!, rport = d.remotePort[port]!;
        const rd = this.doms.get(rid);
        if (!rd) throw new HypervisorBug(`d${caller} port ${port} is connected to missing d${rid}`);
        this.sent(caller, d, port, rid, rport);
        this.setPending(rid, rd, rd.notifyVcpu[rport]!, rport);
        return 0;
      }
      case ECS_IPI:
        this.sent(caller, d, port, caller, port);
        this.setPending(caller, d, d.notifyVcpu[port]!, port);
        return 0;
      case ECS_UNBOUND:
        this.sent(caller, d, port, -1, -1); // nobody listens yet: silently dropped
        return 0;
      default:
        return -E.EINVAL;
    }
  }

  /** EVTCHNOP_status, filling `out`. */
  status(caller: number, dom: number, port: number, out: EvtchnStatusOut): number {
    const id = this.resolve(caller, dom);
    const d = this.doms.get(id);
    if (!d) return -E.ESRCH;
    if (!d.isValid(port)) return -E.EINVAL;
    if (!this.permitted(caller, id)) return -E.EPERM;
    const s = d.state[port]!;
    out.status = ECS_TO_STATUS[s]!;
    out.vcpu = d.notifyVcpu[port]!;
    out.dom = s === ECS_UNBOUND || s === ECS_INTERDOMAIN ? d.remoteDom[port]! : 0;
    out.port = s === ECS_INTERDOMAIN ? d.remotePort[port]! : 0;
    out.irq = s === ECS_VIRQ ? d.virq[port]! : 0;
    return 0;
  }

  /** EVTCHNOP_bind_vcpu: notify another vcpu from now on. */
  bindVcpu(caller: number, port: number, vcpu: number): number {
    const d = this.domain(caller);
    if (!d.hasVcpu(vcpu)) return -E.ENOENT;
    if (!d.isValid(port)) return -E.EINVAL;
    switch (d.state[port]) {
      case ECS_VIRQ:
        if (virqType(d.virq[port]!) === VIRQ_VCPU) return -E.EINVAL;
        break;
      case ECS_UNBOUND:
      case ECS_INTERDOMAIN:
        break;
      default:
        return -E.EINVAL;
    }
    d.notifyVcpu[port] = vcpu;
    return 0;
  }

  /** EVTCHNOP_unmask (evtchn_2l_unmask). */
  unmask(caller: number, port: number): number {
    const d = this.domain(caller);
    if (!d.isValid(port)) return -E.EINVAL;
    if (d.state[port]! <= ECS_RESERVED) return 0; // accepted, nothing to do
    const vcpu = d.notifyVcpu[port]!;
    const m = d.memory;
    let upcall = false;
    if (m.testAndClearMask(port) && m.isPending(port) && !m.testAndSetSelector(vcpu, port >>> 5)) {
      upcall = this.markEventsPending(caller, d, vcpu);
    }
    this.hooks.observer?.unmasked?.(caller, port, upcall);
    return 0;
  }

  /** EVTCHNOP_reset: close every port of `dom` (the caller itself, or a paused domain it controls). */
  reset(caller: number, dom: number): number {
    const id = this.resolve(caller, dom);
    const d = this.doms.get(id);
    if (!d) return -E.ESRCH;
    if (!this.permitted(caller, id)) return -E.EPERM;
    if (id !== caller && !this.hooks.controllerPaused?.(id)) return -E.EINVAL;
    for (let port = 1; port < d.valid; port++) {
      const s = d.state[port]!;
      if (s !== ECS_FREE && s !== ECS_RESERVED) this.closePort(id, d, port);
    }
    return 0;
  }

  /** EVTCHNOP_init_control / expand_array: the FIFO ABI is not offered. */
  initControl(): number {
    return -E.EOPNOTSUPP;
  }
  expandArray(): number {
    return -E.EOPNOTSUPP;
  }
  /** EVTCHNOP_set_priority: 2-level ports have no priority. */
  setPriority(caller: number, port: number): number {
    return this.domain(caller).isValid(port) ? -E.ENOSYS : -E.EINVAL;
  }

  // ---- What the hypervisor itself needs ----

  /**
   * Raise a VIRQ in `dom` (send_guest_vcpu_virq / send_guest_domain_virq). Per-vcpu VIRQs go
   * to `vcpu`'s binding; others to the vcpu-0 binding and its notify vcpu. Unbound: ignored.
   */
  sendVirq(dom: number, virq: number, vcpu = 0): void {
    const d = this.doms.get(dom);
    if (!d || !Number.isInteger(virq) || virq < 0 || virq >= NR_VIRQS) return;
    if (virqType(virq) === VIRQ_VCPU) {
      if (!d.hasVcpu(vcpu)) return;
      const port = d.virqToPort[vcpu * NR_VIRQS + virq]!;
      if (port) this.setPending(dom, d, vcpu, port);
    } else {
      const port = d.virqToPort[virq]!;
      if (port) this.setPending(dom, d, d.notifyVcpu[port]!, port);
    }
  }

  /** send_global_virq: raise a global VIRQ in its handler domain. */
  sendGlobalVirq(virq: number): void {
    if (virqType(virq) === VIRQ_GLOBAL) this.sendVirq(this.handlerOf(virq), virq);
  }

  /** Port bound to `virq` on `vcpu` of `dom` (vcpu 0 for non-per-vcpu VIRQs), 0 if none. */
  virqPort(dom: number, virq: number, vcpu = 0): number {
    const d = this.doms.get(dom);
    if (!d || virq < 0 || virq >= NR_VIRQS || !d.hasVcpu(vcpu)) return 0;
    return d.virqToPort[(virqType(virq) === VIRQ_VCPU ? vcpu : 0) * NR_VIRQS + virq]!;
  }

  /**
   * SCHEDOP_poll's test (evtchn_port_poll over the list): -EINVAL at the first port that is not
   * a channel in use, 1 at the first pending one, 0 if none is pending.
   */
  poll(dom: number, ports: ArrayLike<number>): number {
    const d = this.domain(dom);
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      if (!d.isValid(port) || d.state[port]! <= ECS_RESERVED) return -E.EINVAL;
      if (d.memory.isPending(port)) return 1;
    }
    return 0;
  }

  /** The ports of `dom` that are in use, with their counters, lowest first. */
  ports(dom: number): PortView[] {
    const d = this.doms.get(dom);
    const out: PortView[] = [];
    if (!d) return out;
    for (let port = 1; port < d.valid; port++) {
      const s = d.state[port]!;
      if (s === ECS_FREE) continue;
      out.push({
        port, status: ECS_TO_STATUS[s]!, vcpu: d.notifyVcpu[port]!,
        remoteDom: s === ECS_UNBOUND || s === ECS_INTERDOMAIN ? d.remoteDom[port]! : 0,
        remotePort: s === ECS_INTERDOMAIN ? d.remotePort[port]! : 0,
        virq: s === ECS_VIRQ ? d.virq[port]! : 0,
        pending: d.memory.isPending(port), masked: d.memory.isMasked(port),
        sent: d.sent[port]!, raised: d.raised[port]!, latched: d.latched[port]!,
      });
    }
    return out;
  }

  // ---- Snapshots (state.ts saves and checks; these only expose and install) ----

  /** Every domain's port table and the global VIRQ handlers. */
  snapshotView(): { doms: ReadonlyMap<number, PortTable>; globalHandler: Int32Array } {
    return { doms: this.doms, globalHandler: this.globalHandler };
  }

  /** Replace every table and the handlers with restored ones. */
  restoreTables(doms: ReadonlyMap<number, PortTable>, globalHandler: ArrayLike<number>): void {
    this.doms.clear();
    for (const [dom, t] of doms) this.doms.set(dom, t);
    this.globalHandler.set(globalHandler);
  }

  // ---- Internals ----

  /**
   * evtchn_2l_set_pending, in Xen's order: (1) test-and-set the pending bit, stop if it was set;
   * (2) if the port is unmasked and the selector bit of its word was clear on the target vcpu,
   * mark events pending on that vcpu; (3) wake pollers of the port.
   */
  private setPending(dom: number, d: PortTable, vcpu: number, port: number): void {
    d.raised[port]!++;
    const m = d.memory;
    if (m.testAndSetPending(port)) {
      this.hooks.observer?.pending(dom, port, vcpu, false, false);
      return;
    }
    d.latched[port]!++;
    let upcall = false;
    if (!m.isMasked(port) && !m.testAndSetSelector(vcpu, port >>> 5)) upcall = this.markEventsPending(dom, d, vcpu);
    this.hooks.observer?.pending(dom, port, vcpu, true, upcall);
    this.hooks.pollWake?.(dom, port);
  }

  /** vcpu_mark_events_pending: set upcall_pending; kick only when it was clear. */
  private markEventsPending(dom: number, d: PortTable, vcpu: number): boolean {
    if (d.memory.testAndSetUpcallPending(vcpu)) return false;
    this.hooks.kick(dom, vcpu);
    return true;
  }

  /** evtchn_close for a port known to be in use. */
  private closePort(dom: number, d: PortTable, port: number): void {
    switch (d.state[port]) {
      case ECS_FREE:
      case ECS_RESERVED:
        return;
      case ECS_VIRQ: {
        const virq = d.virq[port]!;
        const v = virqType(virq) === VIRQ_VCPU ? d.notifyVcpu[port]! : 0;
        if (d.virqToPort[v * NR_VIRQS + virq] !== port) throw new HypervisorBug(`d${dom} virq ${virq} table out of step with port ${port}`);
        d.virqToPort[v * NR_VIRQS + virq] = 0;
        break;
      }
      case ECS_INTERDOMAIN: {
        const rid = d.remoteDom[port]!, rport = d.remotePort[port]!;
        const rd = this.doms.get(rid);
        if (!rd || rd.state[rport] !== ECS_INTERDOMAIN || rd.remoteDom[rport] !== dom || rd.remotePort[rport] !== port) {
          throw new HypervisorBug(`d${dom} port ${port} and its remote end d${rid} port ${rport} disagree`);
        }
        d.free(port);
        rd.state[rport] = ECS_UNBOUND;
        rd.remoteDom[rport] = dom;
        rd.remotePort[rport] = 0;
        this.hooks.observer?.closed(dom, port);
        return;
      }
      case ECS_UNBOUND:
      case ECS_IPI:
      case ECS_PIRQ:
        break;
      default:
        throw new HypervisorBug(`d${dom} port ${port} in unknown state ${d.state[port]}`);
    }
    d.free(port);
    this.hooks.observer?.closed(dom, port);
  }

  private bound(dom: number, d: PortTable, port: number): void {
    const s = d.state[port]!;
    const remote = s === ECS_UNBOUND || s === ECS_INTERDOMAIN;
    this.hooks.observer?.bound(dom, port, s, d.notifyVcpu[port]!, remote ? d.remoteDom[port]! : -1,
      s === ECS_INTERDOMAIN ? d.remotePort[port]! : -1, s === ECS_VIRQ ? d.virq[port]! : -1);
  }

  /** Count a send and report where it goes (-1, -1: an unbound port, nobody hears it). */
  private sent(dom: number, d: PortTable, port: number, remoteDom: number, remotePort: number): void {
    d.sent[port]!++;
    this.hooks.observer?.sent(dom, port, remoteDom, remotePort);
  }

  private handlerOf(virq: number): number {
    const h = this.globalHandler[virq]!;
    return h >= 0 ? h : this.hardwareDomain;
  }

  /** Xen's XSM_TARGET default: a domain acts on itself; a control domain on anyone. */
  private permitted(caller: number, target: number): boolean {
    return caller === target || (this.doms.get(caller)?.privileged ?? false);
  }

  /** rcu_lock_domain_by_any_id's reading of DOMID_SELF. */
  private resolve(caller: number, dom: number): number {
    return dom === DOMID_SELF ? caller : dom;
  }

  /** The calling domain's table; a caller without one is our bug, not the guest's. */
  private domain(dom: number): PortTable {
    const d = this.doms.get(dom);
    if (!d) throw new HypervisorBug(`d${dom} has no event channels`);
    return d;
  }
}
