import type { Action } from './types';
import { back, canGoBack } from './stepBack';

export const stepBackInstructionAction: Action = {
  id: 'step-back-instruction',
  label: '◀ Step',
  description: 'Go back one instruction: the nearest checkpoint is restored and the machine replayed to the instruction before.',
  keys: ['Alt+Shift+I'],
  toolbar: 'timeline',
  enabled: canGoBack,
  run: () => back('instruction'),
};
