// Event-channel state round trip: ports of every kind with their counters are
// saved, read back into a fresh engine over the same shared_info pages, and
// behave the same (a send reaches the other end, a VIRQ finds its port); tables
// whose interdomain ends disagree or whose VIRQs clash are refused.
import { describe, expect, it } from 'vitest';
import { NR_VIRQS, VIRQ } from '../../abi/xen';
import { Rec } from '../../shared/record';
import { EventChannels } from './evtchn';
import { readEvtchn, saveEvtchn } from './state';
import { evtchnFixture } from './testing';

function busy() {
  const f = evtchnFixture();
  f.add(0, 1, true);
  f.add(1, 2);
  f.add(2, 1);
  const unbound = f.ev.allocUnbound(1, 1, 2);
  const inter = f.ev.bindInterdomain(2, 1, unbound);
  const timer = f.ev.bindVirq(1, VIRQ.TIMER, 1);
  const ipi = f.ev.bindIpi(1, 0);
  f.ev.allocUnbound(0, 0, 1);
  f.ev.send(2, inter);
  f.ev.send(1, ipi);
  f.ev.sendVirq(1, VIRQ.TIMER, 1);
  return { f, unbound, inter, timer, ipi };
}

describe('event-channel state', () => {
  it('round-trips and behaves the same afterwards', () => {
    const { f, unbound, inter, timer } = busy();
    const saved = saveEvtchn(f.ev);
    const fresh = new EventChannels({ kick: () => {} });
    const bad = readEvtchn(Rec.of(JSON.parse(JSON.stringify(saved)), 'evtchn'))(fresh, (d) => {
      const v = f.views.get(d);
      return v ? { memory: v, nrVcpus: v.nrVcpus } : undefined;
    });
    expect(bad).toEqual([]);
    expect(saveEvtchn(fresh)).toEqual(saved);
    for (const d of [0, 1, 2]) expect(fresh.ports(d)).toEqual(f.ev.ports(d));
    expect(fresh.virqPort(1, VIRQ.TIMER, 1)).toBe(timer);
    // Both engines do the same with the same next operation.
    f.views.get(1)!.takePending(0);
    f.views.get(1)!.takePending(1);
    expect(fresh.send(2, inter)).toBe(0);
    expect(fresh.ports(1).find((p) => p.port === unbound)!.pending).toBe(true);
    expect(fresh.close(1, unbound)).toBe(0);
    expect(fresh.status(2, 2, inter, { status: 0, vcpu: 0, dom: 0, port: 0, irq: 0 })).toBe(0);
  });

  it('refuses ends that disagree, clashing VIRQs and unknown domains', () => {
    const { f } = busy();
    const saved = saveEvtchn(f.ev) as { domains: { dom: number; ports: { port: number; state: number; remotePort: number; virq: number; vcpu: number }[] }[]; globalHandler: number[] };
    const check = (edit: (s: typeof saved) => void, known = [0, 1, 2]): string[] => {
      const s = JSON.parse(JSON.stringify(saved)) as typeof saved;
      edit(s);
      return readEvtchn(Rec.of(s, 'evtchn'))(new EventChannels({ kick: () => {} }), (d) => {
        const v = f.views.get(d);
        return v && known.includes(d) ? { memory: v, nrVcpus: v.nrVcpus } : undefined;
      });
    };
    expect(check(() => {})).toEqual([]);
    expect(check((s) => { s.domains[2].ports.find((p) => p.state === 3)!.remotePort += 1; }).join()).toMatch(/does not name it back/);
    expect(check((s) => { const p = s.domains[1].ports.find((q) => q.state === 5)!; s.domains[1].ports.push({ ...p, port: 40 }); }).join()).toMatch(/VIRQ 0 bound to ports/);
    expect(check(() => {}, [0, 1]).join()).toMatch(/domain 2, which does not exist/);
    expect(check((s) => { s.globalHandler[VIRQ.DOM_EXC] = 7; }).join()).toMatch(/missing domain 7/);
    expect(() => check((s) => { s.domains[1].ports[0].state = 4; })).toThrow(/no channel here is ever in that state/);
    expect(() => check((s) => { s.domains[1].ports[0].vcpu = 5; })).toThrow(/vcpu/);
    expect(NR_VIRQS).toBe(saved.globalHandler.length);
  });
});
