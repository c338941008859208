import { useCallback, useState, useSyncExternalStore } from 'react';
import type { IDockviewPanelProps } from 'dockview-react';
import { panelInfo } from './registry';
import { PlaceholderPanel } from './PlaceholderPanel';

/**
 * Every panel goes through here, by id: saved layouts name one component for all
 * panels, so a panel that becomes real needs no layout migration.
 *
 * A panel's view is made the first time its tab is shown, and kept from then on.
 * The page opens with most panels behind tabs; making their terminals, tables and
 * canvases at once cost the main thread more than the guest's whole boot, and
 * delayed the prompt. Nothing is lost by waiting: consoles replay their history
 * to a late terminal (consoleStreams), and the live views read shared memory.
 */
export function PanelHost(props: IDockviewPanelProps) {
  const View = panelInfo(props.api.id)?.component;
  const { api } = props;
  // A store's update renders at once, so whoever showed the panel (Alt+number) finds its contents to focus.
  const subscribe = useCallback((changed: () => void) => {
    const d = api.onDidVisibilityChange(changed);
    return () => d.dispose();
  }, [api]);
  const visible = useSyncExternalStore(subscribe, () => api.isVisible);
  const [seen, setSeen] = useState(visible);
  if (visible && !seen) setSeen(true);

  if (!View) return <PlaceholderPanel {...props} />;
  return seen || visible ? <View /> : null;
}
