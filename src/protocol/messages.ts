// Messages between the UI (main thread) and the worker that owns the machine.
// Pure types and constants: both sides import this file, nothing else of each other.
//
// Every message carries the protocol version `v`. The UI opens with `hello`; a worker
// built from other sources answers `error` with code 'version' instead of `ready`,
// so a stale cached worker is reported instead of misread.
//
// Bulk state never travels here: views read shared machine memory directly
// (DESIGN.md, principle 3). Messages carry commands, replies and small events.

export const PROTOCOL_VERSION = 1;

/** UI → worker. */
export type UiToWorker =
  | { v: typeof PROTOCOL_VERSION; type: 'hello' }
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'ping';
      /** Echoed in the pong, so the UI can match replies to requests. */
      id: number;
      /** A byte (0-255) the worker stores at `PROBE_ADDR` of machine memory before it answers. */
      probe: number;
    };

/** Worker → UI. */
export type WorkerToUi =
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'ready';
      /** The machine's memory: a shared WebAssembly.Memory, the same bytes the worker uses. */
      memory: WebAssembly.Memory;
      ramBytes: number;
      totalBytes: number;
    }
  | { v: typeof PROTOCOL_VERSION; type: 'pong'; id: number; probeAddr: number }
  | { v: typeof PROTOCOL_VERSION; type: 'error'; code: WorkerErrorCode; message: string };

export type WorkerErrorCode = 'version' | 'bad-message' | 'not-ready' | 'memory';

/**
 * Where `ping` stores its probe byte: the last byte of RAM. Harmless while no guest
 * runs, which is always so far; once machines boot, the probe must move out of
 * guest-visible memory or be refused while a guest runs.
 */
export function probeAddress(ramBytes: number): number {
  return ramBytes - 1;
}

export function isUiToWorker(x: unknown): x is UiToWorker {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) return false;
  switch (m.type) {
    case 'hello':
      return true;
    case 'ping':
      return Number.isInteger(m.id) && Number.isInteger(m.probe) && (m.probe as number) >= 0 && (m.probe as number) <= 255;
    default:
      return false;
  }
}

/** The version a message claims, or undefined when it has none. */
export function versionOf(x: unknown): unknown {
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>).v : undefined;
}
