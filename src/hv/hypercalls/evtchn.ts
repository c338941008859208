// event_channel_op (32) and the legacy event_channel_op_compat (16): the guest's
// side of the event-channel engine (src/hv/evtchn). EBX is the command, ECX points
// at its struct; the structs have the same layout for 32- and 64-bit guests, so
// there is no translation. Each command copies its whole struct in (-EFAULT if any
// byte is unreadable or it reaches into the hypervisor hole), calls one engine
// method, and on success copies the whole struct back with the outputs filled in
// (-EFAULT if that fails), as Xen does. DOMID_SELF is resolved by the engine.
// bind_pirq, the FIFO commands and set_priority are refused by the engine with
// Xen's errnos. The compat form takes a pointer to {cmd, union}: commands 0-9
// are forwarded with the union as their argument, anything else is -ENOSYS.
// A send to a port whose other end is domain 0 sets that port's pending bit (and
// selector) in domain 0's standalone shared_info view, the Machine's private page;
// no vcpu is kicked. The console backend polls every ring at each service point,
// so no notification is needed for progress and none can be lost.
import { E, EVTCHNOP } from '../../abi/xen';
import type { EvtchnStatusOut } from '../evtchn/evtchn';
import type { HcCtx, HcFn } from './types';

/** Struct sizes (event_channel.h); status is the largest, 24 bytes. */
const SIZE: Record<number, number> = {
  [EVTCHNOP.bind_interdomain]: 12, [EVTCHNOP.bind_virq]: 12, [EVTCHNOP.bind_pirq]: 12,
  [EVTCHNOP.close]: 4, [EVTCHNOP.send]: 4, [EVTCHNOP.status]: 24, [EVTCHNOP.alloc_unbound]: 8,
  [EVTCHNOP.bind_ipi]: 8, [EVTCHNOP.bind_vcpu]: 8, [EVTCHNOP.unmask]: 4, [EVTCHNOP.reset]: 2,
  [EVTCHNOP.init_control]: 24, [EVTCHNOP.expand_array]: 8, [EVTCHNOP.set_priority]: 8,
};

/** Size of evtchn_op {cmd, union} for the compat call: 4 + the largest member (status). */
const COMPAT_OP_SIZE = 28;

export const eventChannelOp: HcFn = (x, cmd, arg) => {
  const size = SIZE[cmd];
  if (size === undefined) return -E.ENOSYS;
  const b = x.g.read(arg, size);
  if (!b) return -E.EFAULT;
  const dv = new DataView(b.buffer);
  const rc = run(x, cmd, dv);
  if (rc !== 0 || !OUTPUTS.has(cmd)) return rc;
  return x.g.write(arg, b) ? 0 : -E.EFAULT;
};

/** Commands whose struct carries outputs (copied back on success). */
const OUTPUTS = new Set<number>([
  EVTCHNOP.bind_interdomain, EVTCHNOP.bind_virq, EVTCHNOP.bind_pirq, EVTCHNOP.status,
  EVTCHNOP.alloc_unbound, EVTCHNOP.bind_ipi, EVTCHNOP.init_control,
]);

function run(x: HcCtx, cmd: number, dv: DataView): number {
  const ev = x.hv.evtchn, me = x.dom.id;
  const u16 = (o: number) => dv.getUint16(o, true), u32 = (o: number) => dv.getUint32(o, true);
  /** A port allocated by the engine (> 0, or -errno) goes to the output field at `off`. */
  const port = (p: number, off: number): number => {
    if (p < 0) return p;
    dv.setUint32(off, p, true);
    return 0;
  };
  switch (cmd) {
    case EVTCHNOP.bind_interdomain: return port(ev.bindInterdomain(me, u16(0), u32(4)), 8);
    case EVTCHNOP.bind_virq: return port(ev.bindVirq(me, u32(0), u32(4)), 8);
    case EVTCHNOP.bind_pirq: return port(ev.bindPirq(me, u32(0)), 8);
    case EVTCHNOP.close: return ev.close(me, u32(0));
    case EVTCHNOP.send: return ev.send(me, u32(0));
    case EVTCHNOP.status: {
      const out: EvtchnStatusOut = { status: 0, vcpu: 0, dom: 0, port: 0, irq: 0 };
      const rc = ev.status(me, u16(0), u32(4), out);
      if (rc < 0) return rc;
      dv.setUint32(8, out.status, true);
      dv.setUint32(12, out.vcpu, true);
      // Only the union member of this status is written, as in Xen; the rest keeps the guest's bytes.
      switch (out.status) {
        case 1: dv.setUint16(16, out.dom, true); break;
        case 2: dv.setUint16(16, out.dom, true); dv.setUint32(20, out.port, true); break;
        case 3: case 4: dv.setUint32(16, out.irq, true); break;
      }
      return 0;
    }
    case EVTCHNOP.alloc_unbound: return port(ev.allocUnbound(me, u16(0), u16(2)), 4);
    case EVTCHNOP.bind_ipi: return port(ev.bindIpi(me, u32(0)), 4);
    case EVTCHNOP.bind_vcpu: return ev.bindVcpu(me, u32(0), u32(4));
    case EVTCHNOP.unmask: return ev.unmask(me, u32(0));
    case EVTCHNOP.reset: return ev.reset(me, u16(0));
    case EVTCHNOP.init_control: return ev.initControl();
    case EVTCHNOP.expand_array: return ev.expandArray();
    case EVTCHNOP.set_priority: return ev.setPriority(me, u32(0));
    default: return -E.ENOSYS;
  }
}

export const eventChannelOpCompat: HcFn = (x, ptr) => {
  const b = x.g.read(ptr, COMPAT_OP_SIZE);
  if (!b) return -E.EFAULT;
  const cmd = new DataView(b.buffer).getUint32(0, true);
  if (cmd > EVTCHNOP.unmask) return -E.ENOSYS;
  return eventChannelOp(x, cmd, (ptr + 4) | 0, 0, 0, 0);
};
