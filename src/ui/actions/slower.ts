import type { Action } from './types';
import { currentSpeed, nextSpeed, setSpeed, SPEEDS } from './speeds';

export const slowerAction: Action = {
  id: 'slower',
  label: 'Slower',
  description: 'Run virtual time slower against the wall clock, down to a hundredth (slow motion).',
  keys: ['['],
  toolbar: 'none',
  enabled: (ctx) => ctx.client !== null && currentSpeed(ctx) !== SPEEDS[0],
  run: (ctx) => setSpeed(ctx, nextSpeed(currentSpeed(ctx), -1)),
};
