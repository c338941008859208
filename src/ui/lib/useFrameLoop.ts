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

/**
 * A value derived from shared memory, recomputed on animation frames while
 * `active`, at most every `ms` milliseconds (0: every frame), and kept as state
 * only when it differs from the last (`same`), so a view re-renders only when
 * what it shows changed. Views pass a throttle while the machine runs and 0
 * while it is paused, which makes a paused view exact on the next frame.
 */
export function useLiveValue<T>(compute: () => T, same: (a: T, b: T) => boolean, active: boolean, ms: number, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  const last = useRef({ at: -Infinity, value: initial });
  useFrameLoop((now) => {
    if (now - last.current.at < ms) return;
    const next = compute();
    last.current.at = now;
    if (same(last.current.value, next)) return;
    last.current.value = next;
    setValue(next);
  }, active);
  return value;
}
