import type { Action } from './types';
import { hasMachine } from './machine';
import { downloadSnapshot } from '../share/operations';
import { sharePage, snapshotPort } from '../share/session';
import { shareStore } from '../share/shareStore';

export const downloadSnapshotAction: Action = {
  id: 'download-snapshot',
  label: 'Save',
  description: 'Download a snapshot file of this machine, for states too large for a link; Open brings it back.',
  keys: ['Alt+Shift+D'],
  toolbar: 'machine',
  enabled: hasMachine,
  run: () => {
    const port = snapshotPort();
    if (port) void downloadSnapshot(port, shareStore, sharePage());
  },
};
