import type { IDockviewPanelProps } from 'dockview-react';
import { useMachine } from '../store/machineStore';
import { panelInfo } from './registry';

/** An empty panel that says what it will show. */
export function PlaceholderPanel(props: IDockviewPanelProps) {
  const info = panelInfo(props.api.id);
  const booted = useMachine((s) => s.phase !== 'none');
  return (
    <section className="panel-placeholder" data-panel={props.api.id}>
      <h2>{info?.title ?? props.api.title}</h2>
      <p>{info?.shows}</p>
      <p className="panel-idle">{booted ? 'This view is not built yet; a later version fills it in.' : 'No machine is running yet.'}</p>
    </section>
  );
}
