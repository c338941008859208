import type { Action } from './types';
import { control, hasMachine } from './machine';

export const stepInstructionAction: Action = {
  id: 'step-instruction',
  label: 'Step',
  description: 'Run the step count of instructions (one by default) on the vcpu that holds the CPU, then pause.',
  keys: ['F10'],
  toolbar: 'machine',
  enabled: hasMachine,
  run: (ctx) => control(ctx, { kind: 'step', unit: 'instruction', count: ctx.ui.stepCount }),
};
