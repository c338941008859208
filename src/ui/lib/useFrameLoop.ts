// Animation-frame loops for views of shared memory: the callback runs once per
// frame while `active` (the panel is visible), and always sees the latest props
// through a ref, so the loop is not restarted on every render.
import { useEffect, useRef, useState } from 'react';

export function useFrameLoop(callback: (now: number) => void, active: boolean): void {
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => {
    if (!active) return;
    let id = requestAnimationFrame(function frame(now) {
      latest.current(now);
      id = requestAnimationFrame(frame);
    });
    return () => cancelAnimationFrame(id);
  }, [active]);
}

/**
 * A counter that goes up at most every `ms` milliseconds, on animation frames,
 * while `active`: a component that derives what it shows from shared memory
 * re-renders with it, a throttled live view. While the machine is paused nothing
 * moves; such components re-read when the pause changes (a new pause is a new
 * store value, so they render anyway) and show it exactly.
 */
export function useThrottledTick(ms: number, active: boolean): number {
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  useFrameLoop((now) => {
    if (now - last.current < ms) return;
    last.current = now;
    setTick((t) => t + 1);
  }, active);
  return tick;
}
