import { useEffect, useState } from 'react';
import { useWorkerStatus } from '../store/workerStore';
import { useMachine, type Notice } from '../store/machineStore';
import { describeMachineStatus, describePause, describeWorker } from './statusText';

/** How long a notice (a command the worker refused) stays in the status bar. */
const NOTICE_MS = 8000;

export function StatusBar() {
  const status = useWorkerStatus();
  const line = describeWorker(status);
  const check = status.phase === 'ready' ? status.sharedCheck : undefined;
  const phase = useMachine((s) => s.phase);
  const imageName = useMachine((s) => s.imageName);
  const stats = useMachine((s) => s.stats);
  const pause = useMachine((s) => s.pause);
  const notice = useMachine((s) => s.notice);
  return (
    <footer className="status-bar" role="status" aria-live="polite">
      <span className={`status-dot status-${line.tone}`} aria-hidden="true" />
      <span data-testid="worker-status" data-phase={status.phase}>
        {line.text}
      </span>
      {line.detail && (
        <span className="status-detail" data-testid="shared-check" data-check={check}>
          {line.detail}
        </span>
      )}
      <NoticeText notice={notice} />
      <span className="status-spacer" />
      <span className="status-machine" data-testid="machine-status" data-phase={phase}>
        {describeMachineStatus(phase, imageName, stats)}
        {phase === 'paused' && pause ? ` · ${describePause(pause)}` : ''}
      </span>
    </footer>
  );
}

function NoticeText({ notice }: { notice: Notice | null }) {
  // The seq of the last notice whose time is up.
  const [expired, setExpired] = useState(0);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setExpired(notice.seq), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  if (!notice || notice.seq <= expired) return null;
  return (
    <span className="status-notice" data-testid="notice" data-code={notice.code}>
      {notice.message}
    </span>
  );
}
