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
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { ConsoleRing } from '../dom0/xl/dmesg';
import { XlShell, type XlResult } from '../dom0/xl/shell';
import type { StoreClient } from '../dom0/toolstack/store';
import type { BuildRequest } from '../dom0/toolstack/toolstack';
import { buildDomain, type BuildConfig, type BuiltDomain } from './builder';
import { ImageStore } from './snapshot/images';
import { Scrollback } from './snapshot/scrollback';
import { breakMark } from './snapshot/breaks';
import { applyInput, xlChangesState, type Input, type LogEntry, type Stamp } from './snapshot/log';
import { saveMachine, type SnapshotOptions } from './snapshot/save';
import { restoreMachine, type RestoreOptions } from './snapshot/restore';

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
  /** Where output goes; replaceable (the worker's timeline silences it while a seek replays). */
  events: MachineEvents;
  /** Guest images given to this machine, by content id (snapshot/images.ts). */
  readonly images = new ImageStore();
  /** The last bytes each guest's console printed, for repainting terminals after a restore. */
  readonly scrollback = new Scrollback();
  /** Every outside input taken through input(), stamped (snapshot/log.ts). */
  readonly log: LogEntry[] = [];
  /** False for a machine restored from a snapshot: its log starts there, not at boot. */
  logFromBoot = true;
  /** How the last run() ended; null after an input (see Stamp.settled). */
  private outcome: RunOutcome | null = null;
  /** Domain 0's own xenstore connection, used by the toolstack and the shell. */
  private readonly store: StoreClient;
  private xlShell: XlShell | null = null;

  constructor(cfg: MachineConfig, events: MachineEvents = {}) {
    this.events = events;
    this.mem = cfg.memory ?? MachineMemory.create({ ramMiB: cfg.ramMiB, vcpus: cfg.maxVcpus ?? 8 });
    this.hv = new Hypervisor(this.mem, {
      console: (domid, bytes) => {
        this.dmesg.append(domid, bytes);
        this.events.hvConsole?.(domid, bytes);
      },
      shutdown: (dom) => {
        this.shutdowns.push(dom.id);
        this.toolstack.onShutdown(dom);
        this.events.shutdown?.(dom);
      },
    });
    // Domain 0's event-channel endpoint: a private shared_info page (it has no RAM of its own).
    this.dom0Events = SharedInfoView.standalone(1);
    this.hv.evtchn.addDomain(0, { nrVcpus: 1, memory: this.dom0Events, privileged: true });
    this.consoles = new ConsoleBackend(this.hv, (domid, bytes) => {
      this.scrollback.append(domid, bytes);
      this.events.guestConsole?.(domid, bytes);
    });
    this.xenstore = new XenstoreService(this.hv);
    // The first xenstored connection: snapshots rely on it being the toolstack's (xenstore/state.ts).
    this.store = xenstoredClient(this.xenstore.xs);
    this.toolstack = new Toolstack({
      hv: this.hv,
      store: this.store,
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
   * `xl create` uses xl's defaults instead. An input: it goes into the log.
   */
  createGuest(cfg: GuestConfig): BuiltDomain {
    const kernel = this.images.add(cfg.kernel, cfg.name);
    const ramdisk = cfg.ramdisk ? this.images.add(cfg.ramdisk, `${cfg.name}.initrd`) : undefined;
    return this.input({
      kind: 'guest', name: cfg.name, kernel, ...(ramdisk ? { ramdisk } : {}), memMiB: cfg.memMiB,
      vcpus: cfg.vcpus ?? 1, cmdline: cfg.cmdline ?? '', ...(cfg.domid !== undefined ? { domid: cfg.domid } : {}),
    }) as BuiltDomain;
  }

  /** The domain builder the toolstack uses (applyInput passes it for createGuest). */
  build(req: BuildRequest): BuiltDomain {
    return buildDomain(this.hv, req);
  }

  /** Keep an image and make it readable by `xl create` under `path`; returns its id. An input. */
  addFile(path: string, bytes: Uint8Array): string {
    const image = this.images.add(bytes, path);
    this.input({ kind: 'file', path, image });
    return image;
  }

  /** Keystrokes for a guest's console. An input. */
  type(domid: number, bytes: Uint8Array): void {
    this.input({ kind: 'console', domid, data: bytes.slice() });
  }

  /** Run a Domain-0 shell command line (xl ..., xenstore-...); logged when it changes anything. */
  exec(line: string): XlResult {
    if (!xlChangesState(line)) return this.shell.exec(line);
    return this.input({ kind: 'xl', line }) as XlResult;
  }

  /** Domain 0's shell over this machine (files from addFile). */
  get shell(): XlShell {
    this.xlShell ??= new XlShell({
      hv: this.hv, toolstack: this.toolstack, store: this.store, dmesg: this.dmesg, readFile: (p) => this.images.file(p),
    });
    return this.xlShell;
  }

  /** Where the machine stands, as an input now would be stamped. */
  stamp(): Stamp {
    const o = this.outcome;
    const s: Stamp = { at: this.executed, time: this.hv.time.now, settled: o === 'waiting' || o === 'idle' || o === 'stopped' };
    const brk = o === 'break' ? breakMark(this) : undefined;
    if (brk) s.brk = brk;
    return s;
  }

  /**
   * Take an outside input: stamp it, log it, apply it, then run a service point
   * so the guest sees it at once (snapshot/log.ts). Failures are thrown after
   * being logged (a replay fails the same way).
   */
  input(e: Input): ReturnType<typeof applyInput> {
    this.log.push({ ...e, ...this.stamp() });
    this.outcome = null;
    try {
      return applyInput(this, e);
    } finally {
      this.service();
    }
  }

  /** A snapshot of every layer (snapshot/save.ts; docs/snapshots.md). */
  snapshot(opts: SnapshotOptions = {}): Uint8Array {
    return saveMachine(this, opts);
  }

  /** A machine from a snapshot; a SnapshotError if it cannot be, with any existing machine untouched. */
  static restore(bytes: Uint8Array, opts: RestoreOptions = {}): Machine {
    return restoreMachine(bytes, opts, (cfg, events) => new Machine(cfg, events));
  }

  /** Machine-level state the snapshot code saves and restores. */
  internals(): { dom0Events: SharedInfoView; shutdowns: number[]; outcome: RunOutcome | null; setOutcome(o: RunOutcome | null): void } {
    return { dom0Events: this.dom0Events, shutdowns: this.shutdowns, outcome: this.outcome, setOutcome: (o) => { this.outcome = o; } };
  }

  /**
   * Run up to `budget` instructions, servicing the backends every
   * SERVICE_INTERVAL instructions and whenever every vcpu waits. Idle time is
   * skipped here, not in the hypervisor, and only after that service point, so
   * where services happen depends on the guest alone, never on how far an
   * embedder lets idle time run (hv.timeLimit): a paced run and an unpaced one
   * are the same machine at the same instruction count. 'idle', 'waiting',
   * 'stopped' and 'break' as Hypervisor.run; skipped time uses the budget one
   * unit per ns. A record written by a service (dom0 notifying a guest) that
   * matches the breakpoint also ends the run with 'break', after that service.
   * Breaking adds no service and skips none, so the guest sees the same machine.
   */
  run(budget: number): RunOutcome {
    this.outcome = this.runSlices(budget);
    return this.outcome;
  }

  private runSlices(budget: number): RunOutcome {
    this.hv.takeBreak();
    let left = budget;
    // Whole nanoseconds: an embedder's wall-clock limit may have a fraction.
    const budgetLimit = this.hv.timeLimit;
    const limit = Math.floor(budgetLimit);
    while (left > 0) {
      // Backends are serviced when the machine-wide instruction count crosses a
      // multiple of SERVICE_INTERVAL, so what a guest sees of them does not
      // depend on how the host slices its calls to run().
      const now = this.executed;
      const boundary = (Math.floor(now / SERVICE_INTERVAL) + 1) * SERVICE_INTERVAL;
      // The hypervisor may not skip idle time itself: it returns when all wait.
      this.hv.timeLimit = this.hv.time.now;
      let outcome: RunOutcome;
      try {
        outcome = this.hv.run(Math.min(left, boundary - now));
      } finally {
        this.hv.timeLimit = budgetLimit;
      }
      const did = this.executed - now;
      left -= did;
      if (this.executed >= boundary) this.service();
      if (outcome === 'break') {
        this.hv.takeBreak();
        return 'break';
      }
      if (outcome === 'budget') {
        if (this.hv.takeBreak()) return 'break';
        if (did === 0) return 'budget';
        continue;
      }
      // Everyone waits: dom0's services run, as a real dom0 would get the CPU now.
      this.service();
      if (this.hv.takeBreak()) return 'break';
      if (this.hv.runnable) {
        if (did === 0) left--;
        continue;
      }
      if (outcome === 'stopped') return 'stopped';
      // Skip to the next timer of a guest or of dom0 (the toolstack's shutdown
      // timeout), unless the embedder's limit comes first.
      const t = Math.min(this.hv.nextDeadline(), this.toolstack.nextDeadline);
      if (t === Infinity || t > limit) {
        // Only outside input can wake anyone, or not yet: a paced clock still moves.
        if (limit !== Infinity) this.hv.time.skipTo(limit);
        return t === Infinity ? 'idle' : 'waiting';
      }
      left -= Math.max(1, Math.ceil((t - this.hv.time.now) / NS_PER_INSN));
      this.hv.time.skipTo(t);
      // A dom0 timer fires at its own time: the toolstack acts before the guests go on.
      this.service();
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
