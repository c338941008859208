import { useSyncExternalStore } from 'react';
import type { DomainActivity } from '../../lib/evtchn/activity';
import { traceFeed } from '../trace/traceFeed';

/**
 * One domain's event-channel activity from the trace feed. Re-renders only when that
 * domain's activity changes (records about other domains, or other kinds, do not count).
 */
export function useDomainActivity(domid: number | null): DomainActivity | undefined {
  useSyncExternalStore(traceFeed.subscribe, () =>
    domid === null ? '' : `${traceFeed.generation}:${traceFeed.activity.domain(domid)?.version ?? -1}`,
  );
  return domid === null ? undefined : traceFeed.activity.domain(domid);
}
