import { useWorkerClient } from '../client/useWorkerClient';
import { Workspace } from '../layout/Workspace';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';

/** The playground proper: shown once the page is cross-origin isolated. Owns the worker. */
export function Playground() {
  useWorkerClient();
  return (
    <div className="app">
      <Toolbar />
      <Workspace />
      <StatusBar />
    </div>
  );
}
