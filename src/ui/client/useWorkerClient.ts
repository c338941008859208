// Starts the worker for as long as the calling component is mounted, boots the
// default shipped guest (client/guests.ts), and offers window.pvplay (ping, boot) for the devtools
// console and the e2e tests. Components send keystrokes with sendConsoleInput.
import { useEffect } from 'react';
import { workerStore } from '../store/workerStore';
import { INITIAL_MACHINE_STATE, machineStore } from '../store/machineStore';
import { consoleStreams } from './consoleStreams';
import { WorkerClient, type PingResult } from './workerClient';
import { defaultGuest } from './guests';
import { takeEarly } from './earlyStart';
import { openAtLoad } from '../share/load';
import { linkInPage } from '../share/linkInPage';


declare global {
  interface Window {
    pvplay?: { ping(): Promise<PingResult>; boot(url: string, name?: string): void };
  }
}

let active: WorkerClient | null = null;

/** The running client, for actions and panels that send commands; null before the worker starts. */
export function workerClient(): WorkerClient | null {
  return active;
}

/** Keystrokes for a domain's PV console; dropped when no worker runs. */
export function sendConsoleInput(domid: number, data: Uint8Array): void {
  active?.type(domid, data);
}

export function useWorkerClient(): void {
  useEffect(() => {
    const early = takeEarly();
    // A share link in the address opens that machine; the default guest boots only if it cannot be used.
    const link = linkInPage();
    const autoBoot = early || link ? undefined : defaultGuest(window.location.search);
    const client = new WorkerClient(workerStore, { machine: machineStore, consoles: consoleStreams, autoBoot, early });
    active = client;
    if (link) {
      void openAtLoad(() => void defaultGuest(window.location.search).then((g) => client.boot(g.url, g.name, g.memMiB)));
    }
    window.pvplay = {
      ping: () => client.ping(),
      boot: (url, name) => client.boot(url, name ?? url.split('/').pop() ?? 'guest'),
    };
    return () => {
      delete window.pvplay;
      if (active === client) active = null;
      client.dispose();
      workerStore.setState({ status: { phase: 'starting' } });
      machineStore.setState(INITIAL_MACHINE_STATE);
      consoleStreams.clear();
    };
  }, []);
}
