// The facade the worker, the CLI and the tests use: one machine (memory, the
// hypervisor, domain 0's services) that creates guests from PV kernel images
// and runs them in slices. Domain 0 is not emulated x86: it is the TypeScript
// services here, with domid 0, that own the backends (DESIGN.md).
import { MachineMemory } from '../mem/memory';
import { Hypervisor, type RunOutcome } from '../hv/hypervisor';
import { NS_PER_INSN } from '../hv/time';
import type { Domain } from '../hv/domain';
import { SharedInfoView } from '../hv/evtchn/memory';
import { ConsoleBackend } from '../dom0/console/backend';
import { XenstoreService } from '../dom0/xenstore/ring';
import type { Xenstored } from '../dom0/xenstore/xenstored';
import { Toolstack } from '../dom0/toolstack/toolstack';
import { defaultConfig } from '../dom0/toolstack/config';
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { ConsoleRing } from '../dom0/xl/dmesg';
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
  /** xenstored: the store engine (xenstore.xs) and every guest's ring. */
  readonly xenstore: XenstoreService;
  /** Domain 0's event-channel page: guests' notifications to dom0's services land here. */
  private readonly dom0Events: SharedInfoView;
  /** Domains that shut down during a run; xenstored hears of them at the next service point. */
  private readonly shutdowns: number[] = [];
  /** The toolstack (libxl + xl): every guest is created, shut down and destroyed through it. */
  readonly toolstack: Toolstack;
  /** The hypervisor console buffer `xl dmesg` shows. */
  readonly dmesg = new ConsoleRing();

  constructor(cfg: MachineConfig, events: MachineEvents = {}) {
    this.mem = cfg.memory ?? MachineMemory.create({ ramMiB: cfg.ramMiB, vcpus: cfg.maxVcpus ?? 8 });
    this.hv = new Hypervisor(this.mem, {
      console: (domid, bytes) => {
        this.dmesg.append(domid, bytes);
        events.hvConsole?.(domid, bytes);
      },
      shutdown: (dom) => {
        this.shutdowns.push(dom.id);
        this.toolstack.onShutdown(dom);
        events.shutdown?.(dom);
      },
    });
    // Domain 0's event-channel endpoint: a private shared_info page (it has no RAM of its own).
    this.dom0Events = SharedInfoView.standalone(1);
    this.hv.evtchn.addDomain(0, { nrVcpus: 1, memory: this.dom0Events, privileged: true });
    this.consoles = new ConsoleBackend(this.hv, (domid, bytes) => events.guestConsole?.(domid, bytes));
    this.xenstore = new XenstoreService(this.hv);
    this.toolstack = new Toolstack({
      hv: this.hv,
      store: xenstoredClient(this.xenstore.xs),
      build: (req) => buildDomain(this.hv, req),
      consoles: this.consoles,
      seed: `pvplay ram=${this.mem.layout.ramBytes} vcpus=${this.mem.layout.vcpus}`,
      log: (line) => this.hv.message(line),
    });
  }

  /** The xenstore engine (dom0's API: xs.write(0, path, value), xs.watch(0, ...), ...). */
  get xs(): Xenstored {
    return this.xenstore.xs;
  }

  /**
   * Build a guest from a PV kernel image and start it, through the toolstack (so
   * it gets libxl's xenstore layout, is introduced to xenstored and has its
   * console connected). A domain made this way is kept after it shuts down
   * (on_poweroff/on_reboot/on_crash = preserve), as callers of this API expect;
   * `xl create` uses xl's defaults instead.
   */
  createGuest(cfg: GuestConfig): BuiltDomain {
    let built: BuiltDomain | undefined;
    const dc = {
      ...defaultConfig(cfg.name, cfg.name), cmdline: cfg.cmdline ?? '', memory: cfg.memMiB, maxmem: cfg.memMiB,
      vcpus: cfg.vcpus ?? 1, maxvcpus: cfg.vcpus ?? 1, onPoweroff: 'preserve', onReboot: 'preserve', onCrash: 'preserve',
    } as const;
    const build = (req: Parameters<typeof buildDomain>[1]): BuiltDomain => (built = buildDomain(this.hv, req));
    this.toolstack.create(dc, { kernel: cfg.kernel, ramdisk: cfg.ramdisk }, { domid: cfg.domid, build });
    return built!;
  }

  /**
   * Run up to `budget` instructions, servicing the backends every
   * SERVICE_INTERVAL instructions. 'idle', 'stopped' and 'break' as
   * Hypervisor.run; a record written by a service (dom0 notifying a guest) that
   * matches the breakpoint also ends the run with 'break', after that service.
   * Breaking adds no service and skips none, so the guest sees the same machine.
   */
  run(budget: number): RunOutcome {
    this.hv.takeBreak();
    let left = budget;
    while (left > 0) {
      // Backends are serviced when the machine-wide instruction count crosses a
      // multiple of SERVICE_INTERVAL, so what a guest sees of them does not
      // depend on how the host slices its calls to run().
      const now = this.executed;
      const boundary = (Math.floor(now / SERVICE_INTERVAL) + 1) * SERVICE_INTERVAL;
      // The toolstack's shutdown timeout is a dom0 timer. While one is pending,
      // hv.run may not skip idle time itself (it would jump straight to the
      // deadline): what dom0 has for the guests first, such as the watch event of
      // that very control/shutdown request, must reach them, and only a machine
      // that is still idle after a service point skips, to the next timer of a
      // guest or of dom0. It fires at its own virtual time whatever the host's slicing.
      const limit = this.hv.timeLimit;
      const dom0Timer = this.toolstack.nextDeadline < limit;
      if (dom0Timer) this.hv.timeLimit = this.hv.time.now;
      let outcome: RunOutcome;
      try {
        outcome = this.hv.run(Math.min(left, boundary - now));
      } finally {
        this.hv.timeLimit = limit;
      }
      const did = this.executed - now;
      left -= did;
      if (this.executed >= boundary) this.service();
      if (outcome === 'break') {
        this.hv.takeBreak();
        return 'break';
      }
      if (outcome !== 'budget') {
        // Everyone waits: the backends may have work that wakes a guest.
        this.service();
        if (!this.hv.runnable) {
          if (!dom0Timer || (outcome !== 'idle' && outcome !== 'waiting')) return this.hv.takeBreak() ? 'break' : outcome;
          // Skip as hv.run would have, stopping at the dom0 timer too; skipped
          // time uses the budget as it does there.
          const t = Math.min(this.hv.nextDeadline(), this.toolstack.nextDeadline);
          if (t === Infinity || t > limit) {
            if (limit !== Infinity) this.hv.time.skipTo(limit);
            if (this.hv.takeBreak()) return 'break';
            return t === Infinity ? 'idle' : 'waiting';
          }
          if (t > this.hv.time.now) {
            left -= Math.max(1, Math.ceil((t - this.hv.time.now) / NS_PER_INSN));
            this.hv.time.skipTo(t);
          }
          this.service();
          // A record of these services that matches ends the run where an unbroken one continues.
          if (this.hv.takeBreak()) return 'break';
          continue;
        }
      } else if (did === 0) {
        return this.hv.takeBreak() ? 'break' : 'budget';
      }
      if (this.hv.takeBreak()) return 'break';
    }
    return 'budget';
  }

  /**
   * A service point: take domain 0's pending event-channel ports (the backends
   * poll their rings anyway, so a port only says who to serve first), tell
   * xenstored of shutdowns, then serve the consoles and the xenstore rings.
   */
  private service(): void {
    this.dom0Events.takePending(0);
    for (const domid of this.shutdowns.splice(0)) this.xenstore.xs.domainShutdown(domid);
    this.toolstack.service();
    this.consoles.service();
    this.xenstore.service();
  }

  /** Instructions retired by every vcpu so far. */
  get executed(): number {
    return this.hv.executed;
  }

  domain(domid: number): Domain | undefined {
    return this.hv.domains.get(domid);
  }
}
