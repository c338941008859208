// A domain's grant entries in use, polled from its grant frames once per animation frame;
// React state changes only when an entry does (a guest granting, revoking, or the hypervisor
// setting GTF_reading / GTF_writing while the page is mapped).
import { useEffect, useState } from 'react';
import type { DomainInfo } from '../../../protocol/messages';
import { useWorkerStatus } from '../../store/workerStore';
import { readGrantEntries, sameEntries, type GrantEntry } from '../../lib/grants/entries';

const NONE: readonly GrantEntry[] = [];

export function useGrantEntries(domain: DomainInfo | undefined): readonly GrantEntry[] {
  const status = useWorkerStatus();
  const [read, setRead] = useState<{ domain: DomainInfo | undefined; entries: readonly GrantEntry[] }>({ domain: undefined, entries: NONE });

  useEffect(() => {
    if (!domain || status.phase !== 'ready') return;
    const buffer = status.memory.buffer;
    const ram = status.layout.ramBytes;
    let last: GrantEntry[] | null = null;
    let frame = requestAnimationFrame(function poll() {
      const now = readGrantEntries(buffer, ram, domain.grantFrames);
      if (!last || !sameEntries(last, now)) {
        last = now;
        setRead({ domain, entries: now });
      }
      frame = requestAnimationFrame(poll);
    });
    return () => cancelAnimationFrame(frame);
  }, [domain, status]);

  return read.domain === domain ? read.entries : NONE;
}
