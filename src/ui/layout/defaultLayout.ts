// Where the panels start: the guest console large on the left, with Domain-0's
// shell, the Xen console and the trace in one tabbed group under it; domains on
// the right above the tables (event channels, grants, page types, CPU) that
// share one tabbed group.
import type { DockviewApi } from 'dockview-react';
import { PANELS, panelInfo } from '../panels/registry';

export const PANEL_COMPONENT = 'placeholder';

export function buildDefaultLayout(api: DockviewApi): void {
  api.clear();
  add(api, 'console');
  // The right column starts at about 45% of the width (540 px before the first layout pass).
  add(api, 'domains', { referencePanel: 'console', direction: 'right' }, { initialWidth: api.width > 0 ? Math.round(api.width * 0.45) : 540 });
  add(api, 'dom0', { referencePanel: 'console', direction: 'below' });
  add(api, 'xen-console', { referencePanel: 'dom0', direction: 'within' });
  add(api, 'trace', { referencePanel: 'dom0', direction: 'within' });
  add(api, 'event-channels', { referencePanel: 'domains', direction: 'below' });
  add(api, 'grant-table', { referencePanel: 'event-channels', direction: 'within' });
  add(api, 'page-types', { referencePanel: 'event-channels', direction: 'within' });
  add(api, 'cpu', { referencePanel: 'event-channels', direction: 'within' });
  api.getPanel('event-channels')?.api.setActive();
  api.getPanel('dom0')?.api.setActive();
  api.getPanel('console')?.api.setActive();
}

/** Adds panels a saved layout lacks (for instance ones added by a later version). */
export function addMissingPanels(api: DockviewApi): void {
  for (const p of PANELS) {
    if (!api.getPanel(p.id)) add(api, p.id);
  }
}

type Position = { referencePanel: string; direction: 'right' | 'below' | 'within' };

function add(api: DockviewApi, id: string, position?: Position, size?: { initialWidth: number }): void {
  const title = panelInfo(id)?.title ?? id;
  api.addPanel({ id, component: PANEL_COMPONENT, title, ...(position ? { position } : {}), ...size });
}
