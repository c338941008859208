import type { Action } from './types';
import { control } from './machine';

export const runAction: Action = {
  id: 'run',
  label: 'Run',
  description: 'Let the paused machine run again, paced by the speed setting.',
  keys: ['F8'],
  toolbar: 'machine',
  enabled: (ctx) => ctx.client !== null && ctx.machine.phase === 'paused',
  run: (ctx) => control(ctx, { kind: 'run' }),
};
