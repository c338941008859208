// Alt+1 ... Alt+9: bring a panel to the front and put the keyboard in it, in
// the order of the panel registry. One action per panel, made from the registry
// here rather than written out nine times: they differ only in the panel.
import { PANELS } from '../panels/registry';
import { focusPanel } from '../store/uiStore';
import type { Action } from './types';

export const showPanelActions: readonly Action[] = PANELS.slice(0, 9).map((p, i) => ({
  id: `show-${p.id}`,
  label: p.title,
  description: `Show the ${p.title} panel and move the keyboard focus into it.`,
  keys: [`Alt+${i + 1}`],
  toolbar: 'none',
  enabled: () => true,
  run: () => focusPanel(p.id),
}));
