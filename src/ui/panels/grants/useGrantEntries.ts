// A domain's grant entries in use, polled from its grant frames POLL_MS apart (a timer, not
// requestAnimationFrame: see trace/traceFeed.ts); React state changes only when an entry does (a guest granting, revoking, or the hypervisor
// setting GTF_reading / GTF_writing while the page is mapped).
import { useEffect, useState } from 'react';
import type { DomainInfo } from '../../../protocol/messages';
import { useWorkerStatus } from '../../store/workerStore';
import { readGrantEntries, sameEntries, type GrantEntry } from '../../lib/grants/entries';
import { POLL_MS } from '../evtchn/useLiveEvents';

const NONE: readonly GrantEntry[] = [];

export function useGrantEntries(domain: DomainInfo | undefined): readonly GrantEntry[] {
  const status = useWorkerStatus();
  const [read, setRead] = useState<{ domain: DomainInfo | undefined; entries: readonly GrantEntry[] }>({ domain: undefined, entries: NONE });

  useEffect(() => {
    if (!domain || status.phase !== 'ready') return;
    const buffer = status.memory.buffer;
    const ram = status.layout.ramBytes;
    let last: GrantEntry[] | null = null;
    const poll = () => {
      const now = readGrantEntries(buffer, ram, domain.grantFrames);
      if (!last || !sameEntries(last, now)) {
        last = now;
        setRead({ domain, entries: now });
      }
    };
    const start = setTimeout(poll, 0);
    const timer = setInterval(poll, POLL_MS);
    return () => {
      clearTimeout(start);
      clearInterval(timer);
    };
  }, [domain, status]);

  return read.domain === domain ? read.entries : NONE;
}
