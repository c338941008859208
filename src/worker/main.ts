// The Web Worker entry: binds the host to the worker's message port.
// Started by the UI as a module worker; see src/ui/client/workerClient.ts.
import { WorkerHost } from './host';

declare const self: DedicatedWorkerGlobalScope;

const host = new WorkerHost((message) => self.postMessage(message));
self.addEventListener('message', (event: MessageEvent<unknown>) => host.receive(event.data));
