import type { Action } from './types';

export const helpAction: Action = {
  id: 'help',
  label: 'Help',
  description: 'Show what each panel is for and every keyboard shortcut; Escape closes it.',
  keys: ['?', 'F1'],
  toolbar: 'view',
  enabled: () => true,
  run: (ctx) => ctx.uiStore.setState({ helpOpen: !ctx.ui.helpOpen }),
};
