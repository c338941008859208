import { useEffect, useState } from 'react';

/**
 * Wall-clock ms, refreshed every `ms` while `active`: keeps activity charts sliding and lets
 * flashes go out when no new records re-render the panel. Idle, it stops, so a quiet panel
 * costs nothing.
 */
export function useBucketClock(ms: number, active: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}
