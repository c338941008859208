// The running machine's past, as the worker keeps it: periodic checkpoints
// (snapshots of its own machine), and its input log, which together let it go
// back to any instruction count since the first checkpoint (seek.ts).
//
// Checkpoints come every 20 M instructions, but not more often than every
// 500 ms of wall time nor than twenty times what the last one took, so their
// cost stays a small part of the run; past 32 the closest pair is thinned
// (DEFAULT_POLICY), which keeps recent ones dense and old ones sparse. After a
// step back the machine stands in its past: seeking forward replays the
// recorded future, up to where it had been. Once it runs on from there, or
// takes an input, that future is gone (a new branch).
//
// The timeline lives in the worker, not in the machine layer, because its
// policy is an embedder's: checkpoints are paced by wall time and by what they
// cost (a 128 MiB machine takes a noticeable pause to save), which the machine,
// having no clock, cannot judge. It does not wrap run(): the runner slices the
// machine as it likes and reports each slice, and determinism makes the slicing
// irrelevant to what a seek rebuilds. The checkpoints' bytes go to seek.ts,
// which scans for the previous hypercall or event delivery in scratch memory
// while the UI keeps showing the machine. A seek lands after the inputs given
// at its count, as the paused machine was.
import type { Machine, MachineEvents } from '../machine/machine';
import type { MachineMemory } from '../mem/memory';
import type { LogEntry, Stamp } from '../machine/snapshot/log';
import { advanceTo } from '../machine/snapshot/replay';
import type { StoredImage } from '../machine/snapshot/images';
import type { TimelineInfo } from '../protocol/snapshots';
import { bootCheckpoint, checkpointFor, checkpointOf, fromCheckpoint, isNew, replayTo, type Checkpoint, type History } from './seek';

/** When to take checkpoints and how many to keep. */
export interface CheckpointPolicy {
  /** Instructions between two checkpoints, at least. */
  everyInsns: number;
  /** Wall ms between two checkpoints, at least. */
  everyMs: number;
  /** The most kept. */
  max: number;
  /** Wall time between two checkpoints, at least, as a multiple of what the last one cost. */
  costFactor: number;
}

export const DEFAULT_POLICY: CheckpointPolicy = { everyInsns: 20_000_000, everyMs: 500, max: 32, costFactor: 20 };
/** The most input positions sent to the UI (it draws fewer marks anyway). */
const MAX_INPUT_MARKS = 2000;

export class SeekError extends Error {}

export class Timeline {
  private checkpoints: Checkpoint[] = [];
  /** The inputs recorded, possibly further than the machine now stands (after a step back). */
  private recorded: LogEntry[] = [];
  private logFromBoot = true;
  private images: StoredImage[] = [];
  private end = 0;
  /** Where the machine stood when it was furthest, time included (an idle machine's clock runs on). */
  private endStamp: Stamp = { at: 0, time: 0, settled: false };
  private lastMs = -Infinity;
  /** Wall ms the last checkpoint took. */
  private costMs = 0;
  /** Set while the machine stands in its recorded past: where it was put, and its log's length there. */
  private past: { at: number; logLength: number } | null = null;
  /** Bumped whenever what info() says changes other than `now`; the worker sends info when it moves. */
  version = 0;

  constructor(private readonly wallMs: () => number, readonly policy: CheckpointPolicy = { ...DEFAULT_POLICY }) {}

  /** A new machine: its history starts here. */
  begin(m: Machine): void {
    this.checkpoints = [];
    this.past = null;
    this.recorded = m.log;
    this.logFromBoot = m.logFromBoot;
    this.end = m.executed;
    this.endStamp = m.stamp();
    if (isNew(m)) {
      this.checkpoints.push(bootCheckpoint());
      this.lastMs = this.wallMs();
      this.costMs = 0;
      this.version++;
    } else {
      this.take(m);
    }
  }

  /** After a slice: note how far the machine got, and take a checkpoint when one is due. */
  ran(m: Machine): void {
    this.sync(m);
    const last = this.checkpoints[this.checkpoints.length - 1];
    const now = this.wallMs();
    const { everyInsns, everyMs, costFactor } = this.policy;
    const gapMs = Math.max(everyMs, this.costMs * costFactor);
    if (this.past === null && (!last || m.executed - last.at >= everyInsns) && now - this.lastMs >= gapMs) {
      this.take(m);
    }
  }

  info(m: Machine): TimelineInfo {
    this.sync(m);
    const inputs: number[] = [];
    for (const e of this.recorded) if (inputs[inputs.length - 1] !== e.at) inputs.push(e.at);
    const step = Math.ceil(inputs.length / MAX_INPUT_MARKS);
    return {
      start: this.checkpoints[0]?.at ?? m.executed,
      now: m.executed,
      end: Math.max(this.end, m.executed),
      checkpoints: this.checkpoints.map((c) => c.at),
      inputs: step > 1 ? inputs.filter((_, i) => i % step === 0) : inputs,
    };
  }

  /**
   * The machine at exactly `target` instructions, built over `mem` from the
   * nearest checkpoint (or, going forward, from `m` itself), output silenced.
   * The caller adopts it. SeekError when the target lies outside the timeline.
   */
  seek(m: Machine, target: number, mem: MachineMemory): Machine {
    this.sync(m);
    const { start, end } = this.info(m);
    if (target < start || target > end) {
      throw new SeekError(`instruction ${target.toLocaleString('en-US')} is outside the timeline (${start.toLocaleString('en-US')} to ${end.toLocaleString('en-US')})`);
    }
    const silent: MachineEvents = {};
    const h = this.history(m);
    let at: Machine;
    if (target >= m.executed && this.isPrefix(m.log)) {
      // Forward along the recorded path: the machine itself is the nearest start.
      at = m;
      at.events = silent;
    } else {
      const c = checkpointFor(h, target);
      if (!c) throw new SeekError('no checkpoint lies before that instruction');
      at = fromCheckpoint(h, c, mem, silent);
    }
    replayTo(at, this.recorded, target);
    // Back where the machine was furthest: there its clock may have run on while it idled.
    const s = this.endStamp;
    if (target === s.at && at.executed === s.at && at.log.length === this.recorded.length && at.hv.time.now < s.time) advanceTo(at, s);
    this.past = at.executed < this.end || at.log.length < this.recorded.length ? { at: at.executed, logLength: at.log.length } : null;
    this.version++;
    return at;
  }

  /** What seek.ts needs to rebuild any point since the first checkpoint. */
  history(m: Machine): History {
    this.sync(m);
    return { checkpoints: this.checkpoints, log: this.recorded, logFromBoot: this.logFromBoot, images: this.images };
  }

  /** Has the machine left its recorded past (run on, or taken an input)? Then that future is gone. */
  private sync(m: Machine): void {
    this.images = m.images.all();
    const p = this.past;
    if (p === null) {
      // Live: the machine's log is the record (after a seek to the end, a copy of it).
      this.recorded = m.log;
      if (m.executed >= this.end) {
        this.end = m.executed;
        this.endStamp = m.stamp();
      }
      return;
    }
    if (m.executed === p.at && m.log.length === p.logLength) return;
    this.past = null;
    this.checkpoints = this.checkpoints.filter((c) => c.at <= p.at && c.logLength <= p.logLength);
    this.recorded = m.log;
    this.end = m.executed;
    this.endStamp = m.stamp();
    this.version++;
  }

  /** Is `log` the start of what was recorded? (Entries are compared by identity of their stamps.) */
  private isPrefix(log: readonly LogEntry[]): boolean {
    if (log.length > this.recorded.length) return false;
    if (log.length === 0) return true;
    const a = log[log.length - 1]!, b = this.recorded[log.length - 1]!;
    return a.kind === b.kind && a.at === b.at && a.time === b.time;
  }

  private take(m: Machine): void {
    const t0 = this.wallMs();
    this.checkpoints.push(checkpointOf(m));
    this.lastMs = this.wallMs();
    this.costMs = this.lastMs - t0;
    while (this.checkpoints.length > this.policy.max) this.thin();
    this.version++;
  }

  /** Drop the checkpoint closest to the one before it (never the first or the newest). */
  private thin(): void {
    let worst = 1, gap = Infinity;
    for (let i = 1; i < this.checkpoints.length - 1; i++) {
      const g = this.checkpoints[i]!.at - this.checkpoints[i - 1]!.at;
      if (g < gap) { gap = g; worst = i; }
    }
    this.checkpoints.splice(worst, 1);
  }
}
