// Port allocation and the bind/close/status/bind_vcpu/reset ops: errnos in Xen's order and the
// state each op leaves behind.
import { describe, expect, it } from 'vitest';
import { DOMID_SELF, E, EVTCHNSTAT, VIRQ } from '../../abi/xen';
import type { EvtchnStatusOut } from './evtchn';
import { evtchnFixture } from './testing';

function st() {
  return { status: -1, vcpu: -1, dom: -1, port: -1, irq: -1 } as EvtchnStatusOut;
}

function status(f: ReturnType<typeof evtchnFixture>, caller: number, dom: number, port: number) {
  const out = st();
  const rc = f.ev.status(caller, dom, port, out);
  return rc < 0 ? rc : out;
}

/** dom0 (privileged) and two domUs. */
function three() {
  const f = evtchnFixture();
  f.add(0, 1, true);
  f.add(1);
  f.add(2);
  return f;
}

describe('port allocation', () => {
  it('never hands out port 0 and always gives the lowest free port', () => {
    const f = three();
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(1);
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(2);
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(3);
    expect(f.ev.close(1, 2)).toBe(0);
    expect(f.ev.bindIpi(1, 0)).toBe(2);
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(4);
  });

  it('treats port 0 as reserved: close and send refuse it, status says closed', () => {
    const f = three();
    expect(f.ev.close(1, 0)).toBe(-E.EINVAL);
    expect(f.ev.send(1, 0)).toBe(-E.EINVAL);
    expect(status(f, 1, DOMID_SELF, 0)).toMatchObject({ status: EVTCHNSTAT.closed, vcpu: 0 });
  });

  it('runs out at 1023 ports with -ENOSPC, and a freed port is reused', () => {
    const f = three();
    for (let i = 1; i <= 1023; i++) expect(f.ev.bindIpi(1, 0)).toBe(i);
    expect(f.ev.bindIpi(1, 0)).toBe(-E.ENOSPC);
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(-E.ENOSPC);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 0)).toBe(-E.ENOSPC);
    expect(f.ev.close(1, 500)).toBe(0);
    expect(f.ev.bindIpi(1, 1)).toBe(500);
  });

  it('honours a smaller per-domain port limit', () => {
    const f = evtchnFixture();
    f.ev.addDomain(5, { nrVcpus: 1, memory: f.add(6, 1), maxPort: 3 });
    expect([f.ev.bindIpi(5, 0), f.ev.bindIpi(5, 0), f.ev.bindIpi(5, 0), f.ev.bindIpi(5, 0)])
      .toEqual([1, 2, 3, -E.ENOSPC]);
  });

  it('knows ports in buckets of 64: beyond them -EINVAL, a free port inside them is closed', () => {
    const f = three();
    expect(status(f, 1, DOMID_SELF, 63)).toMatchObject({ status: EVTCHNSTAT.closed });
    expect(status(f, 1, DOMID_SELF, 64)).toBe(-E.EINVAL);
    expect(f.ev.unmask(1, 63)).toBe(0);
    expect(f.ev.unmask(1, 64)).toBe(-E.EINVAL);
    for (let i = 1; i <= 64; i++) f.ev.bindIpi(1, 0);
    expect(status(f, 1, DOMID_SELF, 127)).toMatchObject({ status: EVTCHNSTAT.closed });
    expect(status(f, 1, DOMID_SELF, 128)).toBe(-E.EINVAL);
    expect(status(f, 1, DOMID_SELF, -1)).toBe(-E.EINVAL);
  });
});

describe('EVTCHNOP_alloc_unbound', () => {
  it('accepts DOMID_SELF or the caller\'s own id; remote DOMID_SELF means the caller', () => {
    const f = three();
    const p = f.ev.allocUnbound(1, DOMID_SELF, DOMID_SELF);
    expect(status(f, 1, 1, p)).toEqual({ status: EVTCHNSTAT.unbound, vcpu: 0, dom: 1, port: 0, irq: 0 });
    const q = f.ev.allocUnbound(1, 1, 2);
    expect(status(f, 1, DOMID_SELF, q)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 2 });
  });

  it('refuses an unprivileged caller acting for another domain with -EPERM, taking no port', () => {
    const f = three();
    expect(f.ev.allocUnbound(1, 2, 1)).toBe(-E.EPERM);
    expect(f.ev.allocUnbound(2, DOMID_SELF, 1)).toBe(1);
  });

  it('looks the domain up first (-ESRCH), then allocates (-ENOSPC), then checks permission', () => {
    const f = three();
    expect(f.ev.allocUnbound(1, 9, 1)).toBe(-E.ESRCH);
    for (let i = 1; i <= 1023; i++) f.ev.bindIpi(2, 0);
    expect(f.ev.allocUnbound(1, 2, 1)).toBe(-E.ENOSPC);
  });

  it('lets the control domain allocate in a domU; remote DOMID_SELF then names dom0', () => {
    const f = three();
    const p = f.ev.allocUnbound(0, 1, DOMID_SELF);
    expect(p).toBe(1);
    expect(status(f, 1, DOMID_SELF, p)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 0 });
  });

  it('does not check that the remote domain exists', () => {
    const f = three();
    expect(f.ev.allocUnbound(1, DOMID_SELF, 77)).toBe(1);
  });
});

describe('EVTCHNOP_bind_interdomain', () => {
  it('connects both ends and raises the new local port', () => {
    const f = three();
    const rport = f.ev.allocUnbound(2, DOMID_SELF, 1);
    f.ev.bindIpi(1, 0); // so the local port differs from the remote one
    const lport = f.ev.bindInterdomain(1, 2, rport);
    expect(lport).toBe(2);
    expect(status(f, 1, DOMID_SELF, lport)).toEqual({ status: EVTCHNSTAT.interdomain, vcpu: 0, dom: 2, port: rport, irq: 0 });
    expect(status(f, 2, DOMID_SELF, rport)).toEqual({ status: EVTCHNSTAT.interdomain, vcpu: 0, dom: 1, port: lport, irq: 0 });
    const v1 = f.views.get(1)!;
    expect(v1.isPending(lport)).toBe(true);
    expect(v1.selector(0)).toBe(1);
    expect(v1.upcallPending(0)).toBe(true);
    expect(f.kicks).toEqual(['d1v0']);
    expect(f.views.get(2)!.isPending(rport)).toBe(false);
  });

  it('refuses a remote port that is not unbound, or accepts someone else, with -EINVAL', () => {
    const f = three();
    const forOther = f.ev.allocUnbound(2, DOMID_SELF, 0);
    expect(f.ev.bindInterdomain(1, 2, forOther)).toBe(-E.EINVAL);
    const ipi = f.ev.bindIpi(2, 0);
    expect(f.ev.bindInterdomain(1, 2, ipi)).toBe(-E.EINVAL);
    expect(f.ev.bindInterdomain(1, 2, 30)).toBe(-E.EINVAL); // free
    expect(f.ev.bindInterdomain(1, 2, 64)).toBe(-E.EINVAL); // beyond the valid range
    const ok = f.ev.allocUnbound(2, DOMID_SELF, 1);
    expect(f.ev.bindInterdomain(1, 2, ok)).toBe(1);
    expect(f.ev.bindInterdomain(1, 2, ok)).toBe(-E.EINVAL); // already connected
  });

  it('checks the remote domain first (-ESRCH), then allocates the local port (-ENOSPC)', () => {
    const f = three();
    expect(f.ev.bindInterdomain(1, 9, 1)).toBe(-E.ESRCH);
    for (let i = 1; i <= 1023; i++) f.ev.bindIpi(1, 0);
    expect(f.ev.bindInterdomain(1, 2, 5)).toBe(-E.ENOSPC);
  });

  it('binds a domain to its own unbound port (loopback), with DOMID_SELF as remote', () => {
    const f = three();
    const a = f.ev.allocUnbound(1, DOMID_SELF, DOMID_SELF);
    const b = f.ev.bindInterdomain(1, DOMID_SELF, a);
    expect(b).toBe(2);
    expect(f.ev.send(1, b)).toBe(0);
    expect(f.views.get(1)!.isPending(a)).toBe(true);
  });
});

describe('EVTCHNOP_bind_virq', () => {
  it('checks the VIRQ number, then vcpu 0 for non-per-vcpu VIRQs, then the vcpu', () => {
    const f = three();
    expect(f.ev.bindVirq(1, 24, 0)).toBe(-E.EINVAL);
    expect(f.ev.bindVirq(1, 0xffffffff, 0)).toBe(-E.EINVAL);
    expect(f.ev.bindVirq(1, VIRQ.ARGO, 1)).toBe(-E.EINVAL);
    expect(f.ev.bindVirq(1, VIRQ.CONSOLE, 1)).toBe(-E.EINVAL);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 2)).toBe(-E.ENOENT);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 0xffffffff)).toBe(-E.ENOENT);
  });

  it('binds per-vcpu VIRQs once per vcpu (-EEXIST after)', () => {
    const f = three();
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 0)).toBe(1);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 1)).toBe(2);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 1)).toBe(-E.EEXIST);
    expect(status(f, 1, DOMID_SELF, 2)).toEqual({ status: EVTCHNSTAT.virq, vcpu: 1, dom: 0, port: 0, irq: VIRQ.TIMER });
    expect(f.ev.virqPort(1, VIRQ.TIMER, 1)).toBe(2);
  });

  it('gives a domU -EBUSY for a global VIRQ unless it was made the handler', () => {
    const f = three();
    expect(f.ev.bindVirq(1, VIRQ.CONSOLE, 0)).toBe(-E.EBUSY);
    expect(f.ev.bindVirq(1, VIRQ.DOM_EXC, 0)).toBe(-E.EBUSY);
    expect(f.ev.bindVirq(1, 5, 0)).toBe(-E.EBUSY); // unassigned numbers are global
    expect(f.ev.bindVirq(1, 16, 0)).toBe(-E.EBUSY); // VIRQ_ARCH_0
    expect(f.ev.bindVirq(0, VIRQ.CONSOLE, 0)).toBe(1); // the hardware domain handles them
    expect(f.ev.setGlobalVirqHandler(1, VIRQ.CON_RING)).toBe(0);
    expect(f.ev.bindVirq(1, VIRQ.CON_RING, 0)).toBe(1);
    expect(f.ev.bindVirq(0, VIRQ.CON_RING, 0)).toBe(-E.EBUSY);
  });

  it('binds per-domain VIRQ_ARGO on vcpu 0 for anyone', () => {
    const f = three();
    expect(f.ev.bindVirq(2, VIRQ.ARGO, 0)).toBe(1);
  });

  it('will not move a global VIRQ handler while the current one has it bound', () => {
    const f = three();
    f.ev.bindVirq(0, VIRQ.CONSOLE, 0);
    expect(f.ev.setGlobalVirqHandler(1, VIRQ.CONSOLE)).toBe(-E.EBUSY);
    expect(f.ev.setGlobalVirqHandler(1, VIRQ.TIMER)).toBe(-E.EINVAL);
    expect(f.ev.setGlobalVirqHandler(9, VIRQ.TBUF)).toBe(-E.EINVAL);
    f.ev.close(0, 1);
    expect(f.ev.setGlobalVirqHandler(1, VIRQ.CONSOLE)).toBe(0);
  });
});

describe('EVTCHNOP_bind_ipi and bind_pirq', () => {
  it('binds an IPI to an existing vcpu only', () => {
    const f = three();
    expect(f.ev.bindIpi(1, 2)).toBe(-E.ENOENT);
    expect(f.ev.bindIpi(1, 1)).toBe(1);
    expect(status(f, 1, DOMID_SELF, 1)).toEqual({ status: EVTCHNSTAT.ipi, vcpu: 1, dom: 0, port: 0, irq: 0 });
  });

  it('refuses physical IRQs: -EINVAL beyond the PIRQ space, -EPERM inside it', () => {
    const f = three();
    expect(f.ev.bindPirq(1, 3)).toBe(-E.EPERM);
    expect(f.ev.bindPirq(0, 3)).toBe(-E.EPERM);
    expect(f.ev.bindPirq(1, 56)).toBe(-E.EINVAL);
  });
});

describe('EVTCHNOP_close', () => {
  it('reverts the remote end of an interdomain channel to unbound, accepting the closer', () => {
    const f = three();
    const rport = f.ev.allocUnbound(2, DOMID_SELF, 1);
    const lport = f.ev.bindInterdomain(1, 2, rport);
    expect(f.ev.close(1, lport)).toBe(0);
    expect(status(f, 1, DOMID_SELF, lport)).toMatchObject({ status: EVTCHNSTAT.closed, vcpu: 0 });
    expect(status(f, 2, DOMID_SELF, rport)).toEqual({ status: EVTCHNSTAT.unbound, vcpu: 0, dom: 1, port: 0, irq: 0 });
    expect(f.ev.send(2, rport)).toBe(0); // now silently dropped
    expect(f.ev.bindInterdomain(1, 2, rport)).toBe(lport); // and the closer may bind again
  });

  it('clears the pending bit and resets the notify vcpu to 0', () => {
    const f = three();
    const p = f.ev.bindIpi(1, 1);
    f.ev.send(1, p);
    expect(f.views.get(1)!.isPending(p)).toBe(true);
    f.ev.close(1, p);
    expect(f.views.get(1)!.isPending(p)).toBe(false);
    expect(f.ev.allocUnbound(1, DOMID_SELF, 0)).toBe(p);
    expect(status(f, 1, DOMID_SELF, p)).toMatchObject({ vcpu: 0 });
  });

  it('unbinds a VIRQ so it can be bound again', () => {
    const f = three();
    const p = f.ev.bindVirq(1, VIRQ.TIMER, 1);
    expect(f.ev.close(1, p)).toBe(0);
    expect(f.ev.virqPort(1, VIRQ.TIMER, 1)).toBe(0);
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 1)).toBe(p);
  });

  it('refuses free, reserved and unknown ports with -EINVAL', () => {
    const f = three();
    expect(f.ev.close(1, 5)).toBe(-E.EINVAL);
    expect(f.ev.close(1, 64)).toBe(-E.EINVAL);
    expect(f.ev.close(1, 0xffffffff)).toBe(-E.EINVAL);
  });
});

describe('EVTCHNOP_status', () => {
  it('lets a domain read only itself unless it is the control domain', () => {
    const f = three();
    const p = f.ev.allocUnbound(2, DOMID_SELF, 0);
    expect(status(f, 1, 2, p)).toBe(-E.EPERM);
    expect(status(f, 0, 2, p)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 0 });
    expect(status(f, 1, 9, p)).toBe(-E.ESRCH);
    expect(status(f, 1, 2, 64)).toBe(-E.EINVAL); // port checked before permission
  });
});

describe('EVTCHNOP_bind_vcpu', () => {
  it('re-targets unbound, interdomain and global-VIRQ ports', () => {
    const f = three();
    const u = f.ev.allocUnbound(1, DOMID_SELF, 2);
    expect(f.ev.bindVcpu(1, u, 1)).toBe(0);
    expect(status(f, 1, DOMID_SELF, u)).toMatchObject({ vcpu: 1 });
    const i = f.ev.bindInterdomain(1, 2, f.ev.allocUnbound(2, DOMID_SELF, 1));
    expect(f.ev.bindVcpu(1, i, 1)).toBe(0);
    const a = f.ev.bindVirq(1, VIRQ.ARGO, 0);
    expect(f.ev.bindVcpu(1, a, 1)).toBe(0);
  });

  it('refuses per-vcpu VIRQs, IPIs and free ports with -EINVAL; bad vcpu first with -ENOENT', () => {
    const f = three();
    const t = f.ev.bindVirq(1, VIRQ.TIMER, 0);
    const ipi = f.ev.bindIpi(1, 0);
    expect(f.ev.bindVcpu(1, t, 1)).toBe(-E.EINVAL);
    expect(f.ev.bindVcpu(1, ipi, 1)).toBe(-E.EINVAL);
    expect(f.ev.bindVcpu(1, 40, 1)).toBe(-E.EINVAL);
    expect(f.ev.bindVcpu(1, 0, 0)).toBe(-E.EINVAL);
    expect(f.ev.bindVcpu(1, 64, 2)).toBe(-E.ENOENT);
    expect(f.ev.bindVcpu(1, 64, 1)).toBe(-E.EINVAL);
  });
});

describe('EVTCHNOP_reset and domain destruction', () => {
  it('reset closes every port of the caller', () => {
    const f = three();
    const rport = f.ev.allocUnbound(2, DOMID_SELF, 1);
    f.ev.bindInterdomain(1, 2, rport);
    f.ev.bindVirq(1, VIRQ.TIMER, 0);
    f.ev.bindIpi(1, 1);
    expect(f.ev.reset(1, DOMID_SELF)).toBe(0);
    expect(f.ev.ports(1)).toEqual([]);
    expect(status(f, 2, DOMID_SELF, rport)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 1 });
    expect(f.ev.bindVirq(1, VIRQ.TIMER, 0)).toBe(1);
  });

  it('reset of another domain: -ESRCH, -EPERM unprivileged, -EINVAL unless paused by its controller', () => {
    const f = three();
    f.ev.bindIpi(2, 0);
    expect(f.ev.reset(1, 9)).toBe(-E.ESRCH);
    expect(f.ev.reset(1, 2)).toBe(-E.EPERM);
    expect(f.ev.reset(0, 2)).toBe(-E.EINVAL);
    f.paused.add(2);
    expect(f.ev.reset(0, 2)).toBe(0);
    expect(f.ev.ports(2)).toEqual([]);
  });

  it('destroying a domain reverts every remote end to unbound and forgets the domain', () => {
    const f = three();
    const r1 = f.ev.allocUnbound(0, DOMID_SELF, 1);
    const r2 = f.ev.allocUnbound(2, DOMID_SELF, 1);
    f.ev.bindInterdomain(1, 0, r1);
    f.ev.bindInterdomain(1, 2, r2);
    f.ev.setGlobalVirqHandler(1, VIRQ.CON_RING);
    f.ev.bindVirq(1, VIRQ.CON_RING, 0);
    f.ev.destroyDomain(1);
    expect(f.ev.hasDomain(1)).toBe(false);
    expect(status(f, 0, DOMID_SELF, r1)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 1 });
    expect(status(f, 2, DOMID_SELF, r2)).toMatchObject({ status: EVTCHNSTAT.unbound, dom: 1 });
    expect(status(f, 0, 1, 1)).toBe(-E.ESRCH);
    expect(f.ev.bindVirq(0, VIRQ.CON_RING, 0)).toBe(2); // handler back to the hardware domain
  });
});

describe('FIFO-only ops', () => {
  it('are not offered: -EOPNOTSUPP, and set_priority -ENOSYS on a valid port', () => {
    const f = three();
    expect(f.ev.initControl()).toBe(-E.EOPNOTSUPP);
    expect(f.ev.expandArray()).toBe(-E.EOPNOTSUPP);
    expect(f.ev.setPriority(1, 3)).toBe(-E.ENOSYS);
    expect(f.ev.setPriority(1, 64)).toBe(-E.EINVAL);
  });
});
