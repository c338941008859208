import type { Action } from './types';
import { control } from './machine';

export const resetAction: Action = {
  id: 'reset',
  label: 'Reset',
  description: 'Boot the guest again from scratch; other domains and everything typed are gone.',
  keys: ['Alt+Shift+R'],
  toolbar: 'machine',
  enabled: (ctx) => ctx.client !== null && ctx.machine.phase !== 'none' && ctx.machine.phase !== 'booting',
  run: (ctx) => control(ctx, { kind: 'reset' }),
};
