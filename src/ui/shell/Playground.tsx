import { useShortcuts } from '../actions/useShortcuts';
import { useWorkerClient } from '../client/useWorkerClient';
import { Workspace } from '../layout/Workspace';
import { NewDomainDialog } from '../panels/domains/NewDomainDialog';
import { useThemeAttribute } from '../theme/useColorScheme';
import { HelpOverlay } from './HelpOverlay';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';

/** The playground proper: shown once the page is cross-origin isolated. Owns the worker. */
export function Playground() {
  useWorkerClient();
  useShortcuts();
  useThemeAttribute();
  return (
    <div className="app">
      <Toolbar />
      <Workspace />
      <StatusBar />
      <HelpOverlay />
      <NewDomainDialog />
    </div>
  );
}
