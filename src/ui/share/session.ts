// The page's share session: the worker client's snapshot port, and the page as
// operations.ts needs it (its address, the shipped guests, clipboard, files).
import { workerClient } from '../client/useWorkerClient';
import { machineStore } from '../store/machineStore';
import { SHIPPED_GUESTS } from '../client/guests';
import type { Page } from './operations';
import { browserPage } from './page';
import type { SnapshotPort } from './port';

/** The running client's snapshot port; null before the worker starts. */
export function snapshotPort(): SnapshotPort | null {
  return workerClient()?.snapshots ?? null;
}

export function sharePage(): Page {
  return {
    ...browserPage(SHIPPED_GUESTS.map((g) => g.url)),
    // The status bar names the machine after its first guest, as after a boot.
    restored: (s) => machineStore.setState({ imageName: s.domains[0]?.name ?? 'machine' }),
  };
}
