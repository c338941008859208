// What the trace panel's user chose: the filter, whether the view is paused or follows the
// newest record, and the break-on-hypercall set. Kept outside the component so it survives
// the panel being moved or hidden; the breakpoints are sent to the worker as they change.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { PROTOCOL_VERSION } from '../../../protocol/messages';
import { workerClient } from '../../client/useWorkerClient';
import { NO_FILTER, type TraceFilter } from '../../lib/trace/filter';

export interface TraceUiState {
  filter: TraceFilter;
  /** The list stops taking new records (the feed still drains the ring). */
  paused: boolean;
  /** The list keeps the newest record in view. */
  follow: boolean;
  /** Hypercall numbers that pause the machine when they complete. */
  breakHypercalls: number[];
  /** Only in this domain; null: any. */
  breakDomid: number | null;
}

export const traceUi = createStore<TraceUiState>()(() => ({
  filter: NO_FILTER,
  paused: false,
  follow: true,
  breakHypercalls: [],
  breakDomid: null,
}));

export function useTraceUi<T>(select: (s: TraceUiState) => T): T {
  return useStore(traceUi, select);
}

export function setFilter(change: Partial<TraceFilter>): void {
  traceUi.setState((s) => ({ filter: { ...s.filter, ...change } }));
}

/** Set the breakpoints and tell the worker (sent even when unchanged, so a new worker learns them). */
export function setBreakpoints(hypercalls: readonly number[], domid: number | null): void {
  const sorted = [...new Set(hypercalls)].sort((a, b) => a - b);
  traceUi.setState({ breakHypercalls: sorted, breakDomid: domid });
  workerClient()?.command({
    v: PROTOCOL_VERSION,
    type: 'break',
    hypercalls: sorted,
    ...(domid === null ? {} : { domid }),
  });
}

export function toggleBreakpoint(nr: number): void {
  const { breakHypercalls, breakDomid } = traceUi.getState();
  const next = breakHypercalls.includes(nr) ? breakHypercalls.filter((n) => n !== nr) : [...breakHypercalls, nr];
  setBreakpoints(next, breakDomid);
}
