// Runs one Machine in the worker: builds it over the memory the UI already shares,
// boots a guest, and runs it in slices of about SLICE_MS of wall time so that
// messages (keystrokes, commands) are handled between slices. The instruction
// budget of a slice adapts to how fast the last ones ran.
//
// Pacing: the core reads no clock (DESIGN.md principle 2). Here, the worker may:
// before each slice it lets the hypervisor skip idle time only up to the virtual
// time that corresponds to the wall time since boot (hv.timeLimit), so a guest
// that sleeps 10 ms sleeps 10 ms of real time, and one waiting for input costs
// a tick every STATS_MS (retiring nothing) until input comes.
//
// Output is batched: console bytes gathered during a slice go out as one message
// per (source, domain), followed by changed domain states. Nothing a guest does
// may kill the worker: a crash is a domain state; an exception from the core is
// our own bug, which stops the machine and is reported, and the worker lives on.
import { Machine } from '../machine/machine';
import type { MachineMemory } from '../mem/memory';
import type { RunOutcome } from '../hv/hypervisor';
import { HypervisorBug } from '../shared/bugs';
import { PROTOCOL_VERSION, type DomainInfo, type MachinePhase, type WorkerToUi } from '../protocol/messages';

/** Wall time one slice aims for, in ms. */
export const SLICE_MS = 1;
export const MIN_BUDGET = 5_000;
export const MAX_BUDGET = 20_000_000;
const START_BUDGET = 50_000;
/** How long to sleep when every vcpu waits for a timer that lies in the (wall-clock) future. */
export const WAIT_MS = 4;
/** How often the stats message goes out while the machine runs. */
export const STATS_MS = 250;

export interface RunnerHost {
  post(message: WorkerToUi): void;
  /** Wall-clock milliseconds (performance.now in the worker). */
  now(): number;
  /** Run fn after delayMs (0: as soon as pending messages are handled). Returns a cancel function. */
  schedule(fn: () => void, delayMs: number): () => void;
}

export interface GuestImage {
  name: string;
  kernel: Uint8Array;
  memMiB: number;
  cmdline: string;
}

export class MachineRunner {
  private readonly host: RunnerHost;
  private readonly mem: MachineMemory;
  private machine: Machine | null = null;
  /** Set once a machine has used the memory: the next boot clears it first. */
  private dirty = false;
  private phase: MachinePhase | null = null;
  private cancel: (() => void) | null = null;
  private budget = START_BUDGET;
  private startedMs = 0;
  private startNs = 0;
  private lastStatsMs = 0;
  private readonly guestOut = new Map<number, Uint8Array[]>();
  private readonly xenOut = new Map<number, Uint8Array[]>();
  private readonly domainSig = new Map<number, string>();

  constructor(host: RunnerHost, mem: MachineMemory) {
    this.host = host;
    this.mem = mem;
  }

  get running(): boolean {
    return this.phase === 'running';
  }

  /** Instructions per slice at the moment (for tests and the curious). */
  get sliceBudget(): number {
    return this.budget;
  }

  /** Stop whatever runs; the machine is dropped. */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.machine = null;
    this.phase = null;
  }

  /** Say that a boot is under way (while the image is fetched). */
  booting(): void {
    this.stop();
    this.setPhase('booting');
  }

  /** Build a fresh machine and start the guest. Failures are reported, never thrown. */
  boot(image: GuestImage): void {
    this.stop();
    this.setPhase('booting');
    if (this.dirty) new Uint8Array(this.mem.buffer).fill(0);
    this.dirty = true;
    this.guestOut.clear();
    this.xenOut.clear();
    this.domainSig.clear();
    try {
      const m = new Machine({ ramMiB: this.mem.ramBytes >> 20, memory: this.mem }, {
        guestConsole: (domid, bytes) => collect(this.guestOut, domid, bytes),
        hvConsole: (domid, bytes) => collect(this.xenOut, domid, bytes),
      });
      m.createGuest({ name: image.name, kernel: image.kernel, memMiB: image.memMiB, cmdline: image.cmdline });
      this.machine = m;
    } catch (e) {
      this.flush();
      this.fail(`could not boot ${image.name}: ${describe(e)}`);
      return;
    }
    this.budget = START_BUDGET;
    this.startedMs = this.host.now();
    this.startNs = this.machine.hv.time.now;
    this.lastStatsMs = this.startedMs;
    this.setPhase('running');
    this.flush();
    this.later(0);
  }

  /** Keystrokes for a domain's console; wakes the machine at once. */
  type(domid: number, bytes: Uint8Array): void {
    if (!this.machine || this.phase !== 'running') return;
    this.machine.consoles.type(domid, bytes);
    this.later(0);
  }

  private later(delayMs: number): void {
    this.cancel?.();
    this.cancel = this.host.schedule(() => this.step(), delayMs);
  }

  private step(): void {
    this.cancel = null;
    const m = this.machine;
    if (!m || this.phase !== 'running') return;
    const t0 = this.host.now();
    m.hv.timeLimit = this.startNs + (t0 - this.startedMs) * 1e6;
    const before = m.executed;
    let outcome: RunOutcome;
    try {
      outcome = m.run(this.budget);
    } catch (e) {
      this.flush();
      this.fail(e instanceof HypervisorBug ? `hypervisor bug: ${e.message}` : `internal error in the machine: ${describe(e)}`);
      return;
    }
    const t1 = this.host.now();
    if (outcome === 'budget') this.adapt(m.executed - before, t1 - t0);
    this.flush();
    if (t1 - this.lastStatsMs >= STATS_MS) this.stats(t1);
    switch (outcome) {
      case 'budget':
        this.later(0);
        return;
      case 'waiting':
        this.later(WAIT_MS);
        return;
      case 'idle':
        // Every vcpu waits for an event only input can bring: type() wakes us at
        // once. Until then a slow tick lets virtual time (a guest's clock, the
        // status bar) follow the wall clock; each tick retires nothing.
        this.stats(t1);
        this.later(STATS_MS);
        return;
      case 'stopped':
        this.stats(t1);
        this.setPhase('stopped');
        this.machine = null;
        return;
    }
  }

  /** Aim the next slice at SLICE_MS of wall time, moving halfway from the current budget. */
  private adapt(retired: number, ms: number): void {
    const target = ms > 0 ? (retired * SLICE_MS) / ms : this.budget * 2;
    this.budget = Math.round(Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, (this.budget + target) / 2)));
  }

  private flush(): void {
    for (const [source, out] of [['guest', this.guestOut], ['xen', this.xenOut]] as const) {
      for (const [domid, chunks] of out) {
        this.host.post({ v: PROTOCOL_VERSION, type: 'console', source, domid, data: concat(chunks) });
      }
      out.clear();
    }
    const m = this.machine;
    if (!m) return;
    for (const dom of m.hv.domains.values()) {
      const info: DomainInfo = {
        domid: dom.id, name: dom.name, state: dom.state, shutdownReason: dom.shutdownReason, crashReason: dom.crashReason,
      };
      const sig = `${info.state}|${info.shutdownReason}|${info.crashReason}`;
      if (this.domainSig.get(dom.id) === sig) continue;
      this.domainSig.set(dom.id, sig);
      this.host.post({ v: PROTOCOL_VERSION, type: 'domain', domain: info });
    }
  }

  private stats(nowMs: number): void {
    const m = this.machine;
    if (!m) return;
    this.lastStatsMs = nowMs;
    this.host.post({
      v: PROTOCOL_VERSION, type: 'stats', instructions: m.executed, systemTimeNs: m.hv.time.now, wallMs: nowMs - this.startedMs,
    });
  }

  private fail(message: string): void {
    this.stop();
    this.setPhase('failed', message);
  }

  private setPhase(phase: MachinePhase, message?: string): void {
    this.phase = phase;
    this.host.post({ v: PROTOCOL_VERSION, type: 'machine', phase, ...(message !== undefined ? { message } : {}) });
  }
}

function collect(out: Map<number, Uint8Array[]>, domid: number, bytes: Uint8Array): void {
  let chunks = out.get(domid);
  if (!chunks) out.set(domid, (chunks = []));
  // Copy: the producer may reuse its buffer.
  chunks.push(bytes.slice());
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
