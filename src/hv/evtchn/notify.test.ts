// Notification semantics: send, VIRQs, unmask and polling, checked in the guest-visible bitmaps
// (pending, mask, selector, upcall_pending) and in the kicks and poll wake-ups they cause.
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, E, VIRQ } from '../../abi/xen';
import { ECS_INTERDOMAIN, ECS_IPI, ECS_UNBOUND, ECS_VIRQ } from './ports';
import { evtchnFixture } from './testing';

/** d1 port `lport` connected to d2 port `rport`, with the bind-time notification consumed. */
function pair() {
  const f = evtchnFixture();
  f.add(1);
  const v2 = f.add(2);
  const rport = f.ev.allocUnbound(2, DOMID_SELF, 1);
  const lport = f.ev.bindInterdomain(1, 2, rport);
  f.views.get(1)!.takePending(0);
  f.kicks.length = 0;
  f.pollWakes.length = 0;
  f.events.length = 0;
  return { f, v1: f.views.get(1)!, v2, lport, rport };
}

describe('EVTCHNOP_send', () => {
  it('on an interdomain port sets the remote port pending, its selector and upcall, and kicks', () => {
    const { f, v2, lport, rport } = pair();
    expect(f.ev.send(1, lport)).toBe(0);
    expect(v2.isPending(rport)).toBe(true);
    expect(v2.selector(0)).toBe(1 << (rport >>> 5));
    expect(v2.upcallPending(0)).toBe(true);
    expect(f.kicks).toEqual(['d2v0']);
    expect(f.pollWakes).toEqual([`d2p${rport}`]);
  });

  it('does nothing more while the port is still pending', () => {
    const { f, v2, lport, rport } = pair();
    f.ev.send(1, lport);
    v2.setUpcallMask(0, false);
    // the guest clears upcall_pending and the selector but not yet the port
    v2.takePending(0);
    v2.testAndSetPending(rport);
    f.kicks.length = 0;
    f.pollWakes.length = 0;
    f.ev.send(1, lport);
    f.ev.send(1, lport);
    expect(v2.selector(0)).toBe(0);
    expect(v2.upcallPending(0)).toBe(false);
    expect(f.kicks).toEqual([]);
    expect(f.pollWakes).toEqual([]);
    const view = f.ev.ports(1).find((p) => p.port === lport)!;
    expect(view.sent).toBe(3);
  });

  it('on a masked port latches only the pending bit (pollers still woken)', () => {
    const { f, v2, lport, rport } = pair();
    v2.setMask(rport, true);
    f.ev.send(1, lport);
    expect(v2.isPending(rport)).toBe(true);
    expect(v2.selector(0)).toBe(0);
    expect(v2.upcallPending(0)).toBe(false);
    expect(f.kicks).toEqual([]);
    expect(f.pollWakes).toEqual([`d2p${rport}`]);
  });

  it('sets no upcall when the selector bit of the word is already set', () => {
    const { f, v2, lport, rport } = pair();
    v2.testAndSetSelector(0, rport >>> 5); // another port of the same word is being handled
    f.ev.send(1, lport);
    expect(v2.isPending(rport)).toBe(true);
    expect(v2.upcallPending(0)).toBe(false);
    expect(f.kicks).toEqual([]);
  });

  it('sets the selector but does not kick again when upcall_pending is already set', () => {
    const { f, v2, lport, rport } = pair();
    v2.testAndSetUpcallPending(0);
    f.ev.send(1, lport);
    expect(v2.selector(0)).toBe(1 << (rport >>> 5));
    expect(f.kicks).toEqual([]);
  });

  it('kicks whatever the vcpu\'s upcall mask (delivery waits for the unmask; waking does not)', () => {
    const { f, v2, lport } = pair();
    expect(v2.upcallMask(0)).toBe(true);
    f.ev.send(1, lport);
    expect(f.kicks).toEqual(['d2v0']);
  });

  it('notifies the remote port\'s bound vcpu', () => {
    const { f, v2, lport, rport } = pair();
    f.ev.bindVcpu(2, rport, 1);
    f.ev.send(1, lport);
    expect(v2.selector(1)).toBe(1 << (rport >>> 5));
    expect(v2.selector(0)).toBe(0);
    expect(f.kicks).toEqual(['d2v1']);
  });

  it('on an IPI port raises the caller\'s own port on its vcpu', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    const p = f.ev.bindIpi(1, 1);
    expect(f.ev.send(1, p)).toBe(0);
    expect(v.isPending(p)).toBe(true);
    expect(v.upcallPending(1)).toBe(true);
    expect(f.kicks).toEqual(['d1v1']);
  });

  it('on an unbound port is silently dropped; on VIRQ, free or unknown ports -EINVAL', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    const u = f.ev.allocUnbound(1, DOMID_SELF, 2);
    expect(f.ev.send(1, u)).toBe(0);
    expect(v.isPending(u)).toBe(false);
    const t = f.ev.bindVirq(1, VIRQ.TIMER, 0);
    expect(f.ev.send(1, t)).toBe(-E.EINVAL);
    expect(f.ev.send(1, 20)).toBe(-E.EINVAL);
    expect(f.ev.send(1, 64)).toBe(-E.EINVAL);
    expect(f.kicks).toEqual([]);
  });

  it('uses high ports\' own words: port 1000 is word 31', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    for (let i = 1; i < 1000; i++) f.ev.bindIpi(1, 0);
    const p = f.ev.bindIpi(1, 0);
    expect(p).toBe(1000);
    f.ev.send(1, p);
    expect(v.selector(0) >>> 0).toBe(0x80000000);
  });
});

describe('VIRQs raised by the hypervisor', () => {
  it('deliver per-vcpu VIRQs to that vcpu\'s binding and ignore unbound ones', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    const p1 = f.ev.bindVirq(1, VIRQ.TIMER, 1);
    f.ev.sendVirq(1, VIRQ.TIMER, 0); // vcpu 0 has no timer binding
    expect(f.kicks).toEqual([]);
    f.ev.sendVirq(1, VIRQ.TIMER, 1);
    expect(v.isPending(p1)).toBe(true);
    expect(v.selector(1)).toBe(1);
    expect(f.kicks).toEqual(['d1v1']);
    f.ev.sendVirq(9, VIRQ.TIMER, 0); // no such domain: ignored
    f.ev.sendVirq(1, VIRQ.TIMER, 7); // no such vcpu: ignored
  });

  it('deliver global and per-domain VIRQs to the vcpu the port is bound to', () => {
    const f = evtchnFixture();
    const v0 = f.add(0, 2, true);
    const p = f.ev.bindVirq(0, VIRQ.CONSOLE, 0);
    f.ev.bindVcpu(0, p, 1);
    f.ev.sendGlobalVirq(VIRQ.CONSOLE);
    expect(v0.isPending(p)).toBe(true);
    expect(f.kicks).toEqual(['d0v1']);
    f.ev.sendGlobalVirq(VIRQ.TIMER); // not global: ignored
    expect(f.kicks).toEqual(['d0v1']);
  });
});

describe('EVTCHNOP_unmask', () => {
  it('clears the mask and, if the port is pending, sets selector and upcall and kicks', () => {
    const { f, v2, lport, rport } = pair();
    v2.setMask(rport, true);
    f.ev.send(1, lport);
    expect(f.kicks).toEqual([]);
    expect(f.ev.unmask(2, rport)).toBe(0);
    expect(v2.isMasked(rport)).toBe(false);
    expect(v2.selector(0)).toBe(1 << (rport >>> 5));
    expect(v2.upcallPending(0)).toBe(true);
    expect(f.kicks).toEqual(['d2v0']);
  });

  it('only clears the mask when the port is not pending, or was not masked', () => {
    const { f, v2, rport } = pair();
    v2.setMask(rport, true);
    f.ev.unmask(2, rport);
    expect(v2.isMasked(rport)).toBe(false);
    expect(v2.upcallPending(0)).toBe(false);
    v2.testAndSetPending(rport); // pending but never masked: nothing to redo
    f.ev.unmask(2, rport);
    expect(v2.upcallPending(0)).toBe(false);
    expect(f.kicks).toEqual([]);
  });

  it('leaves the mask of a free port alone and accepts it; unknown ports -EINVAL', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    v.setMask(9, true);
    expect(f.ev.unmask(1, 9)).toBe(0);
    expect(v.isMasked(9)).toBe(true);
    expect(f.ev.unmask(1, 64)).toBe(-E.EINVAL);
  });
});

describe('SCHEDOP_poll support', () => {
  it('reports the first pending port, refuses ports not in use, and stops at the first answer', () => {
    const f = evtchnFixture();
    const v = f.add(1);
    const a = f.ev.bindIpi(1, 0), b = f.ev.bindIpi(1, 0);
    expect(f.ev.poll(1, [a, b])).toBe(0);
    f.ev.send(1, b);
    expect(f.ev.poll(1, [a, b])).toBe(1);
    expect(f.ev.poll(1, [b, 40])).toBe(1);
    expect(f.ev.poll(1, [a, 40, b])).toBe(-E.EINVAL);
    expect(f.ev.poll(1, [0])).toBe(-E.EINVAL);
    v.setMask(b, true);
    expect(f.ev.poll(1, [b])).toBe(1); // masking does not hide a pending port from poll
  });
});

describe('trace hook and UI view', () => {
  it('reports binds, sends, notifications, unmasks and closes in order', () => {
    const { f, v2, lport, rport } = pair();
    v2.setMask(rport, true);
    f.ev.send(1, lport);
    f.ev.unmask(2, rport);
    f.ev.close(2, rport);
    expect(f.events.map((e) => e.kind)).toEqual(['send', 'pending', 'unmask', 'close']);
    expect(f.events[0]).toEqual({ kind: 'send', dom: 1, port: lport, remoteDom: 2, remotePort: rport });
    expect(f.events[1]).toEqual({ kind: 'pending', dom: 2, port: rport, vcpu: 0, latched: true, upcall: false });
    expect(f.events[2]).toEqual({ kind: 'unmask', dom: 2, port: rport, upcall: true });
  });

  it('reports each bind with its state and remote end or virq, and where each send goes', () => {
    const f = evtchnFixture();
    f.add(1);
    f.add(2);
    const u = f.ev.allocUnbound(2, DOMID_SELF, 1);
    const l = f.ev.bindInterdomain(1, 2, u);
    const t = f.ev.bindVirq(1, VIRQ.TIMER, 1);
    const i = f.ev.bindIpi(1, 0);
    const lone = f.ev.allocUnbound(1, DOMID_SELF, 2);
    f.ev.send(1, i);
    f.ev.send(1, lone);
    expect(f.events.filter((e) => e.kind === 'bind' || e.kind === 'send')).toEqual([
      { kind: 'bind', dom: 2, port: u, ecs: ECS_UNBOUND, vcpu: 0, remoteDom: 1, remotePort: -1, virq: -1 },
      { kind: 'bind', dom: 1, port: l, ecs: ECS_INTERDOMAIN, vcpu: 0, remoteDom: 2, remotePort: u, virq: -1 },
      { kind: 'bind', dom: 1, port: t, ecs: ECS_VIRQ, vcpu: 1, remoteDom: -1, remotePort: -1, virq: VIRQ.TIMER },
      { kind: 'bind', dom: 1, port: i, ecs: ECS_IPI, vcpu: 0, remoteDom: -1, remotePort: -1, virq: -1 },
      { kind: 'bind', dom: 1, port: lone, ecs: ECS_UNBOUND, vcpu: 0, remoteDom: 2, remotePort: -1, virq: -1 },
      { kind: 'send', dom: 1, port: i, remoteDom: 1, remotePort: i },
      { kind: 'send', dom: 1, port: lone, remoteDom: -1, remotePort: -1 },
    ]);
  });

  it('counts notifications per port and restarts the counters when the port is freed', () => {
    const { f, lport, rport } = pair();
    f.ev.send(1, lport);
    f.ev.send(1, lport);
    const r = f.ev.ports(2).find((p) => p.port === rport)!;
    expect(r).toMatchObject({ raised: 2, latched: 1, pending: true, remoteDom: 1, remotePort: lport });
    f.ev.close(1, lport);
    expect(f.ev.ports(1)).toEqual([]);
  });
});
