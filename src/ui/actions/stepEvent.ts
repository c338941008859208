import type { Action } from './types';
import { control, hasMachine } from './machine';

export const stepEventAction: Action = {
  id: 'step-event',
  label: 'Next event',
  description: 'Run until the next event upcall enters a guest, then pause.',
  keys: ['Shift+F9'],
  toolbar: 'machine',
  enabled: hasMachine,
  run: (ctx) => control(ctx, { kind: 'step', unit: 'event' }),
};
