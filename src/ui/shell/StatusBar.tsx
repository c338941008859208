import { useWorkerStatus } from '../store/workerStore';
import { useMachine } from '../store/machineStore';
import { describeMachineStatus, describeWorker } from './statusText';

export function StatusBar() {
  const status = useWorkerStatus();
  const line = describeWorker(status);
  const check = status.phase === 'ready' ? status.sharedCheck : undefined;
  const phase = useMachine((s) => s.phase);
  const imageName = useMachine((s) => s.imageName);
  const stats = useMachine((s) => s.stats);
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
      <span className="status-spacer" />
      <span className="status-machine" data-testid="machine-status" data-phase={phase}>
        {describeMachineStatus(phase, imageName, stats)}
      </span>
    </footer>
  );
}
