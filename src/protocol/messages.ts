// Messages between the UI (main thread) and the worker that owns the machine.
// Pure types and constants: both sides import this file, nothing else of each other.
// Live views (registers, page types, event bitmaps, grant entries, the trace ring)
// read shared memory at the places src/shared/layout.ts and src/shared/trace.ts
// give; messages here carry what shared memory does not hold: commands, replies,
// console bytes, and the structure of per-domain tables when it changes.
//
// Every message carries the protocol version `v`. The UI opens with `hello`; a worker
// built from other sources answers `error` with code 'version' instead of `ready`,
// so a stale cached worker is reported instead of misread.
//
// Bulk state never travels here: views read shared machine memory directly
// (DESIGN.md, principle 3). Messages carry commands, replies and small events:
// console bytes (batched per run slice), domain state changes, machine state.
// Everything from the UI is checked by isUiToWorker before the worker acts on it.

import type { MemoryLayout } from '../shared/layout';
import type { FrameMapping } from '../shared/frames';
import { SNAPSHOT_REQUESTS, isSnapshotRequest, type SnapshotReply, type SnapshotRequest } from './snapshots';

// v2: boot, console input, machine and domain state, console bytes, stats.
// v3: control (pause, step, speed), xl, event-channel pokes, break filters, and
// live views over shared memory and the trace ring.
// v4: snapshots, share links and the timeline (snapshots.ts), the scrollback a
// restored machine brings, and interrupting an xl command.
export const PROTOCOL_VERSION = 4;

/** The largest guest image the worker accepts (the demo guest is ~17 KiB; Linux is a few MiB). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
/** The most console input bytes one message may carry. */
export const MAX_INPUT_BYTES = 4096;

/** UI → worker. */
export type UiToWorker =
  | { v: typeof PROTOCOL_VERSION; type: 'hello' }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'ping';
      /** Echoed in the pong, so the UI can match replies to requests. */
      id: number;
      /** A byte (0-255) the worker stores at the probe address of machine memory before it answers. */
      probe: number;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'boot';
      /** The PV kernel: its bytes, or a URL the worker fetches (absolute, or relative to the worker). */
      image: ArrayBuffer | string;
      /** Domain name shown in the UI; defaults to the image's file name. */
      name?: string;
      /** Guest memory in MiB (default 8). */
      memMiB?: number;
      cmdline?: string;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'console-input';
      domid: number;
      /** Keystrokes for the domain's PV console, as bytes (UTF-8). */
      data: Uint8Array;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      /** Add a domain to the running machine (the 'new domain' dialog); replies with `created`. */
      type: 'create';
      id: number;
      image: ArrayBuffer | string;
      name: string;
      memMiB?: number;
      vcpus?: number;
      cmdline?: string;
    }
  | { v: typeof PROTOCOL_VERSION; type: 'control'; action: ControlAction }
  | {
      v: typeof PROTOCOL_VERSION;
      /** Virtual time against the wall clock: 1 = real time; 0 = as fast as the host can go. */
      type: 'speed';
      factor: number;
    }
  | { v: typeof PROTOCOL_VERSION; type: 'domain-op'; domid: number; op: DomainOp }
  | {
      v: typeof PROTOCOL_VERSION;
      /** One line for Domain 0's shell (xl, xenstore-*); replies with `xl-output`. */
      type: 'xl';
      id: number;
      line: string;
    }
  /** Ctrl-C for the xl line `id` whose output still follows (xenstore-watch, xl shutdown -w). */
  | { v: typeof PROTOCOL_VERSION; type: 'xl-interrupt'; id: number }
  | { v: typeof PROTOCOL_VERSION; type: 'evtchn-op'; domid: number; port: number; op: EvtchnOp }
  | {
      v: typeof PROTOCOL_VERSION;
      /** Pause when a hypercall with one of these numbers completes (empty: no breakpoints). */
      type: 'break';
      hypercalls: number[];
      /** Only in this domain (absent: any). */
      domid?: number;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      /** Who maps machine frame `mfn`: replies with `frame-info`. */
      type: 'frame-query';
      id: number;
      mfn: number;
    }
  /** Snapshots, share links and the timeline (snapshots.ts). */
  | SnapshotRequest;

/**
 * run/pause: let the machine go, or hold it at an instruction boundary. step: run
 * `count` instructions (of the vcpu that holds the CPU), or until the next hypercall
 * completes, or until the next event upcall is delivered, then pause. reset: boot the
 * last boot command again from scratch.
 */
export type ControlAction =
  | { kind: 'run' }
  | { kind: 'pause' }
  | { kind: 'step'; unit: 'instruction'; count: number }
  | { kind: 'step'; unit: 'hypercall' | 'event' }
  | { kind: 'reset' };

export type DomainOp = 'pause' | 'unpause' | 'shutdown' | 'reboot' | 'destroy';
/** inject: raise the port as if its remote end had sent (set pending, kick the vcpu). */
export type EvtchnOp = 'inject' | 'mask' | 'unmask';

/**
 * Where the machine is. booting: fetching and building the guest; running: some
 * domain runs or waits for an event or a timer; stopped: no domain can run any
 * more (they all shut down); failed: boot failed or the hypervisor hit a bug of
 * its own, and the machine is stopped (message says why).
 */
export type MachinePhase = 'booting' | 'running' | 'paused' | 'stopped' | 'failed';

/** Why the machine paused (with phase 'paused'). */
export interface PauseInfo {
  reason: 'user' | 'step' | 'hypercall' | 'event' | 'breakpoint';
  /** Machine-wide retired instructions at the pause. */
  instructions: number;
  /** The domain and vcpu that held the CPU (or took the hypercall / event). */
  domid: number;
  vcpu: number;
  /** The trace record number that ended a step or hit a breakpoint. */
  traceSeq?: number;
}

/**
 * A domain's lifecycle state as the hypervisor keeps it (src/hv/domain.ts).
 * Domain 0 is listed too, as `xl list` shows it: it is TypeScript services here,
 * with no vcpus, no RAM and sharedInfoMfn 0 (its event page is not in machine
 * memory), but its ports are the backends' ends of the guests' channels.
 */
export interface DomainInfo {
  domid: number;
  name: string;
  /** running | paused | shutdown | dead (src/hv/domain.ts DomainState). */
  state: string;
  /** SHUTDOWN_* code once shut down, else -1. */
  shutdownReason: number;
  /** Why the hypervisor crashed it, when it did. */
  crashReason: string;
  /** Pages it may have and pages it has, in KiB. */
  maxMemKiB: number;
  memKiB: number;
  /** Machine frame of its shared_info page (event bitmaps, vcpu_info), 0 if none. */
  sharedInfoMfn: number;
  /** Machine frames of its grant table (v1 entries), in order. */
  grantFrames: number[];
  vcpus: VcpuInfo[];
}

export interface VcpuInfo {
  id: number;
  /** Register-file slot in shared memory (MachineMemory.regFile / layout.regFileOffset). */
  slot: number;
  /** offline | runnable | running | blocked | polling (src/hv/vcpu.ts). */
  state: string;
  /** Machine address of its vcpu_info (upcall pending/mask, pending selector). */
  vcpuInfoAddr: number;
}

/** What changes all the time, sent with `stats` instead of per change. */
export interface DomainCounters {
  domid: number;
  /** xl list's State column: r b p s c d. */
  xlState: string;
  /** Virtual CPU time in ns (instructions retired by its vcpus). */
  cpuTimeNs: number;
  hypercalls: number;
  upcalls: number;
}

/** One bound event-channel port (ECS_FREE ports are left out). */
export interface PortInfo {
  port: number;
  state: 'reserved' | 'unbound' | 'interdomain' | 'pirq' | 'virq' | 'ipi';
  notifyVcpu: number;
  /** unbound: the domain allowed to bind; interdomain: the remote end. -1 otherwise. */
  remoteDom: number;
  remotePort: number;
  /** virq number, -1 otherwise. */
  virq: number;
}

/** A grant of another domain this domain has mapped (its maptrack). */
export interface GrantMapInfo {
  handle: number;
  granter: number;
  ref: number;
  mfn: number;
  /** GNTMAP_* flags. */
  flags: number;
  /** Where it is mapped: the host virtual address (GNTMAP_host_map), else 0. */
  hostAddr: number;
}

export type { FrameMapping };

/** Worker → UI. */
export type WorkerToUi =
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'ready';
      /** The machine's memory: a shared WebAssembly.Memory, the same bytes the worker uses. */
      memory: WebAssembly.Memory;
      ramBytes: number;
      totalBytes: number;
      /** Where `ping` stores its probe (see probeAddress). */
      probeAddr: number;
      /** Where each region of shared memory sits (register files, frame table, trace ring). */
      layout: MemoryLayout;
    }
  | { v: typeof PROTOCOL_VERSION; type: 'pong'; id: number; probeAddr: number }
  | { v: typeof PROTOCOL_VERSION; type: 'machine'; phase: MachinePhase; message?: string; pause?: PauseInfo }
  | { v: typeof PROTOCOL_VERSION; type: 'domain'; domain: DomainInfo }
  /** The domain was destroyed and is gone from `xl list`. */
  | { v: typeof PROTOCOL_VERSION; type: 'domain-gone'; domid: number }
  /** A domain's bound ports, sent when the set or any binding changes. */
  | { v: typeof PROTOCOL_VERSION; type: 'evtchn'; domid: number; ports: PortInfo[] }
  /** The grants a domain has mapped from others, sent when they change. */
  | { v: typeof PROTOCOL_VERSION; type: 'grant-maps'; domid: number; maps: GrantMapInfo[] }
  | { v: typeof PROTOCOL_VERSION; type: 'created'; id: number; domid?: number; error?: string }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'xl-output';
      id: number;
      /** What the command printed (stdout, then stderr). */
      output: string;
      status: number;
      /** `xl console N`: show domain N's console. */
      attach?: number;
      /** More output follows with the same id (the last reply of such a line has no `more`). */
      more?: boolean;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'frame-info';
      id: number;
      mfn: number;
      mappings: FrameMapping[];
      /** Why there is no answer (no machine, a frame beyond RAM); mappings is then empty. */
      error?: string;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'console';
      /** guest: a domain's PV console (hvc0). xen: the hypervisor console (console_io, and hypervisor messages with domid -1). */
      source: 'guest' | 'xen';
      domid: number;
      data: Uint8Array;
    }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'stats';
      /** Instructions retired by every vcpu since boot. */
      instructions: number;
      /** Virtual system time in ns. */
      systemTimeNs: number;
      /** Wall-clock milliseconds since boot. */
      wallMs: number;
      domains: DomainCounters[];
      /** Speed factor in force (see `speed`). */
      speed: number;
    }
  | { v: typeof PROTOCOL_VERSION; type: 'error'; code: WorkerErrorCode; message: string }
  | SnapshotReply;

/**
 * version, memory: the worker cannot serve this page. The others are about one
 * message, and the worker goes on: bad-message (malformed), not-ready (before
 * hello), busy (not now), boot (the image could
 * not be loaded), no-machine, no-domain, refused (the command does not apply:
 * an unbound port, nothing to reset...), unsupported (this build cannot do it).
 */
export type WorkerErrorCode =
  | 'version' | 'bad-message' | 'not-ready' | 'memory' | 'busy' | 'boot' | 'no-machine' | 'no-domain' | 'refused'
  | 'unsupported';

/** Errors after which the worker cannot go on. */
export function isFatalError(code: WorkerErrorCode): boolean {
  return code === 'version' || code === 'memory';
}

/**
 * Where `ping` stores its probe byte. Past the last region of the layout when the
 * buffer has room there (WebAssembly memory comes in 64 KiB pages, so it usually
 * does), where no guest and no engine ever looks; otherwise the last byte of RAM,
 * and then the worker refuses pings while a guest runs.
 */
export function probeAddress(ramBytes: number, totalBytes: number, bufferBytes: number): number {
  return bufferBytes > totalBytes ? bufferBytes - 1 : ramBytes - 1;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const optional = (x: unknown, ok: (y: unknown) => boolean): boolean => x === undefined || ok(x);
const isString = (x: unknown): boolean => typeof x === 'string';

export function isUiToWorker(x: unknown): x is UiToWorker {
  if (!isObj(x)) return false;
  const m = x;
  if (m.v !== PROTOCOL_VERSION) return false;
  switch (m.type) {
    case 'hello':
      return true;
    case 'ping':
      return Number.isInteger(m.id) && Number.isInteger(m.probe) && (m.probe as number) >= 0 && (m.probe as number) <= 255;
    case 'boot':
      return (
        isImage(m.image) &&
        optional(m.name, isString) &&
        optional(m.cmdline, isString) &&
        optional(m.memMiB, (n) => isIntIn(n, 1, 1024))
      );
    case 'console-input':
      return isDomid(m.domid) && m.data instanceof Uint8Array && m.data.length <= MAX_INPUT_BYTES;
    case 'create':
      return (
        Number.isInteger(m.id) &&
        isImage(m.image) &&
        typeof m.name === 'string' &&
        (m.name as string).length > 0 &&
        (m.name as string).length <= 64 &&
        optional(m.cmdline, isString) &&
        optional(m.memMiB, (n) => isIntIn(n, 1, 1024)) &&
        optional(m.vcpus, (n) => isIntIn(n, 1, 8))
      );
    case 'control':
      return isControl(m.action);
    case 'speed':
      return typeof m.factor === 'number' && Number.isFinite(m.factor) && m.factor >= 0 && m.factor <= 1e6;
    case 'domain-op':
      return isDomid(m.domid) && DOMAIN_OPS.includes(m.op as DomainOp);
    case 'xl':
      return Number.isInteger(m.id) && typeof m.line === 'string' && (m.line as string).length <= MAX_INPUT_BYTES;
    case 'xl-interrupt':
      return Number.isInteger(m.id);
    case 'evtchn-op':
      return isDomid(m.domid) && isIntIn(m.port, 1, 4095) && EVTCHN_OPS.includes(m.op as EvtchnOp);
    case 'break':
      return (
        Array.isArray(m.hypercalls) &&
        m.hypercalls.length <= 64 &&
        m.hypercalls.every((n) => isIntIn(n, 0, 63)) &&
        optional(m.domid, isDomid)
      );
    case 'frame-query':
      return Number.isInteger(m.id) && isIntIn(m.mfn, 0, 0xfffff);
    default:
      return SNAPSHOT_REQUESTS.includes(m.type as string) && isSnapshotRequest(m);
  }
}

const DOMAIN_OPS: readonly DomainOp[] = ['pause', 'unpause', 'shutdown', 'reboot', 'destroy'];
const EVTCHN_OPS: readonly EvtchnOp[] = ['inject', 'mask', 'unmask'];
/** The most instructions one step command may ask for. */
export const MAX_STEP = 1_000_000_000;

function isIntIn(n: unknown, lo: number, hi: number): boolean {
  return Number.isInteger(n) && (n as number) >= lo && (n as number) <= hi;
}
function isDomid(n: unknown): boolean {
  return isIntIn(n, 0, 0x7fef);
}
function isImage(x: unknown): boolean {
  return (x instanceof ArrayBuffer && x.byteLength <= MAX_IMAGE_BYTES) || (typeof x === 'string' && x.length > 0);
}
function isControl(a: unknown): boolean {
  if (!isObj(a)) return false;
  switch (a.kind) {
    case 'run': case 'pause': case 'reset':
      return true;
    case 'step':
      return a.unit === 'instruction' ? isIntIn(a.count, 1, MAX_STEP) : a.unit === 'hypercall' || a.unit === 'event';
    default:
      return false;
  }
}

/** The version a message claims, or undefined when it has none. */
export function versionOf(x: unknown): unknown {
  return isObj(x) ? x.v : undefined;
}
