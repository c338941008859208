// What the UI knows about the worker, as a vanilla zustand store: the worker client
// writes it, components read it through useWorkerStatus.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { MemoryLayout } from '../../shared/layout';

export type SharedCheck = 'pending' | 'ok' | 'failed';

export type WorkerStatus =
  | { phase: 'starting' }
  | {
      phase: 'ready';
      ramBytes: number;
      totalBytes: number;
      /** The machine's memory, shared with the worker: panels read live state from it. */
      memory: WebAssembly.Memory;
      /** Where each region of that memory sits. */
      layout: MemoryLayout;
      /** Did a byte the worker stored show up in the UI's view of shared memory? */
      sharedCheck: SharedCheck;
      /** Round-trip time of the last ping, in milliseconds. */
      rttMs: number | null;
    }
  | { phase: 'failed'; message: string };

export interface WorkerState {
  status: WorkerStatus;
}

export type WorkerStore = ReturnType<typeof createWorkerStore>;

export function createWorkerStore() {
  return createStore<WorkerState>()(() => ({ status: { phase: 'starting' } }));
}

/** The page's one worker store. */
export const workerStore = createWorkerStore();

export function useWorkerStatus(): WorkerStatus {
  return useStore(workerStore, (s) => s.status);
}
