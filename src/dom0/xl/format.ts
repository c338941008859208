// The tables `xl list`, `xl vcpu-list` and `xl info` print, in xl's exact
// formats (tools/xl/xl_info.c, xl_vcpu.c), with our hypervisor's values.
// State letters are Xen's getdomaininfo flags: r = a vcpu holds the CPU (never
// a guest while dom0 runs xl: there is one physical CPU, as on a one-CPU Xen
// host where guests then show '-' or 'b'), b = every online vcpu is blocked,
// p = paused, s = shut down, then the shutdown reason letter (-rscwS), d = dying.
// Domain-0 is TypeScript here: it has no RAM of its own (Mem 0), one vcpu, and
// is the one running ('r') when xl prints.
// `xl info` values: one CPU at 1000 MHz (one instruction per virtual ns), RAM
// and free memory from the frame table, Xen 4.23 with extra "-pvplay", the PV
// capabilities a 64-bit Xen offers 32-bit guests, our round-robin scheduler.
import type { Hypervisor } from '../../hv/hypervisor';
import type { Domain } from '../../hv/domain';
import { FRAME_FREE } from '../../shared/layout';
import { XEN_MAJOR, XEN_MINOR } from '../../hv/hypercalls/version';

const SHUTDOWN_LETTERS = '-rscwS';
export const XEN_EXTRA = '-pvplay';
export const XEN_CAPS = 'xen-3.0-x86_64 xen-3.0-x86_32p';

const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padStart = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const secs = (ns: number, width: number): string => padStart((ns / 1e9).toFixed(1), width);

/** A domain as xl's listings see it (dom0 included). */
export interface DomInfo {
  id: number;
  name: string;
  memMiB: number;
  onlineVcpus: number;
  running: boolean;
  blocked: boolean;
  paused: boolean;
  shutdown: boolean;
  shutdownReason: number;
  dying: boolean;
  cpuTimeNs: number;
}

export function domInfo(hv: Hypervisor, d: Domain): DomInfo {
  const online = d.vcpus.filter((v) => v.state !== 'offline');
  return {
    id: d.id, name: d.name, memMiB: Math.floor((hv.mm.ft.pagesOf(d.id) * 4) / 1024),
    onlineVcpus: online.length, running: false,
    blocked: online.length > 0 && online.every((v) => v.state === 'blocked' || v.state === 'polling'),
    paused: d.state === 'paused', shutdown: d.state === 'shutdown', shutdownReason: d.shutdownReason,
    dying: d.state === 'dead', cpuTimeNs: d.vcpus.reduce((t, v) => t + v.cpuTimeNs, 0),
  };
}

export function dom0Info(): DomInfo {
  return {
    id: 0, name: 'Domain-0', memMiB: 0, onlineVcpus: 1, running: true, blocked: false, paused: false,
    shutdown: false, shutdownReason: -1, dying: false, cpuTimeNs: 0,
  };
}

/** Every domain in domid order, Domain-0 first. */
export function allDomains(hv: Hypervisor): DomInfo[] {
  const ids = [...hv.domains.keys()].sort((a, b) => a - b);
  return [dom0Info(), ...ids.map((id) => domInfo(hv, hv.domains.get(id)!))];
}

export function stateLetters(i: DomInfo): string {
  const reason = i.shutdown ? i.shutdownReason : 0;
  return (i.running ? 'r' : '-') + (i.blocked ? 'b' : '-') + (i.paused ? 'p' : '-') + (i.shutdown ? 's' : '-')
    + (reason >= 0 && reason < SHUTDOWN_LETTERS.length ? SHUTDOWN_LETTERS[reason] : '?') + (i.dying ? 'd' : '-');
}

export function formatList(doms: readonly DomInfo[]): string {
  let out = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';
  for (const i of doms) {
    out += `${padEnd(i.name, 40)} ${padStart(String(i.id), 5)} ${padStart(String(i.memMiB), 5)} ${padStart(String(i.onlineVcpus), 5)}`
      + `     ${stateLetters(i)}  ${secs(i.cpuTimeNs, 8)}\n`;
  }
  return out;
}

export function formatVcpuList(hv: Hypervisor, doms: readonly number[]): string {
  let out = `${padEnd('Name', 32)} ${padStart('ID', 5)} ${padStart('VCPU', 5)} ${padStart('CPU', 5)} ${padStart('State', 5)} ${padStart('Time(s)', 9)} Affinity (Hard / Soft)\n`;
  for (const id of doms) {
    if (id === 0) {
      out += `${padEnd('Domain-0', 32)} ${padStart('0', 5)} ${padStart('0', 5)}${padStart('0', 5)} ${padStart('r', 3)}-- ${secs(0, 9)}  all / all\n`;
      continue;
    }
    const d = hv.domains.get(id);
    if (!d) continue;
    for (const v of d.vcpus) {
      out += `${padEnd(d.name, 32)} ${padStart(String(id), 5)} ${padStart(String(v.id), 5)}`;
      if (v.state === 'offline') out += `${padStart('-', 5)} ${padStart('-', 3)}-p `;
      else out += `${padStart('0', 5)} ${padStart('-', 3)}${v.state === 'blocked' || v.state === 'polling' ? 'b' : '-'}- `;
      out += `${secs(v.cpuTimeNs, 9)}  all / all\n`;
    }
  }
  return out;
}

export interface InfoExtras {
  commandLine: string;
  xenstoreFeatures?: number;
}

export function formatInfo(hv: Hypervisor, extras: InfoExtras): string {
  const ft = hv.mm.ft;
  let free = 0;
  for (let m = 0; m < ft.frames; m++) if (ft.owner(m) === FRAME_FREE) free++;
  const rows: [string, string][] = [
    ['host', 'pvplay'], ['release', 'pvplay-dom0'], ['version', '#1'], ['machine', 'x86_64'],
    ['nr_cpus', '1'], ['max_cpu_id', '0'], ['nr_nodes', '1'], ['cores_per_socket', '1'], ['threads_per_core', '1'],
    ['cpu_mhz', '1000.000'], ['hw_caps', '00000000:00000000:00000000:00000000:00000000:00000000:00000000:00000000'],
    ['virt_caps', ' pv gnttab-v1'],
    ['total_memory', String(Math.floor(ft.frames / 256))], ['free_memory', String(Math.floor(free / 256))],
    ['sharing_freed_memory', '0'], ['sharing_used_memory', '0'], ['outstanding_claims', '0'], ['free_cpus', '0'],
    ['xen_major', String(XEN_MAJOR)], ['xen_minor', String(XEN_MINOR)], ['xen_extra', XEN_EXTRA],
    ['xen_version', `${XEN_MAJOR}.${XEN_MINOR}${XEN_EXTRA}`], ['xen_caps', XEN_CAPS], ['xen_scheduler', 'round-robin'],
    ['xen_pagesize', '4096'], ['platform_params', 'virt_start=0xffff800000000000'], ['xen_changeset', 'pvplay'],
    ['xen_commandline', extras.commandLine], ['cc_compiler', 'pvplay (TypeScript)'], ['cc_compile_by', 'pvplay'],
    ['cc_compile_domain', 'pvplay'], ['cc_compile_date', 'deterministic'], ['build_id', ''],
  ];
  if (extras.xenstoreFeatures !== undefined) rows.push(['xenstore_features', `0x${extras.xenstoreFeatures.toString(16).padStart(8, '0')}`]);
  rows.push(['xend_config_format', '4']);
  // virt_caps is printed without the space after the colon (its flags each start with one).
  return rows.map(([k, v]) => (k === 'virt_caps' ? `${padEnd(k, 23)}:${v}` : `${padEnd(k, 23)}: ${v}`)).join('\n') + '\n';
}
