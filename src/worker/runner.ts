// Runs one Machine in the worker: builds it over the memory the UI already shares,
// boots a guest, and runs it in slices of about SLICE_MS of wall time so that
// messages (keystrokes, commands) are handled between slices. The instruction
// budget of a slice adapts to how fast the last ones ran.
//
// Control: the machine runs, is paused at an instruction boundary, or steps a
// number of instructions (in slices, so a long step keeps the worker answering;
// Machine.run gives the same result however the host slices it). Time is paced
// against the wall clock by the speed factor (pacing.ts); the core reads no clock.
//
// After every slice: console bytes gathered during it go out as one message per
// (source, domain), then whatever changed in the domains (publish.ts), then the
// output of xl commands that follow. Nothing a guest does may kill the worker: a
// crash is a domain state; an exception from the core is our own bug, which
// stops the machine and is reported, and the worker lives on.
import type { Machine, MachineEvents } from '../machine/machine';
import type { MachineMemory } from '../mem/memory';
import type { RunOutcome } from '../hv/hypervisor';
import { NS_PER_INSN } from '../hv/time';
import { HypervisorBug } from '../shared/bugs';
import { PROTOCOL_VERSION, type MachinePhase, type PauseInfo, type WorkerToUi } from '../protocol/messages';
import { Pacer } from './pacing';
import { Publisher, countersOf } from './publish';
import { XlSession } from './xlsession';
import { scrollbackOf } from './scrollback';
import { Breaks, type StepUntil } from './breaks';
import { emptyMachine } from './seek';

/** Wall time one slice aims for, in ms. */
export const SLICE_MS = 1;
export const MIN_BUDGET = 5_000;
export const MAX_BUDGET = 20_000_000;
const START_BUDGET = 50_000;
/** How long to sleep when every vcpu waits for a timer that lies in the (wall-clock) future. */
export const WAIT_MS = 4;
/** How often the stats message goes out while the machine runs. */
export const STATS_MS = 250;

const v = PROTOCOL_VERSION;

export interface RunnerHost {
  post(message: WorkerToUi): void;
  /** Wall-clock milliseconds (performance.now in the worker). */
  now(): number;
  /** Run fn after delayMs (0: as soon as pending messages are handled). Returns a cancel function. */
  schedule(fn: () => void, delayMs: number): () => void;
}

export interface RunnerObserver {
  /** A new machine: built fresh, or adopted with a history of its own. */
  started(m: Machine): void;
  /** A slice ran (between slices the machine may be saved). */
  ran(m: Machine): void;
}

export interface GuestImage {
  name: string;
  kernel: Uint8Array;
  memMiB: number;
  cmdline: string;
  vcpus?: number;
  /** The file it came from, for xl's /boot (defaults to the name). */
  fileName?: string;
}

export class MachineRunner {
  private readonly host: RunnerHost;
  private readonly mem: MachineMemory;
  private machine: Machine | null = null;
  /** Set once a machine has used the memory: the next one clears it first. */
  private dirty = false;
  private phase: MachinePhase | null = null;
  private cancel: (() => void) | null = null;
  private budget = START_BUDGET;
  private startedMs = 0;
  private lastStatsMs = 0;
  /** Instructions a step still has to run (null: not stepping). */
  private stepLeft: number | null = null;
  private lastBoot: GuestImage | null = null;
  private readonly pacer = new Pacer();
  private readonly breaks = new Breaks();
  private readonly publisher: Publisher;
  readonly xl = new XlSession();
  private readonly guestOut = new Map<number, Uint8Array[]>();
  private readonly xenOut = new Map<number, Uint8Array[]>();
  /** Where the runner's machines send their output: gathered per slice, sent after it. */
  readonly outputs: MachineEvents = {
    guestConsole: (domid, bytes) => collect(this.guestOut, domid, bytes),
    hvConsole: (domid, bytes) => collect(this.xenOut, domid, bytes),
  };
  /** Instructions per wall ms of recent slices that ran flat out (0: none yet). */
  private rate = 0;
  /**
   * Wall ms the machine has computed since its history began (slices and domain
   * builds, not the waits between): about what replaying its log would take.
   */
  private workMs = 0;
  /** Hears of each new machine and of each slice run (the timeline: timeline.ts). */
  observer: RunnerObserver | null = null;

  constructor(host: RunnerHost, mem: MachineMemory) {
    this.host = host;
    this.mem = mem;
    this.publisher = new Publisher((m) => host.post(m));
  }

  /** Does a machine exist whose guests may touch RAM? */
  get running(): boolean {
    return this.machine !== null && this.phase !== 'failed';
  }

  get current(): Machine | null {
    return this.machine;
  }

  /** Has no machine used the memory yet (it is all zeroes)? */
  get pristine(): boolean {
    return !this.dirty;
  }

  /** Someone else wrote the memory (a restore): the next fresh machine clears it first. */
  spoil(): void {
    this.dirty = true;
  }

  /** Instructions per slice at the moment (for tests and the curious). */
  get sliceBudget(): number {
    return this.budget;
  }

  get speed(): number {
    return this.pacer.speed;
  }

  /** Stop whatever runs; the machine is dropped. */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.machine = null;
    this.stepLeft = null;
    this.xl.attach(null);
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
    this.lastBoot = image;
    this.setPhase('booting');
    try {
      const m = this.fresh();
      this.timed(() => this.createIn(m, image));
    } catch (e) {
      this.flush();
      this.fail(`could not boot ${image.name}: ${describe(e)}`);
      return;
    }
    this.budget = START_BUDGET;
    this.setPhase('running');
    this.flush();
    this.later(0);
  }

  /** Boot the last boot command again from scratch. */
  reset(): string | null {
    if (!this.lastBoot) return 'nothing to reset: no guest was booted';
    this.boot(this.lastBoot);
    return null;
  }

  /** Add a domain to the machine (making an empty machine first if there is none). Returns its domid or an error. */
  create(image: GuestImage): { domid: number } | { error: string } {
    try {
      const m = this.machine && this.phase !== 'failed' ? this.machine : this.fresh();
      const domid = this.timed(() => this.createIn(m, image));
      this.afterOp();
      return { domid };
    } catch (e) {
      if (e instanceof HypervisorBug) {
        this.fail(`hypervisor bug: ${e.message}`);
        return { error: `hypervisor bug: ${e.message}` };
      }
      this.afterOp();
      return { error: describe(e) };
    }
  }

  /** A new machine over the shared memory (cleared first if a machine used it). */
  private fresh(): Machine {
    this.stop();
    const m = emptyMachine(this.mem, this.outputs, this.dirty);
    this.dirty = true;
    this.guestOut.clear();
    this.xenOut.clear();
    this.publisher.reset();
    this.machine = m;
    this.workMs = 0;
    this.observer?.started(m);
    this.xl.attach(m);
    this.breaks.step(m.hv, null);
    this.startedMs = this.host.now();
    this.lastStatsMs = this.startedMs;
    this.pacer.anchor(this.startedMs, m.hv.time.now);
    return m;
  }

  /**
   * As a user would: the image and an example config offered to `xl create`,
   * then `xl create` with the playground's lifecycle on the command line (a
   * guest that powers off or crashes stays listed, so its state and crash
   * reason can be read; one that reboots is started again). Both are inputs
   * of the machine's log, so a replay makes the same guest.
   */
  private createIn(m: Machine, image: GuestImage): number {
    const config = this.xl.addImage(m, image.fileName ?? image.name, image.kernel, image.memMiB);
    const vcpus = image.vcpus ?? 1;
    const settings = [
      `name=${cfgString(image.name)}`, `memory=${image.memMiB}`, `maxmem=${image.memMiB}`, `vcpus=${vcpus}`,
      `maxvcpus=${vcpus}`, `cmdline=${cfgString(image.cmdline)}`,
      'on_poweroff="preserve"', 'on_reboot="restart"', 'on_crash="preserve"',
    ];
    const r = m.exec(['xl', 'create', config, ...settings].map(shellWord).join(' '));
    const domid = m.toolstack.find(image.name);
    if (r.status !== 0 || domid === undefined) throw new Error((r.err || r.out).trim() || 'xl create failed');
    return domid;
  }

  /** Keystrokes for a domain's console; wakes the machine at once. */
  type(domid: number, bytes: Uint8Array): void {
    const m = this.machine;
    if (!m || this.phase === 'failed') return;
    m.type(domid, bytes);
    if (this.phase === 'running') this.later(0);
  }

  // ---- Control ----

  run(): void {
    const m = this.machine;
    if (!m || this.phase === 'failed' || this.phase === 'running') return;
    this.stepLeft = null;
    this.pacer.anchor(this.host.now(), m.hv.time.now);
    if (!canRun(m)) {
      this.setPhase('stopped');
      return;
    }
    this.setPhase('running');
    this.later(0);
  }

  pause(): void {
    if (!this.machine || this.phase === 'failed' || this.phase === 'booting') return;
    this.stepLeft = null;
    this.paused('user');
  }

  /**
   * Run until the next hypercall completes, or the next event upcall is delivered,
   * in any domain, then pause. Paced like running: a guest that waits for a
   * timer takes its time.
   */
  stepUntil(until: StepUntil): void {
    const m = this.machine;
    if (!m || this.phase === 'failed' || this.phase === 'booting') return;
    this.stepLeft = null;
    this.breaks.step(m.hv, until);
    this.pacer.anchor(this.host.now(), m.hv.time.now);
    this.setPhase('running');
    this.later(0);
  }

  /** Break-on-hypercall filters (empty: none), kept across resets. */
  setBreakpoints(hypercalls: readonly number[], domid?: number): void {
    this.breaks.setFilters(this.machine?.hv ?? null, hypercalls, domid);
  }

  /** Run exactly `count` instructions (fewer if every vcpu ends up waiting for input), then pause. */
  step(count: number): void {
    const m = this.machine;
    if (!m || this.phase === 'failed' || this.phase === 'booting') return;
    this.stepLeft = count;
    this.setPhase('running');
    this.later(0);
  }

  setSpeed(factor: number): void {
    const m = this.machine;
    this.pacer.setSpeed(factor, this.host.now(), m ? m.hv.time.now : 0);
    if (m) this.stats(this.host.now());
    if (this.phase === 'running') this.later(0);
  }

  /** Ctrl-C for a following xl line: its last reply goes out now, even while paused. */
  interruptXl(id: number): void {
    if (this.xl.interrupt(id)) this.flush();
  }

  /** Run a command on the machine that may change what runs; then publish and wake. */
  apply<T>(op: (m: Machine) => T): T | string {
    const m = this.machine;
    if (!m || this.phase === 'failed') return 'no machine is running';
    let result: T;
    try {
      result = op(m);
    } catch (e) {
      this.fail(e instanceof HypervisorBug ? `hypervisor bug: ${e.message}` : `internal error in the machine: ${describe(e)}`);
      return 'the machine stopped with an error';
    }
    this.afterOp();
    return result;
  }

  /** After a command: show its effect, and run again if it gave someone something to do. */
  private afterOp(): void {
    const m = this.machine;
    if (!m) return;
    this.flush();
    if (this.phase === 'stopped' || this.phase === null) {
      if (canRun(m)) {
        this.pacer.anchor(this.host.now(), m.hv.time.now);
        this.setPhase('running');
        this.later(0);
      } else if (this.phase === null) {
        this.setPhase('stopped');
      }
    } else if (this.phase === 'running') {
      this.later(0);
    }
  }

  private paused(reason: PauseInfo['reason'], traceSeq?: number): void {
    const m = this.machine;
    if (!m) return;
    this.cancel?.();
    this.cancel = null;
    if (this.breaks.stepping) this.breaks.step(m.hv, null);
    const on = m.hv.onCpu;
    const pause: PauseInfo = {
      reason, instructions: m.executed, domid: on ? on.domid : -1, vcpu: on ? on.id : -1,
      ...(traceSeq !== undefined ? { traceSeq } : {}),
    };
    this.flush(true);
    this.stats(this.host.now());
    this.phase = 'paused';
    this.host.post({ v, type: 'machine', phase: 'paused', pause });
  }

  // ---- The run loop ----

  private later(delayMs: number): void {
    this.cancel?.();
    this.cancel = this.host.schedule(() => this.slice(), delayMs);
  }

  private slice(): void {
    this.cancel = null;
    const m = this.machine;
    if (!m || this.phase !== 'running') return;
    const t0 = this.host.now();
    let budget = this.budget;
    let paced = false;
    if (this.stepLeft !== null) {
      // A step runs what it was asked whatever the wall clock says.
      m.hv.timeLimit = Infinity;
      budget = Math.min(budget, this.stepLeft);
    } else {
      const limit = this.pacer.limit(t0);
      m.hv.timeLimit = limit;
      const room = Math.floor((limit - m.hv.time.now) / NS_PER_INSN);
      if (room < budget) {
        if (room < MIN_BUDGET && m.hv.runnable) {
          // Slower than the host could go: wait for the wall clock to catch up.
          this.later(WAIT_MS);
          return;
        }
        budget = Math.max(room, 1);
        paced = true;
      }
    }
    const before = m.executed;
    let outcome: RunOutcome;
    try {
      outcome = m.run(budget);
    } catch (e) {
      this.flush();
      this.fail(e instanceof HypervisorBug ? `hypervisor bug: ${e.message}` : `internal error in the machine: ${describe(e)}`);
      return;
    }
    const t1 = this.host.now();
    this.workMs += t1 - t0;
    const retired = m.executed - before;
    if (outcome === 'budget' && !paced && budget === this.budget) this.adapt(retired, t1 - t0);
    if (!paced && retired >= MIN_BUDGET && t1 > t0) this.measure(retired, t1 - t0);
    this.observer?.ran(m);
    if (outcome === 'break') {
      // A step to the next hypercall or event, or a break-on-hypercall filter, matched.
      this.stepLeft = null;
      this.paused(this.breaks.hit?.reason ?? 'breakpoint', m.hv.breakSeq);
      return;
    }
    if (this.stepLeft !== null) {
      this.stepLeft -= retired;
      if (this.stepLeft <= 0 || outcome !== 'budget') {
        this.stepLeft = null;
        this.paused('step');
        return;
      }
    }
    const statsDue = t1 - this.lastStatsMs >= STATS_MS;
    this.flush(statsDue);
    if (statsDue) this.stats(t1);
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
        this.later(this.xl.following ? WAIT_MS : STATS_MS);
        return;
      case 'stopped':
        this.stats(t1);
        this.setPhase('stopped');
        return;
    }
  }

  /** Instructions per wall ms lately, when the machine ran unpaced (0 before any such slice). */
  get throughput(): number {
    return this.rate;
  }

  /** Wall ms the machine computed to get where it is (see workMs). */
  get computedMs(): number {
    return this.workMs;
  }

  private timed<T>(fn: () => T): T {
    const t0 = this.host.now();
    try {
      return fn();
    } finally {
      this.workMs += this.host.now() - t0;
    }
  }

  private measure(retired: number, ms: number): void {
    const r = retired / ms;
    this.rate = this.rate === 0 ? r : this.rate * 0.8 + r * 0.2;
  }

  /**
   * Take over a machine built over this memory elsewhere (a restored snapshot,
   * a replayed link, a step back). The UI hears of it as of a new machine: the
   * booting phase clears its views, then the console text the machine kept and
   * its domains are sent afresh. It stays paused. `fresh`: its history starts
   * here (a restore), rather than continuing the timeline's (a seek). `workMs`:
   * what it cost to compute (a replayed link: the replay's time).
   */
  adopt(m: Machine, fresh = true, reason: PauseInfo['reason'] = 'user', workMs = this.workMs): void {
    this.stop();
    this.machine = m;
    this.dirty = true;
    this.workMs = workMs;
    m.events = this.outputs;
    this.guestOut.clear();
    this.xenOut.clear();
    this.publisher.reset();
    this.xl.attach(m);
    // The user's break-on-hypercall filters hold for this machine too; a step under way does not.
    this.breaks.step(m.hv, null);
    this.pacer.anchor(this.host.now(), m.hv.time.now);
    if (fresh) this.observer?.started(m);
    this.setPhase('booting');
    this.host.post({ v, type: 'scrollback', ...scrollbackOf(m) });
    this.paused(reason);
  }

  /** Aim the next slice at SLICE_MS of wall time, moving halfway from the current budget. */
  private adapt(retired: number, ms: number): void {
    const target = ms > 0 ? (retired * SLICE_MS) / ms : this.budget * 2;
    this.budget = Math.round(Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, (this.budget + target) / 2)));
  }

  /** Send console output, domain changes (`full`: vcpu states too) and xl output. */
  private flush(full = false): void {
    for (const [source, out] of [['guest', this.guestOut], ['xen', this.xenOut]] as const) {
      for (const [domid, chunks] of out) {
        this.host.post({ v, type: 'console', source, domid, data: concat(chunks) });
      }
      out.clear();
    }
    const m = this.machine;
    if (!m) return;
    this.publisher.check(m, full);
    for (const { id, reply } of this.xl.poll()) this.host.post({ v, type: 'xl-output', id, ...reply });
  }

  private stats(nowMs: number): void {
    const m = this.machine;
    if (!m) return;
    this.lastStatsMs = nowMs;
    this.host.post({
      v, type: 'stats', instructions: m.executed, systemTimeNs: m.hv.time.now, wallMs: nowMs - this.startedMs,
      domains: countersOf(m), speed: this.pacer.speed,
    });
  }

  private fail(message: string): void {
    this.stop();
    this.setPhase('failed', message);
  }

  private setPhase(phase: MachinePhase, message?: string): void {
    this.phase = phase;
    this.host.post({ v, type: 'machine', phase, ...(message !== undefined ? { message } : {}) });
  }
}

/** Can any vcpu of a running domain run or wake (hv.run's test for 'stopped')? */
function canRun(m: Machine): boolean {
  return m.hv.vcpus().some((vc) => vc.state !== 'offline' && m.hv.domains.get(vc.domid)?.state === 'running');
}

/** A string as an xl config value: double quotes, C escapes. */
function cfgString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A word for the Domain-0 shell: single quotes, each ' written as '\''. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./=-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

function collect(out: Map<number, Uint8Array[]>, domid: number, bytes: Uint8Array): void {
  let chunks = out.get(domid);
  if (!chunks) out.set(domid, (chunks = []));
  // Copy: the producer may reuse its buffer.
  chunks.push(bytes.slice());
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
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
