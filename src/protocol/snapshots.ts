// Messages about a machine as a whole: taking it away (snapshot file, share
// link), bringing one back (file or link), and moving along its past (the
// timeline: checkpoints, seek, step back). messages.ts includes these in its
// unions; they are apart so that the two concerns can change separately.
//
// Every request carries an id and gets exactly one reply with that id. A reply
// with `error` says, for the user, why nothing happened; the machine the worker
// had is then still there, as it was.
import type { PROTOCOL_VERSION } from './messages';
import { MAX_LINK_CHARS } from './share';

type V = typeof PROTOCOL_VERSION;

/** The largest snapshot file the worker reads (a full 32 MiB machine compresses well below it). */
export const MAX_SNAPSHOT_FILE = 256 << 20;

/**
 * `shipped`: absolute URLs of the guest images the app ships. A link leaves those
 * images out (whoever opens it has them), and a restore fetches them when the
 * link or file names one by its hash without carrying it.
 */
const MAX_SHIPPED = 16;

export type StepBackUnit = 'instruction' | 'hypercall' | 'event';

export type RestoreSource =
  /** A snapshot file's bytes (Upload). */
  | { kind: 'file'; bytes: ArrayBuffer; name?: string }
  /** A share link's fragment, as the address bar had it (with or without '#'). */
  | { kind: 'link'; fragment: string };

/** UI → worker. */
export type SnapshotRequest =
  /** The machine as a snapshot file: replies with `snapshot-file`. */
  | { v: V; type: 'snapshot'; id: number }
  /** Replace the machine by this one, paused: replies with `restored`. */
  | { v: V; type: 'restore'; id: number; source: RestoreSource; shipped: string[] }
  /** A link for this machine: replies with `share-link`. */
  | { v: V; type: 'share'; id: number; shipped: string[] }
  /** Replies with `timeline-info`. */
  | { v: V; type: 'timeline'; id: number }
  /** Go to the moment `instructions` had retired (back or forward within the timeline), paused: replies with `seeked`. */
  | { v: V; type: 'seek'; id: number; instructions: number }
  /** Go back one instruction, or to the previous hypercall or event delivery, paused: replies with `seeked`. */
  | { v: V; type: 'step-back'; id: number; unit: StepBackUnit };

/** What a snapshot, link or file holds, for the banner and the file name. */
export interface MachineSummary {
  kind: 'recipe' | 'snapshot';
  /** Instructions retired when it was taken. */
  instructions: number;
  /** Virtual time then, in ns. */
  timeNs: number;
  domains: { domid: number; name: string; state: string }[];
  /** Characters of the link, or bytes of the file. */
  size: number;
  /** A recipe: the inputs its log replays. */
  inputs?: number;
}

/** Where the machine stands on its timeline. */
export interface TimelineInfo {
  /** The earliest instruction count one can go back to (0 when the machine's past reaches its boot). */
  start: number;
  /** Instructions retired now. */
  now: number;
  /** The furthest point recorded: after going back, seek can return up to here. */
  end: number;
  /** Instruction counts of the checkpoints kept, ascending. */
  checkpoints: number[];
  /** Instruction counts at which outside inputs took effect (keystrokes, commands), ascending. */
  inputs: number[];
}

/** Worker → UI. */
export type SnapshotReply =
  | { v: V; type: 'snapshot-file'; id: number; bytes?: ArrayBuffer; summary?: MachineSummary; error?: string }
  | { v: V; type: 'restored'; id: number; summary?: MachineSummary; error?: string }
  | {
      v: V;
      type: 'share-link';
      id: number;
      /** The fragment, without '#'. */
      fragment?: string;
      summary?: MachineSummary;
      /** Why a recipe or a snapshot was chosen, in a sentence. */
      why?: string;
      error?: string;
    }
  /** The answer to `timeline` (with its id), and sent unasked (no id) when checkpoints or the position change. */
  | { v: V; type: 'timeline-info'; id?: number; timeline: TimelineInfo }
  | { v: V; type: 'seeked'; id: number; instructions?: number; error?: string }
  /**
   * The console text of a machine that replaced the one the UI saw (sent after
   * the phase 'booting' that clears the UI's views): each guest's last output,
   * and the hypervisor console as `xl dmesg` has it (lines already prefixed).
   */
  | { v: V; type: 'scrollback'; guest: { domid: number; data: Uint8Array }[]; xen: Uint8Array };

const STEP_UNITS: readonly StepBackUnit[] = ['instruction', 'hypercall', 'event'];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

function isSource(s: unknown): boolean {
  if (!isObj(s)) return false;
  switch (s.kind) {
    case 'file':
      return s.bytes instanceof ArrayBuffer && s.bytes.byteLength <= MAX_SNAPSHOT_FILE
        && (s.name === undefined || (typeof s.name === 'string' && s.name.length <= 4096));
    case 'link':
      return typeof s.fragment === 'string' && s.fragment.length <= MAX_LINK_CHARS + 64;
    default:
      return false;
  }
}

function isUrls(x: unknown): boolean {
  return Array.isArray(x) && x.length <= MAX_SHIPPED && x.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 2048);
}

/** The checks of isUiToWorker for these messages (version already checked). */
export function isSnapshotRequest(m: Record<string, unknown>): boolean {
  if (!Number.isInteger(m.id)) return false;
  switch (m.type) {
    case 'snapshot': case 'timeline':
      return true;
    case 'share':
      return isUrls(m.shipped);
    case 'restore':
      return isSource(m.source) && isUrls(m.shipped);
    case 'seek':
      return Number.isSafeInteger(m.instructions) && (m.instructions as number) >= 0;
    case 'step-back':
      return STEP_UNITS.includes(m.unit as StepBackUnit);
    default:
      return false;
  }
}

export const SNAPSHOT_REQUESTS: readonly string[] = ['snapshot', 'restore', 'share', 'timeline', 'seek', 'step-back'];
