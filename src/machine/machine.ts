// The facade the worker, the CLI and the tests use: one machine (memory, the
// hypervisor, domain 0's services) that creates guests from PV kernel images
// and runs them in slices. Domain 0 is not emulated x86: it is the TypeScript
// services here, with domid 0, that own the backends (DESIGN.md).
import { MachineMemory } from '../mem/memory';
import { Hypervisor, type RunOutcome } from '../hv/hypervisor';
import type { Domain } from '../hv/domain';
import { SharedInfoView } from '../hv/evtchn/memory';
import { ConsoleBackend } from '../dom0/console/backend';
import { buildDomain, type BuildConfig, type BuiltDomain } from './builder';

export interface MachineConfig {
  /** Machine RAM in MiB (all domains' memory comes from it). */
  ramMiB: number;
  /** Register files to reserve: the most vcpus all domains together may have. */
  maxVcpus?: number;
  /**
   * Memory to build the machine in (the worker passes the one it shared with the UI
   * at hello); it must be all zeroes, as a fresh one is. ramMiB and maxVcpus are then
   * taken from it.
   */
  memory?: MachineMemory;
}

export interface MachineEvents {
  /** The hypervisor console: console_io from any domain, and hypervisor messages (domid -1). */
  hvConsole?(domid: number, bytes: Uint8Array): void;
  /** A guest's PV console (hvc0) output. */
  guestConsole?(domid: number, bytes: Uint8Array): void;
  /** A domain shut down; reason is a SHUTDOWN_* code. */
  shutdown?(dom: Domain): void;
}

export type GuestConfig = Omit<BuildConfig, 'domid'> & { domid?: number };

/** How many instructions run between two services of the backends. */
export const SERVICE_INTERVAL = 100_000;

export class Machine {
  readonly mem: MachineMemory;
  readonly hv: Hypervisor;
  readonly consoles: ConsoleBackend;
  private nextDomid = 1;

  constructor(cfg: MachineConfig, events: MachineEvents = {}) {
    this.mem = cfg.memory ?? MachineMemory.create({ ramMiB: cfg.ramMiB, vcpus: cfg.maxVcpus ?? 8 });
    this.hv = new Hypervisor(this.mem, {
      console: (domid, bytes) => events.hvConsole?.(domid, bytes),
      shutdown: (dom) => events.shutdown?.(dom),
    });
    // Domain 0's event-channel endpoint: a private shared_info page (it has no RAM of its own).
    this.hv.evtchn.addDomain(0, { nrVcpus: 1, memory: SharedInfoView.standalone(1), privileged: true });
    this.consoles = new ConsoleBackend(this.hv, (domid, bytes) => events.guestConsole?.(domid, bytes));
  }

  /** Build a guest from a PV kernel image, connect its console, and start it. */
  createGuest(cfg: GuestConfig): BuiltDomain {
    const domid = cfg.domid ?? this.nextDomid;
    this.nextDomid = Math.max(this.nextDomid, domid + 1);
    const built = buildDomain(this.hv, { ...cfg, domid });
    const rc = this.consoles.attach(built.dom);
    if (rc < 0) throw new Error(`could not connect the console of ${cfg.name} (${rc})`);
    this.hv.unpause(built.dom);
    return built;
  }

  /**
   * Run up to `budget` instructions, servicing the backends every
   * SERVICE_INTERVAL instructions. 'idle' and 'stopped' as Hypervisor.run.
   */
  run(budget: number): RunOutcome {
    let left = budget;
    while (left > 0) {
      // Backends are serviced when the machine-wide instruction count crosses a
      // multiple of SERVICE_INTERVAL, so what a guest sees of them does not
      // depend on how the host slices its calls to run().
      const now = this.executed;
      const boundary = (Math.floor(now / SERVICE_INTERVAL) + 1) * SERVICE_INTERVAL;
      const outcome = this.hv.run(Math.min(left, boundary - now));
      const did = this.executed - now;
      left -= did;
      if (this.executed >= boundary) this.consoles.service();
      if (outcome !== 'budget') {
        // Everyone waits: the backends may have work that wakes a guest.
        this.consoles.service();
        if (!this.hv.runnable) return outcome;
      } else if (did === 0) {
        return 'budget';
      }
    }
    return 'budget';
  }

  /** Instructions retired by every vcpu so far. */
  get executed(): number {
    let n = 0;
    for (const v of this.hv.vcpus()) n += v.cpu.instructions;
    return n;
  }

  domain(domid: number): Domain | undefined {
    return this.hv.domains.get(domid);
  }
}
