import type { Action } from './types';
import { currentSpeed, nextSpeed, setSpeed, SPEEDS } from './speeds';

export const fasterAction: Action = {
  id: 'faster',
  label: 'Faster',
  description: 'Run virtual time faster against the wall clock, up to flat out (as fast as the host can).',
  keys: [']'],
  toolbar: 'none',
  enabled: (ctx) => ctx.client !== null && currentSpeed(ctx) !== SPEEDS[SPEEDS.length - 1],
  run: (ctx) => setSpeed(ctx, nextSpeed(currentSpeed(ctx), 1)),
};
