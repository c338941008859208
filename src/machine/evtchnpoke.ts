// Event-channel pokes from outside the machine (the UI's event-channel panel):
// an input of the machine's log (snapshot/log.ts), so a replay pokes the same
// port at the same instruction. A poke that does not apply (an unbound port, a
// domain that is gone) is refused with PokeRefused, whose message is for the user.
import type { Machine } from './machine';
import { EVTCHNSTAT } from '../abi/xen';

export type EvtchnPoke = 'inject' | 'mask' | 'unmask';

export class PokeRefused extends Error {}

/**
 * inject: raise the port the way its other end would: the remote domain sends on
 * an interdomain channel, the domain itself on an IPI, the hypervisor raises a
 * VIRQ. The event engine then sets the pending bit and kicks the vcpu exactly as
 * for a real send (an unbound port has nobody who could send).
 * mask: set the port's mask bit in shared_info, as the guest would.
 * unmask: EVTCHNOP_unmask on the domain's behalf: clear the mask bit and, when
 * the port is pending, mark the upcall pending and kick the vcpu.
 */
/** Do it; why not, or null. */
function tryPoke(m: Machine, domid: number, port: number, op: EvtchnPoke): string | null {
  if (domid !== 0 && !m.hv.domains.has(domid)) return `domain ${domid} does not exist`;
  const p = m.hv.evtchn.ports(domid).find((x) => x.port === port);
  if (!p) return `port ${port} of domain ${domid} is not bound`;
  const ev = m.hv.evtchn;
  switch (op) {
    case 'inject':
      switch (p.status) {
        case EVTCHNSTAT.interdomain:
          return errno(ev.send(p.remoteDom, p.remotePort), 'send');
        case EVTCHNSTAT.ipi:
          return errno(ev.send(domid, port), 'send');
        case EVTCHNSTAT.virq:
          ev.sendVirq(domid, p.virq, p.vcpu);
          return null;
        default:
          return `port ${port} of domain ${domid} is ${p.status === EVTCHNSTAT.unbound ? 'unbound' : 'not a channel'}: nothing could send on it`;
      }
    case 'mask': {
      const view = m.hv.sharedInfo.get(domid);
      if (!view) return `domain ${domid} has no shared_info page in machine memory`;
      view.setMask(port, true);
      return null;
    }
    case 'unmask':
      return errno(ev.unmask(domid, port), 'unmask');
    default: {
      const never: never = op;
      return `unknown event-channel operation ${String(never)}`;
    }
  }
}

function errno(rc: number, what: string): string | null {
  return rc < 0 ? `${what} failed with Xen errno ${-rc}` : null;
}

/** Poke a port (see above); PokeRefused when it does not apply. */
export function evtchnPoke(m: Machine, domid: number, port: number, op: EvtchnPoke): void {
  const refused = tryPoke(m, domid, port, op);
  if (refused !== null) throw new PokeRefused(refused);
}
