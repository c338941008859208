import type { Action } from './types';
import type { ThemeChoice } from '../store/uiStore';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'dark', dark: 'light', light: 'system' };

export const themeAction: Action = {
  id: 'theme',
  label: 'Theme',
  description: 'Switch between the dark theme, the light theme (better on most projectors) and the system setting.',
  keys: ['T'],
  toolbar: 'view',
  enabled: () => true,
  run: (ctx) => ctx.uiStore.setState({ theme: NEXT[ctx.ui.theme] }),
};
