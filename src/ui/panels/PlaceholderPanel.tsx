import type { IDockviewPanelProps } from 'dockview-react';
import { panelInfo } from './registry';

/** An empty panel that says what it will show. */
export function PlaceholderPanel(props: IDockviewPanelProps) {
  const info = panelInfo(props.api.id);
  return (
    <section className="panel-placeholder" data-panel={props.api.id}>
      <h2>{info?.title ?? props.api.title}</h2>
      <p>{info?.shows}</p>
      <p className="panel-idle">No machine is running yet.</p>
    </section>
  );
}
