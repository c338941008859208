// Machines in and out of the worker: a snapshot file, a share link (a replay
// recipe or a snapshot), and building the machine such a file or link holds.
//
// Nothing here may leave the worker without a machine because of what a link
// says. A source is read and checked whole first (prepare), then built in
// scratch memory, where anything may fail harmlessly; only then is the shared
// memory cleared and the machine built there for real, from bytes already
// proven good. Should that still fail, the machine that was running is put
// back from a snapshot taken just before.
import { Machine, type MachineEvents } from '../machine/machine';
import type { MachineMemory } from '../mem/memory';
import { ReplayStopped, SnapshotError } from '../machine/snapshot/errors';
import { Container } from '../machine/snapshot/container';
import { decodeRecipe, encodeRecipe } from '../machine/snapshot/recipe';
import { recipeOf, replay, type Recipe } from '../machine/snapshot/replay';
import { sameState } from '../machine/hash';
import { fromBase64Url, toBase64Url } from '../shared/base64';
import { linkFragment, parseLinkFragment } from '../protocol/share';
import type { MachineSummary, RestoreSource } from '../protocol/snapshots';

/** A link carries the recipe when replaying it takes less than this (wall ms at the measured speed). */
export const RECIPE_MAX_MS = 1000;
/** The speed assumed before any was measured: a cautious one, in instructions per wall ms. */
export const ASSUMED_RATE = 5_000;
/** A recipe whose replay would take longer than this here is refused rather than run (ms). */
export const REPLAY_LIMIT_MS = 30_000;

const SNAPSHOT_MAGIC = 'PVPLAYSN';

export type Prepared =
  | { kind: 'recipe'; recipe: Recipe; size: number }
  | { kind: 'snapshot'; bytes: Uint8Array; size: number };

/** Read a link or file; SnapshotError saying why it cannot be used. */
export function prepare(source: RestoreSource): Prepared {
  if (source.kind === 'file') {
    const bytes = new Uint8Array(source.bytes);
    if (bytes.length === 0) throw new SnapshotError('the file is empty');
    const head = String.fromCharCode(...bytes.subarray(0, SNAPSHOT_MAGIC.length));
    if (head !== SNAPSHOT_MAGIC) {
      throw new SnapshotError(`${source.name ? `“${source.name}”` : 'this file'} is not a pvplay snapshot (it does not start as one does)`);
    }
    return { kind: 'snapshot', bytes, size: bytes.length };
  }
  const link = parseLinkFragment(source.fragment);
  if (link === null) throw new SnapshotError('the link has nothing after “#”: there is no machine in it');
  if (!link.ok) throw new SnapshotError(link.message);
  const size = source.fragment.replace(/^#/, '').length;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(link.payload);
  } catch {
    // A length no encoder gives, or stray bits at the end: characters were lost or changed.
    throw new SnapshotError(`this ${link.kind} link is damaged: it was cut short or changed on the way`);
  }
  if (link.kind === 'recipe') return { kind: 'recipe', recipe: decodeRecipe(link.payload), size };
  return { kind: 'snapshot', bytes, size };
}

/** The machine's size as a snapshot's header gives it (read before any memory is made for it). */
function shapeOf(bytes: Uint8Array): { ramMiB: number; vcpus: number } {
  const { data } = Container.decode(bytes).section('machine', [1], 64 << 20);
  let head: unknown;
  try {
    head = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new SnapshotError('the snapshot is corrupt: its machine section is not readable');
  }
  const h = head as { ramBytes?: unknown; vcpuSlots?: unknown };
  if (!Number.isSafeInteger(h.ramBytes) || !Number.isSafeInteger(h.vcpuSlots)) {
    throw new SnapshotError('the snapshot is corrupt: it does not say how large its machine is');
  }
  return { ramMiB: Math.floor((h.ramBytes as number) / 1048576), vcpus: h.vcpuSlots as number };
}

/** Can this worker's memory hold the machine, in reasonable time? SnapshotError if not. */
function checkFits(p: Prepared, mem: MachineMemory, rate: number): void {
  const { ramMiB, vcpus } = p.kind === 'recipe' ? p.recipe : shapeOf(p.bytes);
  const L = mem.layout;
  if (ramMiB !== L.ramBytes / 1048576 || vcpus !== L.vcpus) {
    throw new SnapshotError(`it holds a machine with ${ramMiB} MiB and ${vcpus} vcpu slots; this playground's has ${L.ramBytes >> 20} MiB and ${L.vcpus}`);
  }
  if (p.kind !== 'recipe') return;
  const r = p.recipe;
  const ms = r.end.at / rate;
  if (ms > REPLAY_LIMIT_MS) {
    throw new SnapshotError(`the link's recipe replays ${r.end.at.toLocaleString('en-US')} instructions, about ${Math.round(ms / 1000)} s of work here: more than a link should ask for`);
  }
}

export interface BuildDeps {
  mem: MachineMemory;
  /** The machine running now (kept, or put back, if the new one cannot be built). */
  current: Machine | null;
  images: (id: string) => Uint8Array | undefined;
  events: MachineEvents;
  /** Instructions per wall ms, to judge whether a recipe is reasonable to replay. */
  rate: number;
  /** Is the memory all zeroes (never used by a machine)? */
  pristine: boolean;
}

/** Copy a machine's log over to one restored from its snapshot (a snapshot does not carry it). */
function carryLog(from: Pick<Machine, 'log' | 'logFromBoot'>, to: Machine): Machine {
  to.log.push(...from.log.map((e) => ({ ...e })));
  to.logFromBoot = from.logFromBoot;
  return to;
}

/**
 * Build the machine of `p` over deps.mem. Throws SnapshotError (with the current
 * machine untouched) when it cannot be; returns the new machine, or, in the
 * unlikely case that a source proven good in scratch memory fails in the real
 * one, the old machine rebuilt, with `failed` saying why.
 */
export function build(p: Prepared, deps: BuildDeps): { machine: Machine; failed?: SnapshotError } {
  checkFits(p, deps.mem, deps.rate > 0 ? deps.rate : ASSUMED_RATE);
  if (!deps.current) return { machine: asSnapshotError(() => direct(p, deps)) };
  // The scratch build: every check, no effect on the running machine.
  const proven = asSnapshotError(() => {
    if (p.kind === 'snapshot') {
      Machine.restore(p.bytes, { images: deps.images });
      return { bytes: p.bytes, log: [] as Machine['log'], logFromBoot: false };
    }
    const m = replay(p.recipe, { images: deps.images });
    return { bytes: m.snapshot({ level: 0 }), log: m.log, logFromBoot: true };
  });
  const undo = safetyCopy(deps.current);
  // A restore writes every byte of the layout, so the memory need not be cleared first.
  try {
    const m = Machine.restore(proven.bytes, { memory: deps.mem, images: deps.images, trusted: true, events: deps.events });
    return { machine: carryLog(proven, m) };
  } catch (e) {
    const failed = e instanceof SnapshotError ? e : new SnapshotError(`the machine could not be built: ${String(e)}`);
    if (!undo) throw failed;
    const back = Machine.restore(undo.bytes, { memory: deps.mem, trusted: true, events: deps.events });
    return { machine: carryLog(undo, back), failed };
  }
}

/**
 * With no machine in the memory there is nothing to protect: build straight
 * into it (a restore checks in scratch memory first anyway). A failure leaves
 * the memory used and no machine, as it was.
 */
function direct(p: Prepared, deps: BuildDeps): Machine {
  if (p.kind === 'snapshot') return Machine.restore(p.bytes, { memory: deps.mem, images: deps.images, events: deps.events });
  // A machine is built from boot in zeroed memory.
  if (!deps.pristine) new Uint8Array(deps.mem.buffer).fill(0);
  return replay(p.recipe, { memory: deps.mem, images: deps.images, events: deps.events });
}

/** Run `build`; anything but a SnapshotError (a hypervisor bug met while replaying, memory refused) becomes one. */
function asSnapshotError<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`the machine could not be rebuilt (${e instanceof Error ? e.message : String(e)})`);
  }
}

function safetyCopy(m: Machine | null): { bytes: Uint8Array; log: Machine['log']; logFromBoot: boolean } | null {
  if (!m) return null;
  try {
    return { bytes: m.snapshot({ level: 1 }), log: m.log, logFromBoot: m.logFromBoot };
  } catch {
    return null; // a machine stopped by our own bug may not save; it is no loss then
  }
}

/** The file a Download saves: every image included, so it opens anywhere. */
export function snapshotFile(m: Machine): Uint8Array {
  return m.snapshot({ level: 9 });
}

export interface Shared {
  fragment: string;
  kind: 'recipe' | 'snapshot';
  why: string;
}

/** Replay is tried only when the machine's own computing took less than this (ms): beyond it, a replay cannot be quick. */
export const RECIPE_TRY_MS = 5 * RECIPE_MAX_MS;

export interface ShareOptions {
  /** Wall ms the machine's slices and builds took (see MachineRunner.computedMs): an upper bound of a replay's cost. */
  computedMs: number;
  /** Images the link leaves out (the app ships them). */
  shipped: ReadonlySet<string>;
  /** Wall ms, to time the trial replay. */
  now(): number;
}

/**
 * The link for a machine: its recipe when replaying it takes under
 * RECIPE_MAX_MS here, else a snapshot. The recipe is not guessed at: it is
 * replayed in scratch memory first, timed, and its machine's state hash
 * compared with this one's, so a recipe link is only handed out once it is known
 * to rebuild exactly this machine. The trial is skipped when the machine's own
 * computing (which a replay redoes, without the pauses) already took too long.
 */
export function shareLink(m: Machine, opts: ShareOptions): Shared {
  const insns = `${(m.executed / 1e6).toFixed(1)} M instructions`;
  let why = 'its inputs do not reach back to its boot (it was restored from a snapshot), so the link carries a snapshot';
  if (m.logFromBoot && opts.computedMs >= RECIPE_TRY_MS) {
    why = `it computed for ${(opts.computedMs / 1000).toFixed(1)} s to get here, too long to replay when the link is opened, so the link carries a snapshot`;
  } else if (m.logFromBoot) {
    const recipe = recipeOf(m, (id) => !opts.shipped.has(id));
    const t0 = opts.now();
    const trial = replaysTo(recipe, m, () => opts.now() - t0 >= RECIPE_MAX_MS);
    const ms = opts.now() - t0;
    if (trial === 'same') {
      const fragment = linkFragment('recipe', encodeRecipe(recipe));
      return { fragment, kind: 'recipe', why: `replaying its ${insns} takes about ${Math.max(1, Math.round(ms))} ms here, so the link carries its inputs` };
    }
    why = trial === 'slow'
      ? `replaying its ${insns} takes over ${(RECIPE_MAX_MS / 1000).toFixed(0)} s here, so the link carries a snapshot`
      : 'replaying its inputs did not rebuild this exact machine here, so the link carries a snapshot';
  }
  const bytes = m.snapshot({ level: 9, omitImages: (id) => opts.shipped.has(id) });
  return { fragment: linkFragment('snapshot', toBase64Url(bytes)), kind: 'snapshot', why };
}

/**
 * Replay `recipe` in scratch memory, abandoned once `tooLong` says so: 'same'
 * when it gives back `m` exactly (the same state, word for word).
 */
function replaysTo(recipe: Recipe, m: Machine, tooLong: () => boolean): 'same' | 'differs' | 'slow' {
  try {
    const copy = replay(recipe, { images: (id) => m.images.get(id)?.bytes, stop: tooLong });
    return sameState(copy, m) ? 'same' : 'differs';
  } catch (e) {
    return e instanceof ReplayStopped ? 'slow' : 'differs';
  }
}

/** What the banner says of a machine. */
export function summaryOf(m: Machine, kind: MachineSummary['kind'], size: number): MachineSummary {
  const domains = [...m.hv.domains.values()]
    .sort((a, b) => a.id - b.id)
    .map((d) => ({ domid: d.id, name: d.name, state: d.state }));
  return {
    kind, instructions: m.executed, timeNs: m.hv.time.now, domains, size,
    ...(kind === 'recipe' ? { inputs: m.log.length } : {}),
  };
}
