// The Domains panel's rows: what `xl list` prints, from the domain descriptions
// and the latest counters, and which buttons each row offers.
import type { DomainCounters, DomainInfo, DomainOp } from '../../../protocol/messages';

export interface DomainRow {
  domid: number;
  name: string;
  memMiB: number;
  vcpus: number;
  /** xl's six state letters, e.g. '-b----'. */
  state: string;
  /** One word for the state, for people who do not read xl's letters. */
  stateWord: string;
  cpuSeconds: string;
  hypercalls: number;
  crashReason: string;
  ops: DomainOp[];
}

const REASONS = ['poweroff', 'reboot', 'suspend', 'crashed', 'watchdog', 'soft reset'];

export function stateWord(d: DomainInfo): string {
  switch (d.state) {
    case 'running':
      return d.vcpus.length > 0 && d.vcpus.every((v) => v.state === 'blocked' || v.state === 'polling' || v.state === 'offline') ? 'blocked' : 'running';
    case 'paused':
      return 'paused';
    case 'shutdown':
      return d.shutdownReason === 3 ? 'crashed' : `shut down (${REASONS[d.shutdownReason] ?? d.shutdownReason})`;
    default:
      return d.state;
  }
}

export function domainRows(domains: Record<number, DomainInfo>, counters: Record<number, DomainCounters>): DomainRow[] {
  return Object.values(domains)
    .sort((a, b) => a.domid - b.domid)
    .map((d) => {
      const c = counters[d.domid];
      const live = d.state === 'running' || d.state === 'paused';
      const ops: DomainOp[] = d.domid === 0 ? [] : [
        ...(d.state === 'paused' ? ['unpause' as const] : d.state === 'running' ? ['pause' as const] : []),
        ...(live ? ['reboot' as const, 'shutdown' as const] : []),
        'destroy',
      ];
      return {
        domid: d.domid,
        name: d.name,
        memMiB: Math.floor(d.memKiB / 1024),
        vcpus: d.domid === 0 ? 1 : d.vcpus.filter((v) => v.state !== 'offline').length,
        state: c?.xlState ?? '------',
        stateWord: d.domid === 0 ? 'dom0 services' : stateWord(d),
        cpuSeconds: ((c?.cpuTimeNs ?? 0) / 1e9).toFixed(1),
        hypercalls: c?.hypercalls ?? 0,
        crashReason: d.crashReason,
        ops,
      };
    });
}

/** A name no domain has yet: `base`, else base-2, base-3... */
export function freshName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}
