import type { Action } from './types';
import { control } from './machine';

export const pauseAction: Action = {
  id: 'pause',
  label: 'Pause',
  description: 'Hold the whole machine at an instruction boundary; the panels keep showing its state.',
  keys: ['F8'],
  toolbar: 'machine',
  enabled: (ctx) => ctx.client !== null && ctx.machine.phase === 'running',
  run: (ctx) => control(ctx, { kind: 'pause' }),
};
