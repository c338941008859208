// What the UI may do to a running machine besides running it: domain lifecycle
// operations (through the toolstack, as `xl` does them), event-channel pokes,
// and the frame query. Each returns null when it worked or a sentence saying
// why not; none throws for bad input from the UI.
import type { Machine } from '../machine/machine';
import { ToolstackError } from '../dom0/toolstack/toolstack';
import { frameMappings } from '../machine/framemap';
import { PokeRefused } from '../machine/evtchnpoke';
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

/** An event-channel poke (machine/evtchnpoke.ts), as an input of the machine's log. */
export function evtchnOp(m: Machine, domid: number, port: number, op: EvtchnOp): string | null {
  try {
    m.input({ kind: 'evtchn', domid, port, op });
    return null;
  } catch (e) {
    if (e instanceof PokeRefused) return e.message;
    throw e;
  }
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
