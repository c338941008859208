// The scrubber's arithmetic: where on the track an instruction count sits, and
// which marks to draw when there are more than the track has room for.
import type { TimelineInfo } from '../../protocol/snapshots';

export interface Span {
  start: number;
  end: number;
  now: number;
}

/**
 * The span the scrubber shows: the timeline's, with the machine where the
 * latest pause or stats put it (the timeline's own `now` is only as fresh as
 * its last message), stretching the end when it ran further.
 */
export function spanOf(t: TimelineInfo, current: number | null): Span {
  const now = current !== null && current >= t.start ? current : t.now;
  return { start: t.start, end: Math.max(t.end, now), now };
}

/** Where `x` sits on the track, 0 to 1. */
export function fraction(x: number, s: Span): number {
  if (s.end <= s.start) return 1;
  return Math.min(1, Math.max(0, (x - s.start) / (s.end - s.start)));
}

/** At most `max` of the marks, evenly chosen, each at its fraction; marks outside the span are left out. */
export function marksOf(xs: readonly number[], s: Span, max: number): { at: number; f: number }[] {
  const inside = xs.filter((x) => x >= s.start && x <= s.end);
  const step = Math.max(1, Math.ceil(inside.length / Math.max(1, max)));
  const out: { at: number; f: number }[] = [];
  for (let i = 0; i < inside.length; i += step) out.push({ at: inside[i]!, f: fraction(inside[i]!, s) });
  return out;
}

/** The instruction count at track position `f` (0 to 1), a whole number inside the span. */
export function instructionAt(f: number, s: Span): number {
  const x = s.start + Math.round(Math.min(1, Math.max(0, f)) * (s.end - s.start));
  return Math.min(s.end, Math.max(s.start, x));
}
