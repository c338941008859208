// One domain's event-channel port table (Xen's struct evtchn array), as typed arrays so a
// snapshot is a handful of buffers. Port 0 is reserved at creation and never handed out; new
// ports are the lowest free one. Like Xen, ports are "valid" (known to the table) in buckets of
// 64 that are added when every valid port is in use and never removed: a port above the valid
// range gives -EINVAL where a free port inside it reads as closed (status) or is accepted and
// ignored (unmask). The per-port counters are ours, for the UI: they restart when a port is freed.
import { E, EVTCHN_2L_NR_CHANNELS, NR_VIRQS, VIRQ } from '../../abi/xen';
import type { EvtchnMemory } from './memory';

/** Channel states (Xen's ECS_*; not the EVTCHNSTAT_* numbers that status reports). */
export const ECS_FREE = 0, ECS_RESERVED = 1, ECS_UNBOUND = 2, ECS_INTERDOMAIN = 3, ECS_PIRQ = 4,
  ECS_VIRQ = 5, ECS_IPI = 6;

/** Xen allocates struct evtchn (64 bytes) in page-sized buckets. */
export const EVTCHNS_PER_BUCKET = 64;

/** Kinds of VIRQ (get_virq_type): bound per vcpu, to one handler domain, or per domain on vcpu 0. */
export const VIRQ_VCPU = 0, VIRQ_GLOBAL = 1, VIRQ_DOMAIN = 2;

export function virqType(virq: number): number {
  switch (virq) {
    case VIRQ.TIMER: case VIRQ.DEBUG: case VIRQ.XENOPROF: case VIRQ.XENPMU: return VIRQ_VCPU;
    case VIRQ.ARGO: return VIRQ_DOMAIN;
    default: return VIRQ_GLOBAL; // unassigned numbers and VIRQ_ARCH_* are global on x86
  }
}

export interface DomainEvtchnConfig {
  nrVcpus: number;
  memory: EvtchnMemory;
  /** A control domain passes Xen's XSM_TARGET checks for other domains (dom0). */
  privileged?: boolean;
  /** Highest port the domain may allocate (libxl's event_channels, default 1023). */
  maxPort?: number;
  /** Size of the domain's PIRQ space, only to choose between -EINVAL and -EPERM (default 56). */
  nrPirqs?: number;
}

export class PortTable {
  readonly nrVcpus: number;
  readonly memory: EvtchnMemory;
  readonly privileged: boolean;
  readonly maxPort: number;
  readonly nrPirqs: number;
  readonly state = new Uint8Array(EVTCHN_2L_NR_CHANNELS);
  readonly notifyVcpu = new Uint16Array(EVTCHN_2L_NR_CHANNELS);
  /** UNBOUND: the domain allowed to bind; INTERDOMAIN: the remote domain. */
  readonly remoteDom = new Uint16Array(EVTCHN_2L_NR_CHANNELS);
  readonly remotePort = new Uint16Array(EVTCHN_2L_NR_CHANNELS);
  readonly virq = new Uint8Array(EVTCHN_2L_NR_CHANNELS);
  /** virq_to_evtchn of each vcpu: [vcpu * NR_VIRQS + virq] = port, 0 when unbound. */
  readonly virqToPort: Uint16Array;
  /** EVTCHNOP_send issued through the port. */
  readonly sent = new Uint32Array(EVTCHN_2L_NR_CHANNELS);
  /** Notifications aimed at the port (set-pending attempts). */
  readonly raised = new Uint32Array(EVTCHN_2L_NR_CHANNELS);
  /** Of those, the ones that found the pending bit clear and set it. */
  readonly latched = new Uint32Array(EVTCHN_2L_NR_CHANNELS);
  /** Ports below this are valid (allocated buckets). */
  valid = EVTCHNS_PER_BUCKET;

  constructor(cfg: DomainEvtchnConfig) {
    this.nrVcpus = cfg.nrVcpus;
    this.memory = cfg.memory;
    this.privileged = cfg.privileged ?? false;
    this.maxPort = Math.min(cfg.maxPort ?? EVTCHN_2L_NR_CHANNELS - 1, EVTCHN_2L_NR_CHANNELS - 1);
    this.nrPirqs = cfg.nrPirqs ?? 56;
    this.virqToPort = new Uint16Array(cfg.nrVcpus * NR_VIRQS);
    this.state[0] = ECS_RESERVED;
  }

  isValid(port: number): boolean {
    return Number.isInteger(port) && port >= 0 && port < this.valid;
  }

  hasVcpu(vcpu: number): boolean {
    return Number.isInteger(vcpu) && vcpu >= 0 && vcpu < this.nrVcpus;
  }

  /**
   * get_free_port: the lowest free port, extending the valid range by a bucket when needed, or
   * -ENOSPC. The port stays FREE until the caller binds it, so a later refusal needs no undo
   * (the valid range stays extended, as in Xen).
   */
  allocate(): number {
    for (let port = 0; port <= this.maxPort; port++) {
      if (port < this.valid) {
        if (this.state[port] === ECS_FREE) return port;
        continue;
      }
      while (this.valid <= port) this.valid += EVTCHNS_PER_BUCKET;
      return port;
    }
    return -E.ENOSPC;
  }

  /** evtchn_free: clear the pending bit of a channel in use, back to FREE on vcpu 0. */
  free(port: number): void {
    if (this.state[port]! > ECS_RESERVED) this.memory.clearPending(port);
    this.state[port] = ECS_FREE;
    this.notifyVcpu[port] = 0;
    this.remoteDom[port] = 0;
    this.remotePort[port] = 0;
    this.virq[port] = 0;
    this.sent[port] = 0;
    this.raised[port] = 0;
    this.latched[port] = 0;
  }
}
