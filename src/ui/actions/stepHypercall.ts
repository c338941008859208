import type { Action } from './types';
import { control, hasMachine } from './machine';

export const stepHypercallAction: Action = {
  id: 'step-hypercall',
  label: 'Next hypercall',
  description: 'Run until the next hypercall completes, then pause and show it.',
  keys: ['F9'],
  toolbar: 'machine',
  enabled: hasMachine,
  run: (ctx) => control(ctx, { kind: 'step', unit: 'hypercall' }),
};
