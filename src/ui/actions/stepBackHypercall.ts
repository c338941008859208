import type { Action } from './types';
import { back, canGoBack } from './stepBack';

export const stepBackHypercallAction: Action = {
  id: 'step-back-hypercall',
  label: '◀ Hypercall',
  description: 'Go back to the previous hypercall: where Next hypercall would have paused for it.',
  keys: ['Alt+Shift+H'],
  toolbar: 'timeline',
  enabled: canGoBack,
  run: () => back('hypercall'),
};
