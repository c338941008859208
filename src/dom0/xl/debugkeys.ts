// `xl debug-keys`: the lines Xen's key handlers print into the hypervisor
// console, with our hypervisor's facts (xen/common/event_channel.c
// dump_evtchn_info, grant_table.c gnttab_usage_print_all, keyhandler.c
// dump_domains and the x86 dump_pageframe_info).
//   e  each domain's event channels: port [pending/masked/selector]: s=state
//      n=notify vcpu x=xen consumer, and d= / p= / v= by state
//   g  each domain's pinned (active) grant entries
//   q  each domain's general information, its pages (Xen lists them only for
//      domains under 10 pages, so every real guest says "too long"), the Xen
//      pages shared with it, and its vcpus. pvplay adds one line per domain,
//      "pvplay: pages by type: ...", the counts of its frames per page type,
//      which Xen does not print; it is marked as ours.
// 'q' also raises VIRQ_DEBUG on every vcpu, as Xen does.
import type { Hypervisor } from '../../hv/hypervisor';
import { VCPUI, VIRQ } from '../../abi/xen';
import { PGF_PAE_XEN_L2, PGF_PINNED, PGF_VALIDATED, PGT_NAMES } from '../../shared/layout';
import { MAPTRACK_PER_PAGE } from '../../hv/gnttab/maptrack';

const hex = (n: number | bigint, w: number): string => n.toString(16).padStart(w, '0');
const pad = (s: string | number, w: number): string => String(s).padStart(w, ' ');

/** Xen's {%*pbl} bitmap list: "0-1,3". */
function bitmapList(bits: boolean[]): string {
  const parts: string[] = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    let j = i;
    while (j + 1 < bits.length && bits[j + 1]) j++;
    parts.push(i === j ? `${i}` : `${i}-${j}`);
    i = j;
  }
  return parts.join(',');
}

function domids(hv: Hypervisor): number[] {
  return [0, ...[...hv.domains.keys()].sort((a, b) => a - b)];
}

export function dumpEvtchn(hv: Hypervisor): string[] {
  const out = ["'e' pressed -> dumping event-channel info"];
  for (const id of domids(hv)) {
    if (!hv.evtchn.hasDomain(id)) continue;
    const dom = hv.domains.get(id);
    const polling = (dom?.vcpus ?? []).map((v) => v.state === 'polling');
    out.push(`Event channel information for domain ${id}:`, `Polling vCPUs: {${bitmapList(polling)}}`, '    port [p/m/s]');
    for (const p of hv.evtchn.ports(id)) {
      const v = dom?.vcpus[p.vcpu];
      let sel = 0;
      if (v) sel = (hv.mem.u8[v.vcpuInfoAddr + VCPUI.PENDING_SEL + (p.port >>> 8)]! >>> ((p.port >>> 5) & 7)) & 1;
      // Our status numbers are EVTCHNSTAT_*; Xen prints its ECS_* state, which is one more.
      let line = `    ${pad(p.port, 4)} [${+p.pending}/${+p.masked}/${sel}]: s=${p.status + 1} n=${p.vcpu} x=0`;
      if (p.status === 1) line += ` d=${p.remoteDom}`;
      else if (p.status === 2) line += ` d=${p.remoteDom} p=${p.remotePort}`;
      else if (p.status === 4) line += ` v=${p.virq}`;
      out.push(line);
    }
  }
  return out;
}

export function dumpGrants(hv: Hypervisor): string[] {
  const out = ["gnttab_usage_print_all [ key 'g' pressed"];
  for (const id of domids(hv)) {
    if (!hv.gnttab.hasDomain(id)) continue;
    const size = hv.gnttab.querySize(id, id);
    const maptrack = Math.ceil(hv.gnttab.mappings(id).length / MAPTRACK_PER_PAGE);
    out.push('      -------- active --------       -------- shared --------', '[ref] localdom mfn      pin          localdom gmfn     flags',
      `grant-table for remote d${id} (v1)`, `  ${size.nrFrames} frames (${size.maxNrFrames} max), ${maptrack} maptrack frames (1024 max)`);
    const act = hv.gnttab.activeEntries(id);
    for (const a of act) {
      out.push(`[0x${hex(a.ref, 3)}]  ${pad(a.mapper, 5)} 0x${hex(a.mfn, 5)} 0x${hex(a.pin >>> 0, 8)}      ${pad(a.grantee, 5)} 0x${hex(a.frame, 6)} 0x${hex(a.flags, 2)}`);
    }
    if (act.length === 0) out.push('no active grant table entries');
  }
  out.push('gnttab_usage_print_all ] done');
  return out;
}

/** count_info and type_info as 64-bit Xen keeps them (PGC_allocated bit 63, PGT_* type in bits 61-63...). */
function cafTaf(hv: Hypervisor, mfn: number): [string, string] {
  const ft = hv.mm.ft;
  const caf = (ft.isAllocated(mfn) ? 1n << 63n : 0n) | (ft.isXenShared(mfn) ? 1n << 62n : 0n) | BigInt(ft.refCount(mfn));
  const w = ft.typeWord(mfn);
  const taf = (BigInt(w & 0xf) << 61n) | (w & PGF_PINNED ? 1n << 59n : 0n) | (w & PGF_VALIDATED ? 1n << 58n : 0n)
    | (w & PGF_PAE_XEN_L2 ? 1n << 57n : 0n) | BigInt(ft.typeCount(mfn));
  return [hex(caf, 8), hex(taf, 16)];
}

export function dumpDomains(hv: Hypervisor, uuidOf: (domid: number) => string): string[] {
  const ft = hv.mm.ft;
  const out = [`'q' pressed -> dumping domain info (now = ${hv.time.now})`];
  for (const id of [...hv.domains.keys()].sort((a, b) => a - b)) {
    const d = hv.domains.get(id)!;
    const pages: number[] = [], xenPages: number[] = [];
    const byType = new Array<number>(PGT_NAMES.length).fill(0);
    let pinned = 0;
    for (let m = 0; m < ft.frames; m++) {
      if (ft.owner(m) !== id) continue;
      if (ft.isXenShared(m)) { xenPages.push(m); continue; }
      pages.push(m);
      byType[ft.type(m)]++;
      if (ft.typeWord(m) & PGF_PINNED) pinned++;
    }
    const uuid = uuidOf(id).replace(/-/g, '') || '0'.repeat(32);
    const handle = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`;
    out.push(`General information for domain ${id}:`,
      `    refcnt=1 dying=${d.state === 'dead' ? 2 : 0} pause_count=${d.state === 'paused' ? 1 : 0}`,
      `    nr_pages=${pages.length} xenheap_pages=${xenPages.length} dirty_cpus={} max_pages=${d.maxPages}`,
      `    handle=${handle} vm_assist=${hex(d.vmAssist >>> 0, 8)}`,
      `Memory pages belonging to domain ${id}:`);
    if (pages.length >= 10) out.push('    DomPage list too long to display');
    else for (const m of pages) { const [c, t] = cafTaf(hv, m); out.push(`    DomPage ${hex(m, 16)}: caf=${c}, taf=${t}`); }
    for (const m of xenPages) { const [c, t] = cafTaf(hv, m); out.push(`    XenPage ${hex(m, 16)}: caf=${c}, taf=${t}`); }
    out.push(`    pvplay: pages by type: ${PGT_NAMES.map((n, i) => `${n}=${byType[i]}`).join(' ')} (pinned ${pinned})`);
    out.push(`NODE affinity for domain ${id}: [0]`, `VCPU information and callbacks for domain ${id}:`);
    for (const v of d.vcpus) {
      const pend = hv.mem.u8[v.vcpuInfoAddr + VCPUI.UPCALL_PENDING]!, mask = hv.mem.u8[v.vcpuInfoAddr + VCPUI.UPCALL_MASK]!;
      const poll = v.state === 'polling' && v.pollPorts.length === 1 ? v.pollPorts[0] : 0;
      const pauseFlags = (v.state === 'blocked' || v.state === 'polling' ? 1 : 0) | (v.state === 'offline' ? 2 : 0);
      out.push(`  UNIT${v.id} affinities: hard={0} soft={0}`,
        `    VCPU${v.id}: CPU0 [has=F] poll=${poll} upcall_pend=${hex(pend, 2)} upcall_mask=${hex(mask ? 1 : 0, 2)} `,
        `    pause_count=0 pause_flags=${pauseFlags.toString(16)}`,
        v.periodicPeriod === 0 ? 'No periodic timer' : `${Math.floor(1e9 / v.periodicPeriod)} Hz periodic timer (period ${Math.floor(v.periodicPeriod / 1e6)} ms)`);
    }
  }
  for (const id of [...hv.domains.keys()].sort((a, b) => a - b)) {
    for (const v of hv.domains.get(id)!.vcpus) {
      out.push(`Notifying guest ${id}:${v.id} (virq ${VIRQ.DEBUG}, port ${hv.evtchn.virqPort(id, VIRQ.DEBUG, v.id)})`);
      hv.evtchn.sendVirq(id, VIRQ.DEBUG, v.id);
    }
  }
  return out;
}
