// What the UI may do to a running machine besides running it: domain lifecycle
// operations (through the toolstack, as `xl` does them), event-channel pokes,
// and the frame query. Each returns null when it worked or a sentence saying
// why not; none throws for bad input from the UI.
import type { Machine } from '../machine/machine';
import { ToolstackError } from '../dom0/toolstack/toolstack';
import { frameMappings } from '../machine/framemap';
import { EVTCHNSTAT } from '../abi/xen';
import type { DomainOp, EvtchnOp, FrameMapping } from '../protocol/messages';

export function domainOp(m: Machine, domid: number, op: DomainOp): string | null {
  if (domid === 0) return `Domain-0 cannot be told to ${op}: it is the machine's own services`;
  if (!m.hv.domains.has(domid)) return `domain ${domid} does not exist`;
  try {
    switch (op) {
      // Inputs of the machine's log (snapshot/log.ts), so a replay does the same.
      case 'pause':
      case 'unpause':
      case 'destroy':
        m.input({ kind: op, domid });
        return null;
      case 'shutdown':
      case 'reboot':
        m.input({ kind: 'shutdown', domid, reboot: op === 'reboot' });
        return null;
      default: {
        const never: never = op;
        return `unknown domain operation ${String(never)}`;
      }
    }
  } catch (e) {
    if (e instanceof ToolstackError) return e.message;
    throw e;
  }
}

/**
 * inject: raise the port the way its other end would: the remote domain sends on
 * an interdomain channel, the domain itself on an IPI, the hypervisor raises a
 * VIRQ. The event engine then sets the pending bit and kicks the vcpu exactly as
 * for a real send (an unbound port has nobody who could send).
 * mask: set the port's mask bit in shared_info, as the guest would.
 * unmask: EVTCHNOP_unmask on the domain's behalf: clear the mask bit and, when
 * the port is pending, mark the upcall pending and kick the vcpu.
 */
export function evtchnOp(m: Machine, domid: number, port: number, op: EvtchnOp): string | null {
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

/** Every page-table entry and grant mapping of `mfn`, or why there is no answer. */
export function frameQuery(m: Machine, mfn: number): FrameMapping[] | string {
  const frames = m.mem.layout.frames;
  if (mfn >= frames) return `frame ${mfn} is beyond machine memory (${frames} frames)`;
  const grants = [];
  for (const domid of m.hv.domains.keys()) {
    for (const g of m.hv.gnttab.mappings(domid)) grants.push({ domid, handle: g.handle, mfn: g.mfn, flags: g.flags });
  }
  return frameMappings({ frameTable: m.mem.frameTable(), ram32: m.mem.i32, frames, grants }, mfn);
}
