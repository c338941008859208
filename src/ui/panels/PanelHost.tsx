import type { IDockviewPanelProps } from 'dockview-react';
import { ConsolePanel } from './console/ConsolePanel';
import { EventChannelsPanel } from './evtchn/EventChannelsPanel';
import { GrantTablePanel } from './grants/GrantTablePanel';
import { TracePanel } from './trace/TracePanel';
import { PlaceholderPanel } from './PlaceholderPanel';

/**
 * Every panel goes through here, by id: saved layouts name one component for all
 * panels, so a panel that becomes real needs no layout migration.
 */
export function PanelHost(props: IDockviewPanelProps) {
  switch (props.api.id) {
    case 'console':
      return <ConsolePanel />;
    case 'event-channels':
      return <EventChannelsPanel />;
    case 'grant-table':
      return <GrantTablePanel />;
    case 'trace':
      return <TracePanel />;
    default:
      return <PlaceholderPanel {...props} />;
  }
}
