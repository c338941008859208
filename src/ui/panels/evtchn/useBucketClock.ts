import { useEffect, useState } from 'react';

/**
 * Wall-clock ms, refreshed every `ms`: keeps activity charts sliding when nothing happens
 * (new trace records re-render the panel anyway).
 */
export function useBucketClock(ms: number): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    const tick = () => setNow(performance.now());
    const first = requestAnimationFrame(tick);
    const timer = setInterval(tick, ms);
    return () => {
      cancelAnimationFrame(first);
      clearInterval(timer);
    };
  }, [ms]);
  return now;
}
