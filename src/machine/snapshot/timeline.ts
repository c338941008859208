// Going back in time. A Timeline runs a Machine and keeps, within a memory
// budget, checkpoints -- snapshots taken every `every` instructions (exactly on
// the multiple: run() splits its budget there, which changes nothing, as slicing
// never does) and after inputs -- plus the whole input log since it began.
// seek(n) puts the machine where it stood when instruction n retired: it
// restores the last checkpoint before n into the same memory, then replays the
// log's inputs from there at their stamps (replay.ts) and runs to n.
//
// Step-back helpers are seeks: one instruction back is seek(executed - 1); "the
// previous hypercall" or "event delivery" is a seek to the instruction count the
// trace ring recorded for it. Seeking is silent (the machine's events are held
// back); afterwards a UI repaints consoles from machine.scrollback.
//
// Running or giving input while behind the furthest point reached starts a new
// history from here: later inputs and checkpoints are dropped. Inputs may also be
// given to the machine itself (machine.exec, machine.type...): the timeline picks
// them up from its log at its next call.
import type { RunOutcome } from '../../hv/hypervisor';
import type { MachineMemory } from '../../mem/memory';
import { Machine, type MachineEvents } from '../machine';
import type { Input, LogEntry, Stamp } from './log';
import { advanceTo } from './replay';

export interface TimelineOptions {
  /** Instructions between periodic checkpoints (default 100M). */
  every?: number;
  /** Bytes all checkpoints may take together (default 64 MiB); older ones are thinned out. */
  budget?: number;
  /** DEFLATE level of checkpoints (default 1: fast). */
  level?: number;
  /** After an input, checkpoint if this many instructions passed since the last one (default every / 8). */
  inputGap?: number;
}

export interface Checkpoint {
  /** Where the machine stood (log: how many inputs it had taken). */
  at: number;
  time: number;
  log: number;
  /** Taken when run() reached a multiple of `every` (the state when that instruction retired). */
  onBoundary: boolean;
  bytes: Uint8Array;
}

export class Timeline {
  private m: Machine;
  /** Every input since the timeline began, in order (the machine's own log is a prefix of it). */
  private readonly history: LogEntry[];
  private readonly cps: Checkpoint[] = [];
  private readonly every: number;
  private readonly budget: number;
  private readonly level: number;
  private readonly inputGap: number;
  /** The furthest point reached, and how many inputs it had. */
  private head: Stamp & { log: number };
  /** How much of the machine's log the timeline has seen (see sync). */
  private known: number;
  /** Images of every machine this timeline has held, by id (checkpoints leave them out). */
  private readonly images = new Map<string, Uint8Array>();
  private readonly memory: MachineMemory;
  private events: MachineEvents;

  constructor(machine: Machine, opts: TimelineOptions = {}) {
    this.m = machine;
    this.every = opts.every ?? 100_000_000;
    this.budget = opts.budget ?? 64 << 20;
    this.level = opts.level ?? 1;
    this.inputGap = opts.inputGap ?? Math.floor(this.every / 8);
    this.history = [...machine.log];
    this.memory = machine.mem;
    this.events = machine.events;
    this.head = { ...machine.stamp(), log: machine.log.length };
    this.known = machine.log.length;
    this.checkpoint(false);
  }

  /** The machine now (a seek replaces it: read this again after one). */
  get machine(): Machine {
    return this.m;
  }

  get checkpoints(): readonly Omit<Checkpoint, 'bytes'>[] {
    return this.cps.map(({ bytes: _b, ...c }) => c);
  }

  /** Bytes the checkpoints take. */
  get checkpointBytes(): number {
    return this.cps.reduce((n, c) => n + c.bytes.length, 0);
  }

  /** The furthest point reached; seek() can go anywhere from the first checkpoint to here. */
  get end(): Stamp {
    const { log: _l, ...s } = this.head;
    return s;
  }

  /** Every input, with its stamp. */
  get inputs(): readonly LogEntry[] {
    return this.history;
  }

  /** Where output goes (the machine's events, kept across seeks). */
  setEvents(events: MachineEvents): void {
    this.events = events;
    this.m.events = events;
  }

  /** Machine.run with checkpoints every `every` instructions. */
  run(budget: number): RunOutcome {
    this.sync();
    this.branch();
    let left = budget, outcome: RunOutcome = 'budget';
    while (left > 0) {
      const now = this.m.executed;
      const next = (Math.floor(now / this.every) + 1) * this.every;
      outcome = this.m.run(Math.min(left, next - now));
      left -= Math.max(1, this.m.executed - now);
      if (this.m.executed === next) this.checkpoint(true);
      if (outcome !== 'budget') break;
    }
    this.head = { ...this.m.stamp(), log: this.m.log.length };
    return outcome;
  }

  /** Machine.input, remembered; checkpointed when enough ran since the last checkpoint. */
  input(e: Input): ReturnType<Machine['input']> {
    this.sync();
    this.branch();
    try {
      return this.m.input(e);
    } finally {
      this.history.push(this.m.log[this.m.log.length - 1]);
      this.known = this.m.log.length;
      this.head = { ...this.m.stamp(), log: this.m.log.length };
      const last = this.cps[this.cps.length - 1];
      if (!last || this.m.executed - last.at >= this.inputGap) this.checkpoint(false);
    }
  }

  /**
   * Put the machine where it stood when instruction `n` retired (inputs stamped
   * before n applied, none at or after it); n is clamped to what this timeline
   * covers. Returns the machine (a new object when a checkpoint was restored).
   */
  seek(n: number): Machine {
    this.sync();
    const first = this.cps[0];
    const target = Math.max(first.at, Math.min(n, this.head.at));
    // Forward from here when we are already on the way; else from the last checkpoint before.
    if (this.m.executed >= target) {
      let cp = first;
      for (const c of this.cps) if (c.at < target || (c.at === target && c.onBoundary)) cp = c;
      this.restore(cp);
    }
    this.m.events = {};
    try {
      const stop = this.firstEntryAt(target);
      for (let i = this.m.log.length; i < stop; i++) {
        advanceTo(this.m, this.history[i]);
        this.apply(this.history[i]);
      }
      const next = this.history[stop] ?? this.head;
      const limit = this.m.hv.timeLimit, breakpoint = this.m.hv.breakpoint;
      this.m.hv.timeLimit = next.time;
      this.m.hv.breakpoint = null;
      try {
        while (this.m.executed < target) {
          const before = this.m.executed, t = this.m.hv.time.now;
          const o = this.m.run(target - this.m.executed);
          if (o !== 'budget' && this.m.executed === before && this.m.hv.time.now === t) break;
        }
      } finally {
        this.m.hv.timeLimit = limit;
        this.m.hv.breakpoint = breakpoint;
      }
    } finally {
      this.m.events = this.events;
      this.known = this.m.log.length;
    }
    return this.m;
  }

  /** Back to the furthest point reached, exactly as the machine stood there. */
  seekEnd(): Machine {
    this.sync();
    const h = this.head;
    const s = this.m.stamp();
    const same = s.at === h.at && s.time === h.time && s.settled === h.settled && JSON.stringify(s.brk) === JSON.stringify(h.brk);
    if (same && this.m.log.length === h.log) return this.m;
    this.seek(h.at);
    this.m.events = {};
    try {
      for (let k = this.m.log.length; k < h.log; k++) {
        advanceTo(this.m, this.history[k]);
        this.apply(this.history[k]);
      }
      advanceTo(this.m, h);
    } finally {
      this.m.events = this.events;
      this.known = this.m.log.length;
    }
    return this.m;
  }

  /** Seek to just after input `i` of inputs (as the machine was once it took it). */
  seekInput(i: number): Machine {
    this.sync();
    const e = this.history[Math.max(0, Math.min(i, this.history.length - 1))];
    if (!e) return this.m;
    const idx = this.history.indexOf(e);
    if (this.m.log.length > idx + 1 || this.m.executed > e.at) {
      let cp = this.cps[0];
      for (const c of this.cps) if (c.log <= idx + 1 && c.at <= e.at) cp = c;
      this.restore(cp);
    }
    this.m.events = {};
    try {
      for (let k = this.m.log.length; k <= idx; k++) {
        advanceTo(this.m, this.history[k]);
        this.apply(this.history[k]);
      }
    } finally {
      this.m.events = this.events;
      this.known = this.m.log.length;
    }
    return this.m;
  }

  /** Index of the first input stamped at or after instruction n. */
  private firstEntryAt(n: number): number {
    let i = 0;
    while (i < this.history.length && this.history[i].at < n) i++;
    return i;
  }

  private apply(e: LogEntry): void {
    const { at: _a, time: _t, settled: _s, brk: _b, ...input } = e;
    try {
      this.m.input(input as Input);
    } catch {
      // It failed the first time too.
    }
  }

  /**
   * Inputs the machine took directly since this timeline last looked: they are
   * history now (after what they branch from is dropped, if behind the head).
   */
  private sync(): void {
    const log = this.m.log;
    if (log.length === this.known) return;
    const fresh = log.slice(this.known);
    this.history.length = this.known;
    const at = this.m.executed;
    while (this.cps.length > 1 && (this.cps[this.cps.length - 1].log > this.known || this.cps[this.cps.length - 1].at > at)) this.cps.pop();
    this.history.push(...fresh);
    this.known = log.length;
    this.head = { ...this.m.stamp(), log: log.length };
  }

  /** Behind the furthest point: what comes after here is dropped (a new history starts). */
  private branch(): void {
    const s = this.m.stamp(), n = this.m.log.length;
    if (s.at === this.head.at && s.time === this.head.time && n === this.head.log) return;
    this.history.length = n;
    while (this.cps.length > 1 && (this.cps[this.cps.length - 1].at > s.at || this.cps[this.cps.length - 1].log > n)) this.cps.pop();
    this.head = { ...s, log: n };
  }

  private checkpoint(onBoundary: boolean): void {
    for (const img of this.m.images.all()) this.images.set(img.id, img.bytes);
    const s = this.m.stamp();
    const last = this.cps[this.cps.length - 1];
    if (last && last.at === s.at && last.time === s.time && last.log === this.m.log.length) return;
    this.cps.push({ at: s.at, time: s.time, log: this.m.log.length, onBoundary, bytes: this.m.snapshot({ level: this.level, omitImages: true }) });
    this.thin();
  }

  /** Over budget: drop the checkpoint whose neighbours are closest together (never the first or last). */
  private thin(): void {
    while (this.checkpointBytes > this.budget && this.cps.length > 2) {
      let best = 1;
      for (let i = 2; i < this.cps.length - 1; i++) {
        if (this.cps[i + 1].at - this.cps[i - 1].at < this.cps[best + 1].at - this.cps[best - 1].at) best = i;
      }
      this.cps.splice(best, 1);
    }
  }

  private restore(cp: Checkpoint): void {
    const old = this.m;
    const m = Machine.restore(cp.bytes, { trusted: true, memory: this.memory, images: (id) => this.images.get(id) });
    m.log.push(...this.history.slice(0, cp.log));
    m.logFromBoot = old.logFromBoot;
    m.events = this.events;
    // The embedder's settings carry over: what stops runs, what is traced.
    m.hv.breakpoint = old.hv.breakpoint;
    m.hv.trace.enabled = old.hv.trace.enabled;
    m.hv.timeLimit = old.hv.timeLimit;
    this.m = m;
    this.known = m.log.length;
  }
}
