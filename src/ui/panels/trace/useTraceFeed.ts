import { useSyncExternalStore } from 'react';
import { traceFeed } from './traceFeed';

/** Re-render when the trace feed has new records; returns its version. Keeps the feed draining while mounted. */
export function useTraceFeed(): number {
  return useSyncExternalStore(traceFeed.subscribe, traceFeed.getVersion);
}
