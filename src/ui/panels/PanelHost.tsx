import type { IDockviewPanelProps } from 'dockview-react';
import { panelInfo } from './registry';
import { PlaceholderPanel } from './PlaceholderPanel';

/**
 * Every panel goes through here, by id: saved layouts name one component for all
 * panels, so a panel that becomes real needs no layout migration.
 */
export function PanelHost(props: IDockviewPanelProps) {
  const View = panelInfo(props.api.id)?.component;
  return View ? <View /> : <PlaceholderPanel {...props} />;
}
