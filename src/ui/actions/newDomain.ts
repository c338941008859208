import type { Action } from './types';

export const newDomainAction: Action = {
  id: 'new-domain',
  label: 'New domain',
  description: 'Start another guest beside the running ones: a shipped guest, or a PV kernel from your disk.',
  keys: ['N'],
  toolbar: 'view',
  enabled: (ctx) => ctx.client !== null && ctx.machine.phase !== 'booting',
  run: (ctx) => ctx.uiStore.setState({ newDomainOpen: true }),
};
