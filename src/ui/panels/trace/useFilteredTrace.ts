// The trace panel's list: the feed's history under the user's filter, brought up to date a
// few milliseconds at a time in animation frames, so neither a new filter over the whole
// history nor a flood of records makes a long task. Paused, the list is a snapshot of
// positions that stands still while the feed keeps draining underneath.
import { useEffect, useMemo, useState } from 'react';
import { FilteredTrace, type TraceFilter } from '../../lib/trace/filter';
import { traceFeed } from './traceFeed';
import { useTraceFeed } from './useTraceFeed';

/** Milliseconds of filtering per frame. */
const SLICE_MS = 6;

/** The rows the list shows: history positions by row index. */
export interface TraceRows {
  length: number;
  /** False while the filter is still looking through older records. */
  complete: boolean;
  at(i: number): number;
  /** The row of history position `abs`, or -1. */
  indexOf(abs: number): number;
}

const EMPTY: TraceRows = { length: 0, complete: false, at: () => -1, indexOf: () => -1 };

/**
 * The list as it stands now. The history may already hold newer records than the list has
 * looked at: rows past `length` do not exist yet, so indexOf does not name them.
 */
function liveRows(list: FilteredTrace, complete: boolean): TraceRows {
  const length = list.length;
  return {
    length,
    complete,
    at: (i) => list.at(i),
    indexOf: (abs) => {
      const i = list.indexOf(abs);
      return i < length ? i : -1;
    },
  };
}

function frozenRows(positions: readonly number[], complete: boolean): TraceRows {
  return {
    length: positions.length,
    complete,
    at: (i) => positions[i] ?? -1,
    indexOf: (abs) => {
      let lo = 0, hi = positions.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (positions[mid] === abs) return mid;
        if (positions[mid]! < abs) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    },
  };
}

export function useFilteredTrace(filter: TraceFilter, paused: boolean): TraceRows {
  const version = useTraceFeed();
  const generation = traceFeed.generation;
  const list = useMemo(
    () => new FilteredTrace(traceFeed.history, filter, traceFeed.lines.lineOf),
    // A new generation is a new history: positions start again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [filter, generation],
  );
  const [shown, setShown] = useState<{ list: FilteredTrace | null; rows: TraceRows }>({ list: null, rows: EMPTY });

  useEffect(() => {
    let frame = requestAnimationFrame(function step() {
      const deadline = performance.now() + SLICE_MS;
      const complete = list.scan(() => performance.now() > deadline);
      // Paused: finish filtering what is held, then keep that list of positions.
      setShown({ list, rows: paused ? frozenRows(list.snapshot(), complete) : liveRows(list, complete) });
      if (!complete) frame = requestAnimationFrame(step);
    });
    return () => cancelAnimationFrame(frame);
    // While paused, new records (version) do not change the list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list, paused ? -1 : version, paused]);

  return shown.list === list ? shown.rows : EMPTY;
}
