// The Web Worker entry: binds the host to the worker's message port.
// Started by the UI as a module worker; see src/ui/client/workerClient.ts.
// Zero-delay scheduling goes through a MessageChannel rather than setTimeout(0),
// which browsers clamp to 4 ms once calls nest: the machine would then run one
// millisecond in five.
import { DEFAULT_ENV, WorkerHost } from './host';

declare const self: DedicatedWorkerGlobalScope;

const channel = new MessageChannel();
const queued: (() => void)[] = [];
channel.port1.onmessage = () => queued.shift()?.();

function schedule(fn: () => void, delayMs: number): () => void {
  if (delayMs > 0) return DEFAULT_ENV.schedule(fn, delayMs);
  let live = true;
  queued.push(() => {
    if (live) fn();
  });
  channel.port2.postMessage(null);
  return () => {
    live = false;
  };
}

const host = new WorkerHost((message) => self.postMessage(message), undefined, { ...DEFAULT_ENV, schedule });
self.addEventListener('message', (event: MessageEvent<unknown>) => host.receive(event.data));
