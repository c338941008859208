import type { Action } from './types';
import { hasMachine } from './machine';
import { shareMachine } from '../share/operations';
import { sharePage, snapshotPort } from '../share/session';
import { shareStore } from '../share/shareStore';

export const shareAction: Action = {
  id: 'share',
  label: 'Share',
  description: 'Copy a link that holds this machine: its inputs when they replay within a second, else a snapshot. Whoever opens it gets the machine, paused.',
  keys: ['Alt+Shift+S'],
  toolbar: 'machine',
  enabled: hasMachine,
  run: () => {
    const port = snapshotPort();
    if (port) void shareMachine(port, shareStore, sharePage());
  },
};
