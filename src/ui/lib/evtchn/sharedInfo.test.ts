// The event-channel view model against a real machine: the demo guest boots, binds its console
// and xenstore ports, and the bits the UI reads from shared memory must be the ones the
// hypervisor's own view of shared_info holds, before and after events move them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVTCHNSTAT, EVTCHN_2L_NR_CHANNELS, SHINFO } from '../../../abi/xen';
import { Machine } from '../../../machine/machine';
import type { PortView } from '../../../hv/evtchn/evtchn';
import type { PortInfo } from '../../../protocol/messages';
import { readVcpuEvents, SharedInfoBits } from './sharedInfo';
import { BIT_MASKED, BIT_PENDING, bindingText, liveBits, portSummary, virqName } from './ports';

const DEMO = resolve(__dirname, '../../../../public/guests/console.elf');

/** PortInfo as the worker reports it (the hypervisor's view, minus the bits and counters). */
function portInfo(p: PortView): PortInfo {
  const state = (['reserved', 'unbound', 'interdomain', 'pirq', 'virq', 'ipi'] as const)[p.status]!;
  return {
    port: p.port, state, notifyVcpu: p.vcpu,
    remoteDom: p.status === EVTCHNSTAT.unbound || p.status === EVTCHNSTAT.interdomain ? p.remoteDom : -1,
    remotePort: p.status === EVTCHNSTAT.interdomain ? p.remotePort : -1,
    virq: p.status === EVTCHNSTAT.virq ? p.virq : -1,
  };
}

describe('event-channel bits read from shared memory', () => {
  let m: Machine;
  let domid: number;
  let bits: SharedInfoBits;

  beforeAll(() => {
    m = new Machine({ ramMiB: 32, maxVcpus: 2 });
    domid = m.createGuest({ name: 'demo', kernel: readFileSync(DEMO), memMiB: 16 }).dom.id;
    for (let i = 0; i < 40 && m.hv.evtchn.ports(domid).length < 2; i++) m.run(1_000_000);
    bits = new SharedInfoBits(m.mem.buffer, m.mem.ramBytes, m.domain(domid)!.sharedInfoMfn);
  });

  it('agrees with the hypervisor on every port, after boot', () => {
    const hv = m.hv.sharedInfo.get(domid)!;
    expect(bits.readable).toBe(true);
    for (let port = 0; port < EVTCHN_2L_NR_CHANNELS; port++) {
      expect(bits.pending(port), `pending ${port}`).toBe(hv.isPending(port));
      expect(bits.masked(port), `masked ${port}`).toBe(hv.isMasked(port));
    }
  });

  it('sees a notification from domain 0 set the pending bit, and the guest take it', () => {
    const ports = m.hv.evtchn.ports(domid).map(portInfo);
    const target = ports.find((p) => p.state === 'interdomain' && p.remoteDom === 0)!;
    expect(target).toBeDefined();
    const packed = new Uint8Array(ports.length);
    liveBits(bits, ports, packed);
    const i = ports.indexOf(target);
    expect(packed[i]! & BIT_PENDING).toBe(0);

    expect(m.hv.evtchn.send(0, target.remotePort)).toBe(0);
    expect(bits.pending(target.port)).toBe(true);
    expect(liveBits(bits, ports, packed)).toBe(true);
    expect(packed[i]! & BIT_PENDING).toBe(BIT_PENDING);
    expect(portSummary(ports, packed).pending).toBeGreaterThanOrEqual(1);
    // The guest's vcpu is told too, unless it has the port masked.
    const v = readVcpuEvents(m.mem.buffer, m.mem.ramBytes, 0, m.domain(domid)!.sharedInfoMfn * 4096);
    expect(v.readable).toBe(true);
    expect(v.upcallPending).toBe(m.hv.sharedInfo.get(domid)!.upcallPending(0));
    expect(v.pendingSel).toBe(m.hv.sharedInfo.get(domid)!.selector(0));
    expect(v.pendingSel & (1 << (target.port >>> 5))).not.toBe(0);

    // Nothing changed: liveBits says so.
    expect(liveBits(bits, ports, packed)).toBe(false);
    for (let n = 0; n < 20 && bits.pending(target.port); n++) m.run(200_000);
    expect(bits.pending(target.port)).toBe(false);
    expect(liveBits(bits, ports, packed)).toBe(true);
    expect(packed[i]! & BIT_PENDING).toBe(0);
  });

  it('reads mask bits and the vcpu upcall mask as the hypervisor leaves them', () => {
    const hv = m.hv.sharedInfo.get(domid)!;
    const ports = m.hv.evtchn.ports(domid).map(portInfo);
    const port = ports[0]!.port;
    const packed = new Uint8Array(ports.length);
    hv.setMask(port, true);
    liveBits(bits, ports, packed);
    expect(packed[0]! & BIT_MASKED).toBe(BIT_MASKED);
    expect(bits.maskWord(port >>> 5) & (1 << (port & 31))).not.toBe(0);
    hv.setMask(port, false);
    expect(liveBits(bits, ports, packed)).toBe(true);
    expect(packed[0]! & BIT_MASKED).toBe(0);

    const addr = m.domain(domid)!.sharedInfoMfn * 4096 + SHINFO.VCPU_INFO;
    const was = hv.upcallMask(0);
    hv.setUpcallMask(0, !was);
    expect(readVcpuEvents(m.mem.buffer, m.mem.ramBytes, 0, addr).upcallMask).toBe(!was);
    hv.setUpcallMask(0, was);
    expect(readVcpuEvents(m.mem.buffer, m.mem.ramBytes, 0, addr).upcallMask).toBe(was);
  });

  it('refuses addresses outside RAM instead of reading them', () => {
    const none = new SharedInfoBits(m.mem.buffer, m.mem.ramBytes, 0);
    expect(none.readable).toBe(false);
    expect(none.pending(1)).toBe(false);
    const past = new SharedInfoBits(m.mem.buffer, m.mem.ramBytes, m.mem.ramBytes / 4096);
    expect(past.readable).toBe(false);
    expect(readVcpuEvents(m.mem.buffer, m.mem.ramBytes, 0, m.mem.ramBytes - 8).readable).toBe(false);
    expect(readVcpuEvents(m.mem.buffer, m.mem.ramBytes, 0, 0x1002).readable).toBe(false);
    expect(bits.pending(EVTCHN_2L_NR_CHANNELS)).toBe(false);
  });

  it('names bindings as Xen does', () => {
    const ports = m.hv.evtchn.ports(domid).map(portInfo);
    const inter = ports.find((p) => p.state === 'interdomain')!;
    expect(bindingText(inter)).toBe(`d0:${inter.remotePort}`);
    expect(virqName(0)).toBe('VIRQ_TIMER');
    expect(virqName(23)).toBe('VIRQ 23');
    expect(bindingText({ port: 5, state: 'unbound', notifyVcpu: 0, remoteDom: 2, remotePort: -1, virq: -1 })).toBe('waiting for d2');
    expect(bindingText({ port: 6, state: 'virq', notifyVcpu: 0, remoteDom: -1, remotePort: -1, virq: 2 })).toBe('VIRQ_CONSOLE');
    expect(bindingText({ port: 7, state: 'ipi', notifyVcpu: 1, remoteDom: -1, remotePort: -1, virq: -1 })).toBe('IPI');
  });
});
