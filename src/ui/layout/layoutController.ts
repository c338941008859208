// Lets the toolbar reset the layout of the one workspace on the page.
import type { DockviewApi } from 'dockview-react';
import { buildDefaultLayout } from './defaultLayout';
import { forgetLayout } from './layoutStorage';

let current: DockviewApi | null = null;

/** Called by the workspace; returns a detach function. */
export function attachLayout(api: DockviewApi): () => void {
  current = api;
  return () => {
    if (current === api) current = null;
  };
}

/** Bring a panel to the front of its group. */
export function showPanel(id: string): void {
  current?.getPanel(id)?.api.setActive();
}

export function resetLayout(): void {
  forgetLayout(window.localStorage);
  if (current) buildDefaultLayout(current);
}
