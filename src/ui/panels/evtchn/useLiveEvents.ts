// The pending and masked bit of each port, and each vcpu's upcall bits, polled from shared
// memory POLL_MS apart. React state changes only when a bit does, so a quiet domain costs a
// few dozen memory reads per poll and no renders. (A timer, not requestAnimationFrame: see
// trace/traceFeed.ts for why the panels never keep the browser producing frames.)
import { useEffect, useState } from 'react';
import type { DomainInfo, PortInfo } from '../../../protocol/messages';
import { useWorkerStatus } from '../../store/workerStore';
import { liveBits } from '../../lib/evtchn/ports';
import { readVcpuEvents, SharedInfoBits, type VcpuEventState } from '../../lib/evtchn/sharedInfo';

/** How often the bits are read: ten times a second is what an eye follows. */
export const POLL_MS = 100;

export interface LiveEvents {
  ports: readonly PortInfo[];
  /** Per port of `ports`: BIT_PENDING | BIT_MASKED. */
  bits: Uint8Array;
  vcpus: VcpuEventState[];
  /** False when there is no shared_info to read (domain 0, or before the worker is ready). */
  readable: boolean;
}

function sameVcpus(a: readonly VcpuEventState[], b: readonly VcpuEventState[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.readable === y.readable && x.upcallPending === y.upcallPending && x.upcallMask === y.upcallMask && x.pendingSel === y.pendingSel;
  });
}

export function useLiveEvents(domain: DomainInfo | undefined, ports: readonly PortInfo[]): LiveEvents {
  const status = useWorkerStatus();
  const [live, setLive] = useState<LiveEvents>({ ports, bits: new Uint8Array(0), vcpus: [], readable: false });

  useEffect(() => {
    if (!domain || status.phase !== 'ready') return;
    const buffer = status.memory.buffer;
    const ram = status.layout.ramBytes;
    const shinfo = new SharedInfoBits(buffer, ram, domain.sharedInfoMfn);
    // 0xff never is a packed value: the first poll always publishes.
    const packed = new Uint8Array(ports.length).fill(0xff);
    let vcpus: VcpuEventState[] = [];
    let first = true;
    const poll = () => {
      let changed = liveBits(shinfo, ports, packed);
      const now = domain.vcpus.map((v) => readVcpuEvents(buffer, ram, v.id, v.vcpuInfoAddr));
      if (!sameVcpus(now, vcpus)) {
        vcpus = now;
        changed = true;
      }
      if (changed || first) setLive({ ports, bits: packed.slice(), vcpus, readable: shinfo.readable });
      first = false;
    };
    const start = setTimeout(poll, 0);
    const timer = setInterval(poll, POLL_MS);
    return () => {
      clearTimeout(start);
      clearInterval(timer);
    };
  }, [domain, ports, status]);

  return live.ports === ports ? live : { ports, bits: new Uint8Array(ports.length), vcpus: [], readable: false };
}
