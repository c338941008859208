// Starting the machine before the app has loaded: main.tsx calls startEarly()
// first thing, so the worker loads, makes its memory and boots the default guest
// while the browser is still parsing React, the dock layout and xterm.js. What
// the worker says meanwhile is kept, in order, for the WorkerClient that takes
// over (takeEarly) once the page is up. Only in a cross-origin isolated page:
// elsewhere the isolation screen explains why nothing runs.
import { PROTOCOL_VERSION } from '../../protocol/messages';
import { defaultGuest, type ShippedGuest } from './guests';
import { spawnWorker } from './spawn';
import { linkInPage } from '../share/linkInPage';

export interface EarlyBoot {
  guest: ShippedGuest;
  /** performance.now() when the boot command went out. */
  at: number;
}

export interface EarlyStart {
  worker: Worker;
  /** Events that arrived before the client took over, in order (messages and errors). */
  backlog: Event[];
  /** The boot command, once sent. */
  boot: EarlyBoot | null;
  /** Called when the boot command goes out, if that is after the takeover. */
  onBoot: ((boot: EarlyBoot) => void) | null;
  /** Stop keeping events: the client listens now. */
  release(): void;
}

let early: EarlyStart | null = null;

export function startEarly(): void {
  if (early || !globalThis.crossOriginIsolated) return;
  const worker = spawnWorker();
  const backlog: Event[] = [];
  const keep = (e: Event) => backlog.push(e);
  for (const type of ['message', 'error', 'messageerror']) worker.addEventListener(type, keep);
  const start: EarlyStart = {
    worker,
    backlog,
    boot: null,
    onBoot: null,
    release: () => {
      for (const type of ['message', 'error', 'messageerror']) worker.removeEventListener(type, keep);
    },
  };
  early = start;
  worker.postMessage({ v: PROTOCOL_VERSION, type: 'hello' });
  // A share link opens its own machine (share/load.ts): no default guest then.
  if (linkInPage()) return;
  void defaultGuest(window.location.search).then((guest) => {
    const image = new URL(guest.url, document.baseURI).href;
    // The client (if it has taken over) must know of the boot before any answer to it arrives.
    start.boot = { guest, at: performance.now() };
    performance.mark('pvplay:boot-sent');
    start.onBoot?.(start.boot);
    worker.postMessage({ v: PROTOCOL_VERSION, type: 'boot', image, name: guest.name, memMiB: guest.memMiB });
  });
}

/** The early start, once: the first client takes it, later ones start their own worker. */
export function takeEarly(): EarlyStart | null {
  const e = early;
  early = null;
  return e;
}

