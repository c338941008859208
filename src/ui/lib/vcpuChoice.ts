// Which vcpu a panel shows: the one the user picked while it exists, else the one
// the machine paused on, else the console's domain's first vcpu, else the first.
import type { DomainInfo, PauseInfo } from '../../protocol/messages';

export interface VcpuOption {
  /** Stable across updates: "domid.vcpu". */
  key: string;
  domid: number;
  vcpu: number;
  /** Register-file slot in shared memory. */
  slot: number;
  label: string;
}

export function vcpuKey(domid: number, vcpu: number): string {
  return `${domid}.${vcpu}`;
}

/** Every vcpu of every domain, by domain id then vcpu id. */
export function vcpuOptions(domains: Record<number, DomainInfo>): VcpuOption[] {
  return Object.values(domains)
    .sort((a, b) => a.domid - b.domid)
    .flatMap((d) =>
      [...d.vcpus].sort((a, b) => a.id - b.id).map((v) => ({
        key: vcpuKey(d.domid, v.id), domid: d.domid, vcpu: v.id, slot: v.slot,
        label: d.vcpus.length > 1 ? `${d.name} (d${d.domid}) vcpu ${v.id}` : `${d.name} (d${d.domid})`,
      })),
    );
}

export function pickVcpu(
  options: readonly VcpuOption[], wanted: string | null, pause: PauseInfo | null, consoleDomid: number | null,
): VcpuOption | null {
  const find = (key: string | null) => (key === null ? undefined : options.find((o) => o.key === key));
  return (
    find(wanted) ??
    find(pause ? vcpuKey(pause.domid, pause.vcpu) : null) ??
    find(consoleDomid === null ? null : vcpuKey(consoleDomid, 0)) ??
    options[0] ??
    null
  );
}
