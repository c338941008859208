// Messages between the UI (main thread) and the worker that owns the machine.
// Pure types and constants: both sides import this file, nothing else of each other.
//
// Every message carries the protocol version `v`. The UI opens with `hello`; a worker
// built from other sources answers `error` with code 'version' instead of `ready`,
// so a stale cached worker is reported instead of misread.
//
// Bulk state never travels here: views read shared machine memory directly
// (DESIGN.md, principle 3). Messages carry commands, replies and small events:
// console bytes (batched per run slice), domain state changes, machine state.
// Everything from the UI is checked by isUiToWorker before the worker acts on it.

export const PROTOCOL_VERSION = 2;

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
    };

/**
 * Where the machine is. booting: fetching and building the guest; running: some
 * domain runs or waits for an event or a timer; stopped: no domain can run any
 * more (they all shut down); failed: boot failed or the hypervisor hit a bug of
 * its own, and the machine is stopped (message says why).
 */
export type MachinePhase = 'booting' | 'running' | 'stopped' | 'failed';

/** A domain's lifecycle state as the hypervisor keeps it (src/hv/domain.ts). */
export interface DomainInfo {
  domid: number;
  name: string;
  state: string;
  /** SHUTDOWN_* code once shut down, else -1. */
  shutdownReason: number;
  /** Why the hypervisor crashed it, when it did. */
  crashReason: string;
}

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
    }
  | { v: typeof PROTOCOL_VERSION; type: 'pong'; id: number; probeAddr: number }
  | { v: typeof PROTOCOL_VERSION; type: 'machine'; phase: MachinePhase; message?: string }
  | { v: typeof PROTOCOL_VERSION; type: 'domain'; domain: DomainInfo }
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
    }
  | { v: typeof PROTOCOL_VERSION; type: 'error'; code: WorkerErrorCode; message: string };

export type WorkerErrorCode = 'version' | 'bad-message' | 'not-ready' | 'memory' | 'busy' | 'boot';

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
        ((m.image instanceof ArrayBuffer && m.image.byteLength <= MAX_IMAGE_BYTES) || (typeof m.image === 'string' && m.image.length > 0)) &&
        optional(m.name, isString) &&
        optional(m.cmdline, isString) &&
        optional(m.memMiB, (n) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 1024)
      );
    case 'console-input':
      return (
        Number.isInteger(m.domid) &&
        (m.domid as number) >= 0 &&
        m.data instanceof Uint8Array &&
        m.data.length <= MAX_INPUT_BYTES
      );
    default:
      return false;
  }
}

/** The version a message claims, or undefined when it has none. */
export function versionOf(x: unknown): unknown {
  return isObj(x) ? x.v : undefined;
}
