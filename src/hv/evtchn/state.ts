// Event-channel state for snapshots: each domain's port table (only the ports in
// use, with their counters) and the global VIRQ handlers. The pending and mask
// bitmaps live in each domain's shared_info page and travel with machine memory.
// virq_to_evtchn is not saved: it is rebuilt from the VIRQ ports, which also
// checks that no VIRQ is bound twice. Both ends of every interdomain channel must
// name each other, as the engine's close path insists.
import { EVTCHN_2L_NR_CHANNELS, NR_VIRQS } from '../../abi/xen';
import type { Rec } from '../../shared/record';
import type { EventChannels } from './evtchn';
import type { EvtchnMemory } from './memory';
import {
  ECS_FREE, ECS_INTERDOMAIN, ECS_IPI, ECS_RESERVED, ECS_UNBOUND, ECS_VIRQ, EVTCHNS_PER_BUCKET, PortTable, VIRQ_VCPU, virqType,
} from './ports';

export const EVTCHN_STATE_VERSION = 1;

export function saveEvtchn(e: EventChannels): Record<string, unknown> {
  const { doms, globalHandler } = e.snapshotView();
  const domains = [...doms].sort((a, b) => a[0] - b[0]).map(([dom, t]) => {
    const ports = [];
    for (let port = 1; port < t.valid; port++) {
      if (t.state[port] === ECS_FREE) continue;
      ports.push({
        port, state: t.state[port], vcpu: t.notifyVcpu[port], remoteDom: t.remoteDom[port], remotePort: t.remotePort[port],
        virq: t.virq[port], sent: t.sent[port], raised: t.raised[port], latched: t.latched[port],
      });
    }
    return { dom, nrVcpus: t.nrVcpus, privileged: t.privileged, maxPort: t.maxPort, nrPirqs: t.nrPirqs, valid: t.valid, ports };
  });
  return { version: EVTCHN_STATE_VERSION, domains, globalHandler: Array.from(globalHandler) };
}

/**
 * Check a saved record; the result builds the tables over each domain's event
 * memory (`memoryOf` names it and how many vcpus it has) and installs them.
 * Returns problems found against the machine (empty when sound).
 */
export function readEvtchn(r: Rec): (e: EventChannels, memoryOf: (dom: number) => { memory: EvtchnMemory; nrVcpus: number } | undefined) => string[] {
  if (r.get('version').int() !== EVTCHN_STATE_VERSION) r.get('version').fail(`version ${EVTCHN_STATE_VERSION} expected`);
  const u32 = (x: Rec): number => x.int(0, 0xffffffff);
  const plans = r.get('domains').list(0x7ff0).map((d) => {
    const dom = d.get('dom').int(0, 0x7fef);
    const nrVcpus = d.get('nrVcpus').int(1, 32);
    const maxPort = d.get('maxPort').int(1, EVTCHN_2L_NR_CHANNELS - 1);
    const valid = d.get('valid').int(EVTCHNS_PER_BUCKET, EVTCHN_2L_NR_CHANNELS);
    if (valid % EVTCHNS_PER_BUCKET || valid > Math.ceil((maxPort + 1) / EVTCHNS_PER_BUCKET) * EVTCHNS_PER_BUCKET) {
      d.get('valid').fail(`${valid} valid ports for a highest port of ${maxPort}`);
    }
    const ports = d.get('ports').list(EVTCHN_2L_NR_CHANNELS).map((p) => ({
      port: p.get('port').int(1, valid - 1), state: p.get('state').int(ECS_UNBOUND, ECS_IPI),
      vcpu: p.get('vcpu').int(0, nrVcpus - 1), remoteDom: p.get('remoteDom').int(0, 0xffff),
      remotePort: p.get('remotePort').int(0, EVTCHN_2L_NR_CHANNELS - 1), virq: p.get('virq').int(0, NR_VIRQS - 1),
      sent: u32(p.get('sent')), raised: u32(p.get('raised')), latched: u32(p.get('latched')), at: p,
    }));
    for (const p of ports) if (p.state !== ECS_UNBOUND && p.state !== ECS_INTERDOMAIN && p.state !== ECS_VIRQ && p.state !== ECS_IPI) p.at.fail('no channel here is ever in that state');
    if (new Set(ports.map((p) => p.port)).size !== ports.length) d.get('ports').fail('a port appears twice');
    return {
      dom, nrVcpus, maxPort, valid, ports, at: d,
      privileged: d.get('privileged').bool(), nrPirqs: d.get('nrPirqs').int(0, 65536),
    };
  });
  if (new Set(plans.map((p) => p.dom)).size !== plans.length) r.get('domains').fail('a domain appears twice');
  const handlers = r.get('globalHandler').ints(NR_VIRQS, -1, 0x7fef);
  if (handlers.length !== NR_VIRQS) r.get('globalHandler').fail(`${handlers.length} handlers, not ${NR_VIRQS}`);

  return (e, memoryOf) => {
    const bad: string[] = [];
    const tables = new Map<number, PortTable>();
    for (const p of plans) {
      const mem = memoryOf(p.dom);
      if (!mem) { bad.push(`event channels of domain ${p.dom}, which does not exist`); continue; }
      if (mem.nrVcpus !== p.nrVcpus) bad.push(`domain ${p.dom}: event channels for ${p.nrVcpus} vcpus, domain has ${mem.nrVcpus}`);
      const t = new PortTable({ nrVcpus: p.nrVcpus, memory: mem.memory, privileged: p.privileged, maxPort: p.maxPort, nrPirqs: p.nrPirqs });
      t.valid = p.valid;
      for (const q of p.ports) {
        t.state[q.port] = q.state;
        t.notifyVcpu[q.port] = q.vcpu;
        t.remoteDom[q.port] = q.remoteDom;
        t.remotePort[q.port] = q.remotePort;
        t.virq[q.port] = q.virq;
        t.sent[q.port] = q.sent;
        t.raised[q.port] = q.raised;
        t.latched[q.port] = q.latched;
        if (q.state === ECS_VIRQ) {
          const k = (virqType(q.virq) === VIRQ_VCPU ? q.vcpu : 0) * NR_VIRQS + q.virq;
          if (t.virqToPort[k]) bad.push(`domain ${p.dom}: VIRQ ${q.virq} bound to ports ${t.virqToPort[k]} and ${q.port}`);
          t.virqToPort[k] = q.port;
        }
      }
      tables.set(p.dom, t);
    }
    for (const [dom, t] of tables) {
      if (t.state[0] !== ECS_RESERVED) bad.push(`domain ${dom}: port 0 is not reserved`);
      for (let port = 1; port < t.valid; port++) {
        if (t.state[port] !== ECS_INTERDOMAIN) continue;
        const rd = tables.get(t.remoteDom[port]), rp = t.remotePort[port];
        if (!rd || rd.state[rp] !== ECS_INTERDOMAIN || rd.remoteDom[rp] !== dom || rd.remotePort[rp] !== port) {
          bad.push(`domain ${dom} port ${port}: its other end (domain ${t.remoteDom[port]} port ${rp}) does not name it back`);
        }
      }
    }
    handlers.forEach((h, virq) => { if (h >= 0 && !tables.has(h)) bad.push(`global VIRQ ${virq} goes to missing domain ${h}`); });
    if (bad.length === 0) e.restoreTables(tables, handlers);
    return bad;
  };
}
