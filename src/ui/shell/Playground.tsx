import { useShortcuts } from '../actions/useShortcuts';
import { useWorkerClient } from '../client/useWorkerClient';
import { Workspace } from '../layout/Workspace';
import { NewDomainDialog } from '../panels/domains/NewDomainDialog';
import { useThemeAttribute } from '../theme/useColorScheme';
import { HelpOverlay } from './HelpOverlay';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { ShareLayer } from '../share/ShareLayer';
import { useLinkChanges } from '../share/load';
import { TimelineBar } from '../timeline/TimelineBar';

/** The playground proper: shown once the page is cross-origin isolated. Owns the worker. */
export function Playground() {
  useWorkerClient();
  useShortcuts();
  useLinkChanges();
  useThemeAttribute();
  return (
    <div className="app">
      <Toolbar />
      <Workspace />
      <TimelineBar />
      <StatusBar />
      <ShareLayer />
      <HelpOverlay />
      <NewDomainDialog />
    </div>
  );
}
