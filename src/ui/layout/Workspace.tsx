import { useEffect, useRef } from 'react';
import {
  DockviewDefaultTab,
  DockviewReact,
  themeDark,
  themeLight,
  type DockviewApi,
  type DockviewReadyEvent,
  type IDockviewPanelHeaderProps,
} from 'dockview-react';
import { PanelHost } from '../panels/PanelHost';
import { useColorScheme } from '../theme/useColorScheme';
import { PANEL_COMPONENT, addMissingPanels, buildDefaultLayout } from './defaultLayout';
import { attachLayout, showPanel } from './layoutController';
import { uiStore } from '../store/uiStore';
import { forgetLayout, loadLayout, saveLayout } from './layoutStorage';

const components = { [PANEL_COMPONENT]: PanelHost };

/** The panels are a fixed set: they can be moved and stacked, not closed. */
function Tab(props: IDockviewPanelHeaderProps) {
  return <DockviewDefaultTab {...props} hideClose />;
}

/** The docking area. Its layout is saved to localStorage and restored on reload. */
export function Workspace() {
  const scheme = useColorScheme();
  const cleanup = useRef<(() => void) | null>(null);

  useEffect(() => () => cleanup.current?.(), []);
  // Requests to show a panel (focusPanel) bring it to the front of its group.
  useEffect(() => uiStore.subscribe((s, prev) => {
    if (!s.focus || s.focus === prev.focus) return;
    const id = s.focus.panel;
    showPanel(id);
    // Once it is drawn, the keyboard goes into it: its terminal, else its first control.
    requestAnimationFrame(() => focusInside(id));
  }), []);

  const onReady = (event: DockviewReadyEvent) => {
    const api = event.api;
    restore(api);
    const storage = window.localStorage;
    const saving = api.onDidLayoutChange(() => saveLayout(storage, api.toJSON()));
    const detach = attachLayout(api);
    cleanup.current?.();
    cleanup.current = () => {
      saving.dispose();
      detach();
    };
  };

  return (
    <main className="workspace">
      <DockviewReact
        components={components}
        defaultTabComponent={Tab}
        onReady={onReady}
        theme={scheme === 'dark' ? themeDark : themeLight}
        disableFloatingGroups
      />
    </main>
  );
}

function restore(api: DockviewApi): void {
  const storage = window.localStorage;
  const saved = loadLayout(storage);
  if (saved) {
    try {
      api.fromJSON(saved);
      addMissingPanels(api);
      return;
    } catch {
      forgetLayout(storage);
    }
  }
  buildDefaultLayout(api);
}

function focusInside(id: string): void {
  const root = document.querySelector<HTMLElement>(`[data-panel="${id}"]`);
  if (!root) return;
  const target = root.querySelector<HTMLElement>('.xterm-helper-textarea') ?? root.querySelector<HTMLElement>('button, input, select, [tabindex]');
  if (target) target.focus();
  else {
    root.tabIndex = -1;
    root.focus();
  }
}
