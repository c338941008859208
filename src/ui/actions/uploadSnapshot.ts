import type { Action } from './types';
import { uploadSnapshot } from '../share/operations';
import { chooseFile } from '../share/page';
import { sharePage, snapshotPort } from '../share/session';
import { shareStore } from '../share/shareStore';

export const uploadSnapshotAction: Action = {
  id: 'upload-snapshot',
  label: 'Open',
  description: 'Open a snapshot file: it replaces the running machine, paused. A file that cannot be used leaves the machine as it was.',
  keys: ['Alt+Shift+O'],
  toolbar: 'machine',
  enabled: (ctx) => ctx.client !== null && ctx.machine.phase !== 'booting',
  run: () => {
    void chooseFile('.pvsnap,application/octet-stream').then((file) => {
      const port = snapshotPort();
      if (file && port) void uploadSnapshot(port, shareStore, sharePage(), file);
    });
  },
};
