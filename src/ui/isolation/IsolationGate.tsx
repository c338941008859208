import { useEffect, useState, type ReactNode } from 'react';
import { IsolationRequired } from './IsolationRequired';
import { readIsolationFacts, verdict } from './isolation';

/** How long to wait for coi-serviceworker to install itself and reload the page. */
const SERVICE_WORKER_GRACE_MS = 4000;

/** Renders its children only in a cross-origin isolated page; otherwise explains why not. */
export function IsolationGate({ children }: { children: ReactNode }) {
  const [facts] = useState(readIsolationFacts);
  const initial = verdict(facts);
  const [gaveUp, setGaveUp] = useState(initial === 'unavailable');

  useEffect(() => {
    if (initial !== 'waiting-for-service-worker') return;
    const timer = setTimeout(() => setGaveUp(true), SERVICE_WORKER_GRACE_MS);
    return () => clearTimeout(timer);
  }, [initial]);

  if (initial === 'isolated') return children;
  if (!gaveUp) {
    return (
      <div className="gate-waiting" role="status">
        Enabling cross-origin isolation…
      </div>
    );
  }
  return <IsolationRequired facts={facts} />;
}
