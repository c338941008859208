// Starts the worker for as long as the calling component is mounted, and offers
// window.pvplay.ping() for the devtools console and the e2e tests.
import { useEffect } from 'react';
import { workerStore } from '../store/workerStore';
import { WorkerClient, type PingResult } from './workerClient';

declare global {
  interface Window {
    pvplay?: { ping(): Promise<PingResult> };
  }
}

export function useWorkerClient(): void {
  useEffect(() => {
    const client = new WorkerClient(workerStore);
    window.pvplay = { ping: () => client.ping() };
    return () => {
      delete window.pvplay;
      client.dispose();
      workerStore.setState({ status: { phase: 'starting' } });
    };
  }, []);
}
