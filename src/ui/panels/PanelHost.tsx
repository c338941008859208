import type { IDockviewPanelProps } from 'dockview-react';
import { ConsolePanel } from './console/ConsolePanel';
import { CpuPanel } from './cpu/CpuPanel';
import { PageTypesPanel } from './pagetypes/PageTypesPanel';
import { PlaceholderPanel } from './PlaceholderPanel';

/**
 * Every panel goes through here, by id: saved layouts name one component for all
 * panels, so a panel that becomes real needs no layout migration.
 */
export function PanelHost(props: IDockviewPanelProps) {
  switch (props.api.id) {
    case 'console':
      return <ConsolePanel />;
    case 'page-types':
      return <PageTypesPanel />;
    case 'cpu':
      return <CpuPanel />;
    default:
      return <PlaceholderPanel {...props} />;
  }
}
