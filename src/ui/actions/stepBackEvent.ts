import type { Action } from './types';
import { back, canGoBack } from './stepBack';

export const stepBackEventAction: Action = {
  id: 'step-back-event',
  label: '◀ Event',
  description: 'Go back to the previous event delivery (upcall): where Next event would have paused for it.',
  keys: ['Alt+Shift+E'],
  toolbar: 'timeline',
  enabled: canGoBack,
  run: () => back('event'),
};
