// The timeline: the machine's past from its first checkpoint to the furthest
// point reached, with checkpoints and inputs marked. Dragging the scrubber and
// letting go seeks there (the worker restores the nearest checkpoint and replays
// to the exact instruction); the step-back actions sit beside it.
import { useState } from 'react';
import { ACTIONS } from '../actions';
import { perform, useActionContext } from '../actions/context';
import { keyLabel } from '../actions/keys';
import { useMachine } from '../store/machineStore';
import { snapshotPort } from '../share/session';
import { seek } from '../share/operations';
import { shareStore, useShare } from '../share/shareStore';
import { fraction, instructionAt, marksOf, spanOf } from './scale';
import './timeline.css';

/** Track positions of the range input (its resolution; seeks land on exact counts). */
const STEPS = 10_000;
/** The most marks of each kind drawn. */
const MAX_MARKS = 200;

const n = (x: number): string => x.toLocaleString('en-US');

export function TimelineBar() {
  const timeline = useShare((s) => s.timeline);
  const busy = useShare((s) => s.busy);
  const phase = useMachine((s) => s.phase);
  // Where the machine is: a pause says exactly; while it runs, the latest stats.
  const current = useMachine((s) => (s.phase === 'paused' ? (s.pause?.instructions ?? null) : s.phase === 'running' ? (s.stats?.instructions ?? null) : null));
  const ctx = useActionContext();
  const [drag, setDrag] = useState<number | null>(null);
  if (!timeline || phase === 'none' || phase === 'booting' || phase === 'failed') return null;
  const span = spanOf(timeline, current);
  const target = drag === null ? span.now : instructionAt(drag / STEPS, span);
  const back = ACTIONS.filter((a) => a.toolbar === 'timeline');
  const go = () => {
    const port = snapshotPort();
    if (drag === null || !port) return;
    setDrag(null);
    const to = instructionAt(drag / STEPS, span);
    if (to !== span.now) void seek(port, shareStore, to);
  };
  return (
    <div className="timeline-bar" data-testid="timeline" data-now={span.now} data-start={span.start} data-end={span.end}>
      {back.map((a) => (
        <button
          key={a.id}
          type="button"
          className="toolbar-button"
          disabled={!a.enabled(ctx)}
          title={`${a.description} (${a.keys.map(keyLabel).join(', ')})`}
          data-action={a.id}
          onClick={() => perform(a, ctx)}
        >
          {a.label}
        </button>
      ))}
      <div className="timeline-track">
        <div className="timeline-marks" aria-hidden="true">
          {marksOf(timeline.checkpoints, span, MAX_MARKS).map((m) => (
            <span key={`c${m.at}`} className="timeline-mark checkpoint" style={{ left: `${m.f * 100}%` }} title={`checkpoint at ${n(m.at)}`} />
          ))}
          {marksOf(timeline.inputs, span, MAX_MARKS).map((m) => (
            <span key={`i${m.at}`} className="timeline-mark" style={{ left: `${m.f * 100}%` }} />
          ))}
        </div>
        <input
          type="range"
          min={0}
          max={STEPS}
          value={Math.round((drag ?? fraction(span.now, span) * STEPS))}
          disabled={busy !== null || phase === 'running'}
          aria-label="Machine timeline: instructions retired"
          aria-valuetext={`instruction ${n(target)}`}
          title={phase === 'running' ? 'Pause the machine to move along its timeline' : 'Drag and let go to go to that instruction'}
          data-testid="timeline-scrubber"
          onChange={(e) => setDrag(Number(e.target.value))}
          onPointerUp={go}
          onKeyUp={go}
        />
      </div>
      <span className="timeline-position" data-testid="timeline-position">
        {drag === null ? `at ${n(span.now)}` : `go to ${n(target)}`} of {n(span.end)} · {timeline.checkpoints.length} checkpoint{timeline.checkpoints.length === 1 ? '' : 's'}
      </span>
    </div>
  );
}
