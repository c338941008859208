// Replay: a machine rebuilt from its boot configuration and input log. Between
// two inputs the machine runs on its own; each input is applied where its stamp
// says the original stood (log.ts):
//
//   1. run until `at` instructions have retired, with idle skips allowed up to
//      the stamp's time (the original's pacing never went further before the
//      input, and what a guest sees does not depend on pacing: Machine.run);
//   2. if the original then sat idle, let virtual time run, retiring nothing, up
//      to the stamp's time (timers may fire on the way, as they did);
//   3. if the original's last run ended settled (every vcpu waiting, services
//      done) and ours ended on its budget, take that last step too;
//   4. apply the input, as Machine.input does (stamped, logged, serviced).
//
// Anything else -- the machine stops short, or retires an instruction where the
// original did not -- is a ReplayError: the log is not this machine's.
import type { MachineMemory } from '../../mem/memory';
import { Machine, type MachineEvents } from '../machine';
import { ReplayError, ReplayStopped, SnapshotError } from './errors';
import type { Input, LogEntry, Stamp } from './log';
import { breakpointFor } from './breaks';
import { sha256Hex } from '../../shared/sha256';

export interface Recipe {
  /** The machine: RAM (MiB) and register-file slots. */
  ramMiB: number;
  vcpus: number;
  /** Images the log names; bytes may be left out when the receiver has them by id. */
  images: { id: string; name: string; bytes?: Uint8Array }[];
  log: LogEntry[];
  /** Where the machine stood when the recipe was taken. */
  end: Stamp;
}

export interface ReplayOptions {
  memory?: MachineMemory;
  events?: MachineEvents;
  /** An image's bytes by id, for images the recipe does not carry. */
  images?: (id: string) => Uint8Array | undefined;
  /**
   * Asked between runs of at most STOP_CHUNK instructions: true abandons the
   * replay with ReplayStopped. The embedder's way to bound its cost in wall time,
   * which this layer does not read.
   */
  stop?: () => boolean;
}

/** The most instructions replay runs between two questions to ReplayOptions.stop. */
export const STOP_CHUNK = 2_000_000;

/** The recipe of a machine whose log goes back to its boot (not one restored from a snapshot). */
export function recipeOf(m: Machine, includeImage: (id: string) => boolean = () => true): Recipe {
  if (!m.logFromBoot) throw new Error('this machine was restored from a snapshot: its input log does not start at boot');
  const used = new Set<string>();
  for (const e of m.log) {
    if (e.kind === 'file') used.add(e.image);
    if (e.kind === 'guest') { used.add(e.kernel); if (e.ramdisk) used.add(e.ramdisk); }
  }
  const images = m.images.all().filter((x) => used.has(x.id))
    .map((x) => (includeImage(x.id) ? { id: x.id, name: x.name, bytes: x.bytes } : { id: x.id, name: x.name }));
  return { ramMiB: m.mem.layout.ramBytes >> 20, vcpus: m.mem.layout.vcpus, images, log: m.log.map((e) => ({ ...e })), end: m.stamp() };
}

const inputOf = (e: LogEntry): Input => {
  const { at: _a, time: _t, settled: _s, brk: _b, ...input } = e;
  return input as Input;
};

function where(s: Stamp): string {
  return `instruction ${s.at}, time ${s.time} ns`;
}

/** Bring `m` to stamp `s` (steps 1-3 above; for a stamp taken at a breakpoint, until that breakpoint). */
export function advanceTo(m: Machine, s: Stamp, stop?: () => boolean): void {
  const hv = m.hv;
  // Slicing a run changes nothing (DESIGN.md principle 2): only how often stop is asked.
  const chunk = (n: number) => (stop ? Math.min(n, STOP_CHUNK) : n);
  const check = () => {
    if (stop?.()) throw new ReplayStopped();
  };
  const fail = (why: string): never => {
    throw new ReplayError(`replay went astray before ${where(s)}: ${why} (now at ${where(m.stamp())})`);
  };
  if (m.executed > s.at || hv.time.now > s.time) fail('the machine is already past it');
  const limit = hv.timeLimit, breakpoint = hv.breakpoint, enabled = hv.trace.enabled;
  hv.timeLimit = s.time;
  // Only the stamp's own breakpoint may stop these runs.
  hv.breakpoint = s.brk ? breakpointFor(m, s.at, s.brk) : null;
  if (s.brk) hv.trace.enabled |= 1 << s.brk.kind;
  try {
    if (s.brk) {
      for (let guard = 0; ; guard++) {
        const before = m.executed, t = hv.time.now;
        const o = m.run(chunk(Math.max(1, s.at - m.executed)));
        if (o === 'break') break;
        check();
        if (m.executed > s.at) fail('the breakpoint it was taken at never came');
        if ((o !== 'budget' && m.executed === before && hv.time.now === t) || guard > 1_000_000) fail(`the machine stopped (${o}) short of its breakpoint`);
      }
      if (m.executed !== s.at) fail('it stopped at its breakpoint elsewhere');
    } else {
      while (m.executed < s.at) {
        const before = m.executed, t = hv.time.now;
        const o = m.run(chunk(s.at - m.executed));
        if (o !== 'budget' && m.executed === before && hv.time.now === t) fail(`the machine stopped (${o})`);
        check();
      }
      for (let guard = 0; hv.time.now < s.time; guard++) {
        const t = hv.time.now;
        const o = m.run(s.time - t);
        if (m.executed !== s.at) fail('a vcpu ran where the original sat idle');
        if (hv.time.now === t && (o !== 'budget' || guard > 4)) fail(`idle time does not pass (${o})`);
      }
      if (s.settled && !m.stamp().settled) {
        m.run(1);
        if (m.executed !== s.at) fail('a vcpu ran where the original had settled');
      }
    }
  } finally {
    hv.timeLimit = limit;
    hv.breakpoint = breakpoint;
    hv.trace.enabled = enabled;
  }
  if (hv.time.now !== s.time) fail('virtual time differs');
}

/** Check a recipe's images and build the machine it describes, run to its end. */
export function replay(r: Recipe, opts: ReplayOptions = {}): Machine {
  const m = new Machine({ ramMiB: r.ramMiB, maxVcpus: r.vcpus, memory: opts.memory }, opts.events ?? {});
  for (const img of r.images) {
    const bytes = img.bytes ?? opts.images?.(img.id);
    if (!bytes) throw new SnapshotError(`this recipe needs the guest image ${img.name}, which it does not include and which is not available here`);
    if (sha256Hex(bytes) !== img.id) throw new SnapshotError(`the image ${img.name} does not match the recipe (its hash differs)`);
    m.images.add(bytes, img.name);
  }
  for (const e of r.log) {
    advanceTo(m, e, opts.stop);
    try {
      m.input(inputOf(e));
    } catch {
      // The original failed here too (a failed input is logged as it was given).
    }
  }
  advanceTo(m, r.end, opts.stop);
  return m;
}
