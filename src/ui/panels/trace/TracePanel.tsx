// The hypercall trace: every hypercall, event send and delivery, fault, pin, grant map and
// domain change the hypervisor records in the shared-memory trace ring, newest last,
// filterable, with break-on-hypercall. The record that ended a step is highlighted.
import { useCallback, useState } from 'react';
import { useMachine } from '../../store/machineStore';
import { BreakpointsMenu } from './BreakpointsMenu';
import { TraceDetails } from './TraceDetails';
import { TraceFilters } from './TraceFilters';
import { TraceList } from './TraceList';
import { traceFeed } from './traceFeed';
import { traceUi, useTraceUi } from './traceUi';
import { useFilteredTrace } from './useFilteredTrace';
import './trace.css';

const count = (n: number) => n.toLocaleString('en');

export function TracePanel() {
  const filter = useTraceUi((s) => s.filter);
  const paused = useTraceUi((s) => s.paused);
  const follow = useTraceUi((s) => s.follow);
  const rows = useFilteredTrace(filter, paused);
  const [selected, setSelected] = useState(-1);
  const stepSeq = useMachine((s) => (s.phase === 'paused' ? s.pause?.traceSeq : undefined));
  // Found once the feed has drained it (the pause message can arrive first).
  const highlight = stepSeq === undefined ? -1 : traceFeed.history.positionOfSeq(stepSeq);
  const onFollow = useCallback((f: boolean) => traceUi.setState({ follow: f }), []);
  const hiddenStep = highlight >= 0 && rows.complete && rows.indexOf(highlight) < 0;

  return (
    <section className="pv-panel trace-panel" data-panel="trace" aria-label="Hypercall trace">
      <header className="pv-bar pv-head">
        <h2>Trace</h2>
        <span className="pv-muted" data-testid="trace-status">
          {count(rows.length)} of {count(traceFeed.history.size)} records
          {traceFeed.lost > 0 && ` · ${count(traceFeed.lost)} lost`}
          {!rows.complete && ' · filtering…'}
        </span>
        <span className="pv-spacer" />
        <button
          type="button"
          className="pv-button"
          aria-pressed={paused}
          onClick={() => traceUi.setState({ paused: !paused })}
          title="Stop or resume adding new records to the list (the ring is still read)"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="pv-button" aria-pressed={follow} onClick={() => onFollow(!follow)} title="Keep the newest record in view">
          Follow
        </button>
        <BreakpointsMenu />
      </header>
      <TraceFilters />
      {hiddenStep && <p className="pv-note">The record that ended the step is hidden by the filter.</p>}
      <TraceList rows={rows} follow={follow && !paused} onFollow={onFollow} selected={selected} onSelect={setSelected} highlight={highlight} />
      <TraceDetails selected={selected} />
    </section>
  );
}
