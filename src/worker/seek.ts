// Moving a machine along its recorded past: from a checkpoint (a snapshot the
// worker took of its own machine) forward to an exact instruction count,
// applying the recorded inputs where their stamps say, and finding where the
// last hypercall or event delivery before a given count happened.
//
// Both rest on determinism (DESIGN.md principle 2): the same checkpoint and the
// same inputs give the same machine at every instruction count, however the run
// is sliced. A breakpoint only ends a run early; the next run resumes exactly
// there, so scanning with one changes nothing either.
import { Machine, type MachineEvents } from '../machine/machine';
import { MachineMemory } from '../mem/memory';
import type { LogEntry } from '../machine/snapshot/log';
import type { StoredImage } from '../machine/snapshot/images';
import { advanceTo } from '../machine/snapshot/replay';
import { TK_EVT_UPCALL, TK_HYPERCALL } from '../shared/trace';
import type { StepBackUnit } from '../protocol/snapshots';

export interface Checkpoint {
  /** Instructions retired when it was taken. */
  at: number;
  /**
   * The machine's snapshot (level 1, images left out; our own bytes, restored
   * trusted), or null for a machine just built: that one is made again rather
   * than saved (see bootCheckpoint).
   */
  bytes: Uint8Array | null;
  /** How many log entries the machine had taken then. */
  logLength: number;
}

/** What a replay needs: where to start, and the inputs recorded since the beginning. */
export interface History {
  checkpoints: readonly Checkpoint[];
  log: readonly LogEntry[];
  /** Does the log reach back to the machine's boot (so a share may use a recipe)? */
  logFromBoot: boolean;
  /** Every image the machine was given (checkpoints leave them out). */
  images: readonly StoredImage[];
}

/** The machine's work per run() while replaying (a run is never longer than what is left). */
const CHUNK = 5_000_000;

const inputOf = (e: LogEntry) => {
  const { at: _a, time: _t, settled: _s, ...input } = e;
  return input;
};

/** The last checkpoint at or before `target`. */
export function checkpointFor(h: History, target: number): Checkpoint | undefined {
  let best: Checkpoint | undefined;
  for (const c of h.checkpoints) if (c.at <= target && (!best || c.at > best.at)) best = c;
  return best;
}

/** A checkpoint of `m` now. */
export function checkpointOf(m: Machine): Checkpoint {
  return { at: m.executed, bytes: m.snapshot({ level: 1, omitImages: true }), logLength: m.log.length };
}

/**
 * A machine as the worker builds every one: new, empty, over `memory` with
 * everything below the trace ring zeroed (`dirty`: whether it needs zeroing).
 * The trace ring goes on across machines: its writer continues after the
 * records it finds, so readers never see it go back.
 */
export function emptyMachine(memory: MachineMemory, events: MachineEvents, dirty = true): Machine {
  if (dirty) new Uint8Array(memory.buffer).fill(0, 0, memory.layout.traceOffset);
  return new Machine({ ramMiB: memory.ramBytes >> 20, memory }, events);
}

/**
 * The checkpoint of a machine as the worker builds every one: new, over zeroed
 * memory, before any input or instruction. Nothing needs saving: building it
 * again gives the same machine (DESIGN.md principle 2), and saving it would mean
 * scanning all of RAM on the way to the guest's first instruction.
 */
export function bootCheckpoint(): Checkpoint {
  return { at: 0, bytes: null, logLength: 0 };
}

/** Is `m` the machine a boot checkpoint stands for (nothing run, nothing given, time not moved)? */
export function isNew(m: Machine): boolean {
  return m.executed === 0 && m.log.length === 0 && m.logFromBoot && m.hv.time.now === 0;
}

/** A machine restored from a checkpoint into `memory` (every byte rewritten), its log and images as they were. */
export function fromCheckpoint(h: History, c: Checkpoint, memory: MachineMemory, events: MachineEvents): Machine {
  const byId = new Map(h.images.map((x) => [x.id, x.bytes]));
  let m: Machine;
  if (c.bytes) {
    m = Machine.restore(c.bytes, { memory, trusted: true, events, images: (id) => byId.get(id) });
  } else {
    m = emptyMachine(memory, events);
  }
  for (const x of h.images) m.images.add(x.bytes, x.name);
  m.log.push(...h.log.slice(0, c.logLength).map((e) => ({ ...e })));
  m.logFromBoot = h.logFromBoot;
  return m;
}

/**
 * Run `m` forward to exactly `target` instructions, applying the recorded inputs
 * stamped at or before it. `onBreak` (with `breakOn` set) hears of every stop
 * at a matching trace record, with the instruction count there.
 */
export function replayTo(m: Machine, log: readonly LogEntry[], target: number, scan?: { kind: number; onBreak(at: number): void }): void {
  if (scan) m.hv.breakpoint = (kind) => kind === scan.kind;
  try {
    for (let i = m.log.length; i < log.length && log[i]!.at <= target; i++) {
      const e = log[i]!;
      runTo(m, e.at, scan, e.time);
      advanceTo(m, e);
      try {
        m.input(inputOf(e));
      } catch {
        // It failed the same way when it was first given (inputs are logged as given).
      }
    }
    runTo(m, target, scan, Infinity);
  } finally {
    if (scan) m.hv.breakpoint = null;
  }
}

/** Run until `target` instructions have retired (or nothing more can run), idle skips up to `timeLimit`. */
function runTo(m: Machine, target: number, scan: { onBreak(at: number): void } | undefined, timeLimit: number): void {
  const limit = m.hv.timeLimit;
  m.hv.timeLimit = timeLimit;
  try {
    while (m.executed < target) {
      const before = m.executed, t = m.hv.time.now;
      const o = m.run(Math.min(CHUNK, target - m.executed));
      if (o === 'break') {
        scan?.onBreak(m.executed);
        continue;
      }
      if (o !== 'budget' && m.executed === before && m.hv.time.now === t) return;
    }
  } finally {
    m.hv.timeLimit = limit;
  }
}

const KINDS: Record<Exclude<StepBackUnit, 'instruction'>, number> = { hypercall: TK_HYPERCALL, event: TK_EVT_UPCALL };

/**
 * Where a step to the next hypercall (or event delivery) would have paused,
 * for the last one before `now`: scanned in scratch memory from the latest
 * checkpoint that has one, going back a checkpoint at a time. undefined if none
 * happened since the first checkpoint.
 */
export function previous(
  h: History, unit: Exclude<StepBackUnit, 'instruction'>, now: number, shape: { ramMiB: number; vcpus: number },
): number | undefined {
  const starts = h.checkpoints.filter((c) => c.at < now).sort((a, b) => b.at - a.at);
  for (let k = 0; k < starts.length; k++) {
    const c = starts[k]!;
    const until = k === 0 ? now : starts[k - 1]!.at;
    const m = fromCheckpoint(h, c, MachineMemory.create(shape), {});
    let found: number | undefined;
    replayTo(m, h.log, until, { kind: KINDS[unit], onBreak: (at) => { if (at < now) found = at; } });
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * At a position `previous` found, take the stop itself. An event delivery
 * happens at an instruction boundary without retiring anything, so a seek by
 * count lands just before it; this delivers it, as the step forward did.
 * False if the machine instead retired an instruction (then it is past the stop).
 */
export function takeStop(m: Machine, unit: Exclude<StepBackUnit, 'instruction'>): boolean {
  if (unit !== 'event') return true;
  const at = m.executed;
  m.hv.breakpoint = (kind) => kind === KINDS[unit];
  try {
    return m.run(1) === 'break' && m.executed === at;
  } finally {
    m.hv.breakpoint = null;
  }
}
