// What the UI learns of the machine by message (the rest it reads from shared
// memory): each domain's description, its bound event-channel ports and the
// grants it has mapped, each sent when it changes; domain-gone when a domain
// is destroyed; and the changing counters with every stats message.
//
// Change detection is by signature strings, compared after every slice. They
// are short: the structural facts of a few domains and their dozen-odd ports.
// Vcpu run states flip between blocked and runnable hundreds of times a second,
// so they take part only in the full check made with each stats message, not
// in the one after each slice.
//
// Domain 0 is listed first, as `xl list` shows it: it is TypeScript services
// here, with no vcpus and no RAM, and its event page lives outside machine
// memory (sharedInfoMfn 0), but its ports are the backends' ends of every
// guest's console and xenstore channels.
import type { Domain } from '../hv/domain';
import type { Machine } from '../machine/machine';
import { allDomains, domInfo, stateLetters } from '../dom0/xl/format';
import { EVTCHNSTAT } from '../abi/xen';
import {
  PROTOCOL_VERSION,
  type DomainCounters,
  type DomainInfo,
  type GrantMapInfo,
  type PortInfo,
  type WorkerToUi,
} from '../protocol/messages';

const v = PROTOCOL_VERSION;

const PORT_STATES: Record<number, PortInfo['state']> = {
  [EVTCHNSTAT.closed]: 'reserved',
  [EVTCHNSTAT.unbound]: 'unbound',
  [EVTCHNSTAT.interdomain]: 'interdomain',
  [EVTCHNSTAT.pirq]: 'pirq',
  [EVTCHNSTAT.virq]: 'virq',
  [EVTCHNSTAT.ipi]: 'ipi',
};

export function describeDomain(m: Machine, d: Domain): DomainInfo {
  return {
    domid: d.id,
    name: d.name,
    state: d.state,
    shutdownReason: d.shutdownReason,
    crashReason: d.crashReason,
    maxMemKiB: d.maxPages * 4,
    memKiB: m.hv.mm.ft.pagesOf(d.id) * 4,
    sharedInfoMfn: d.sharedInfoMfn,
    grantFrames: [...m.hv.gnttab.frames(d.id)],
    vcpus: d.vcpus.map((vc) => ({
      id: vc.id,
      slot: vc.cpu.id,
      state: m.hv.onCpu === vc && vc.state === 'runnable' ? 'running' : vc.state,
      vcpuInfoAddr: vc.vcpuInfoAddr,
    })),
  };
}

export function dom0Description(): DomainInfo {
  return {
    domid: 0, name: 'Domain-0', state: 'running', shutdownReason: -1, crashReason: '',
    maxMemKiB: 0, memKiB: 0, sharedInfoMfn: 0, grantFrames: [], vcpus: [],
  };
}

export function portsOf(m: Machine, domid: number): PortInfo[] {
  return m.hv.evtchn.ports(domid).map((p) => {
    const state = PORT_STATES[p.status] ?? 'reserved';
    const remote = state === 'unbound' || state === 'interdomain';
    return {
      port: p.port,
      state,
      notifyVcpu: p.vcpu,
      remoteDom: remote ? p.remoteDom : -1,
      remotePort: state === 'interdomain' ? p.remotePort : -1,
      virq: state === 'virq' ? p.virq : -1,
    };
  });
}

export function grantMapsOf(m: Machine, domid: number): GrantMapInfo[] {
  return m.hv.gnttab.mappings(domid).map((g) => ({
    handle: g.handle, granter: g.granter, ref: g.ref, mfn: g.mfn, flags: g.flags, hostAddr: g.hostAddr,
  }));
}

/** xl list's changing columns for every domain, Domain-0 first. */
export function countersOf(m: Machine): DomainCounters[] {
  const out: DomainCounters[] = [];
  for (const i of allDomains(m.hv)) {
    const d = m.hv.domains.get(i.id);
    if (!d) {
      out.push({ domid: i.id, xlState: stateLetters(i), cpuTimeNs: i.cpuTimeNs, hypercalls: 0, upcalls: 0 });
      continue;
    }
    // 'r': a vcpu of it holds the CPU and may go on (xl shows dom0 there while it prints).
    const onCpu = m.hv.onCpu;
    const running = d.state === 'running' && onCpu !== null && onCpu.domid === d.id && onCpu.state === 'runnable';
    let hypercalls = 0;
    for (let n = 0; n < d.hypercalls.length; n++) hypercalls += d.hypercalls[n]!;
    out.push({ domid: d.id, xlState: stateLetters({ ...domInfo(m.hv, d), running }), cpuTimeNs: i.cpuTimeNs, hypercalls, upcalls: d.upcalls });
  }
  return out;
}

export class Publisher {
  private readonly post: (message: WorkerToUi) => void;
  private readonly domainSig = new Map<number, string>();
  private readonly portSig = new Map<number, string>();
  private readonly grantSig = new Map<number, string>();

  constructor(post: (message: WorkerToUi) => void) {
    this.post = post;
  }

  /** Forget what was sent (a new machine): everything is sent again at the next check. */
  reset(): void {
    this.domainSig.clear();
    this.portSig.clear();
    this.grantSig.clear();
  }

  /**
   * Send what changed. `full` also compares vcpu run states (with each stats
   * message); otherwise a domain goes out only when its structure changed.
   */
  check(m: Machine, full: boolean): void {
    const ids = [0, ...[...m.hv.domains.keys()].sort((a, b) => a - b)];
    for (const domid of [...this.domainSig.keys()]) {
      if (ids.includes(domid)) continue;
      this.domainSig.delete(domid);
      this.portSig.delete(domid);
      this.grantSig.delete(domid);
      this.post({ v, type: 'domain-gone', domid });
    }
    for (const domid of ids) {
      const d = m.hv.domains.get(domid);
      const info = d ? describeDomain(m, d) : dom0Description();
      const structure = `${info.state}|${info.shutdownReason}|${info.crashReason}|${info.name}|${info.maxMemKiB}|${info.memKiB}`
        + `|${info.sharedInfoMfn}|${info.grantFrames.join(',')}|${info.vcpus.map((vc) => `${vc.slot}@${vc.vcpuInfoAddr}`).join(',')}`;
      const old = this.domainSig.get(domid);
      const oldStructure = old?.slice(0, old.lastIndexOf('#'));
      if (old === undefined || oldStructure !== structure || full) {
        const sig = `${structure}#${info.vcpus.map((vc) => vc.state).join(',')}`;
        if (sig !== old) {
          this.domainSig.set(domid, sig);
          this.post({ v, type: 'domain', domain: info });
        }
      }
      this.checkPorts(m, domid);
      this.checkGrants(m, domid);
    }
  }

  private checkPorts(m: Machine, domid: number): void {
    const ports = portsOf(m, domid);
    const sig = ports.map((p) => `${p.port}:${p.state}:${p.notifyVcpu}:${p.remoteDom}:${p.remotePort}:${p.virq}`).join(' ');
    if (this.portSig.get(domid) === sig) return;
    this.portSig.set(domid, sig);
    this.post({ v, type: 'evtchn', domid, ports });
  }

  private checkGrants(m: Machine, domid: number): void {
    const maps = grantMapsOf(m, domid);
    const sig = maps.map((g) => `${g.handle}:${g.granter}:${g.ref}:${g.mfn}:${g.flags}:${g.hostAddr}`).join(' ');
    if (this.grantSig.get(domid) === sig) return;
    this.grantSig.set(domid, sig);
    this.post({ v, type: 'grant-maps', domid, maps });
  }
}
