// The console backend (what xenconsoled does in a real dom0) for each guest's
// PV console ring (xen-pv32-abi.md 7.1). It connects the ring (connection = 0),
// binds the guest's console event channel from domain 0, drains out[] into the
// domain's output, and writes typed input into in[] with a notification.
// Indexes are free-running uint32s; a guest that publishes an out_prod more
// than a ring ahead of out_cons has broken its ring: the backend stops serving
// it (as a device would be disconnected) and says so, and the guest keeps
// running.
import type { Hypervisor } from '../../hv/hypervisor';
import type { Domain } from '../../hv/domain';

const IN = 0, IN_SIZE = 1024, OUT = 1024, OUT_SIZE = 2048;
const IN_CONS = 3072, IN_PROD = 3076, OUT_CONS = 3080, OUT_PROD = 3084, CONNECTION = 3088;

export interface Conn {
  dom: Domain;
  /** Domain 0's end of the console event channel. */
  port: number;
  broken: boolean;
  input: number[];
}

export class ConsoleBackend {
  private readonly hv: Hypervisor;
  private readonly conns = new Map<number, Conn>();
  private readonly out: (domid: number, bytes: Uint8Array) => void;

  constructor(hv: Hypervisor, out: (domid: number, bytes: Uint8Array) => void) {
    this.hv = hv;
    this.out = out;
  }

  /** The connected consoles, by domain, for snapshots (state.ts). */
  connMap(): Map<number, Conn> {
    return this.conns;
  }

  /** Start serving `dom`'s console ring. Returns 0 or a negative errno from the bind. */
  attach(dom: Domain): number {
    const port = this.hv.evtchn.bindInterdomain(0, dom.id, dom.consolePort);
    if (port < 0) return port;
    this.conns.set(dom.id, { dom, port, broken: false, input: [] });
    this.hv.mem.u8[dom.consoleMfn * 4096 + CONNECTION] = 0;
    return 0;
  }

  detach(domid: number): void {
    const c = this.conns.get(domid);
    if (!c) return;
    this.conns.delete(domid);
    this.hv.evtchn.close(0, c.port);
  }

  /** Queue keyboard input for a domain's console. */
  type(domid: number, bytes: Uint8Array): void {
    const c = this.conns.get(domid);
    if (c) for (const b of bytes) c.input.push(b);
  }

  /** Move bytes both ways on every attached ring; notify guests that have new input or space. */
  service(): void {
    for (const c of this.conns.values()) {
      if (c.broken || c.dom.state === 'dead') continue;
      const base = c.dom.consoleMfn * 4096;
      const dv = new DataView(this.hv.mem.buffer, base, 4096);
      let notify = false;
      const prod = dv.getUint32(OUT_PROD, true), cons = dv.getUint32(OUT_CONS, true);
      const avail = (prod - cons) >>> 0;
      if (avail > OUT_SIZE) {
        c.broken = true;
        this.hv.message(`console of domain ${c.dom.id}: out_prod ${prod} is ${avail} bytes past out_cons ${cons} (ring is ${OUT_SIZE}); console disconnected`);
        continue;
      }
      if (avail > 0) {
        const bytes = new Uint8Array(avail);
        for (let i = 0; i < avail; i++) bytes[i] = dv.getUint8(OUT + ((cons + i) & (OUT_SIZE - 1)));
        dv.setUint32(OUT_CONS, prod, true);
        this.out(c.dom.id, bytes);
        notify = true;
      }
      if (c.input.length > 0) {
        const ip = dv.getUint32(IN_PROD, true), ic = dv.getUint32(IN_CONS, true);
        const used = (ip - ic) >>> 0;
        if (used <= IN_SIZE) {
          let p = ip, n = 0;
          while (n < IN_SIZE - used && c.input.length > 0) {
            dv.setUint8(IN + (p & (IN_SIZE - 1)), c.input.shift() as number);
            p = (p + 1) >>> 0;
            n++;
          }
          if (n > 0) {
            dv.setUint32(IN_PROD, p, true);
            notify = true;
          }
        }
      }
      if (notify) {
        this.hv.code.notifyWrite(base, 4096);
        this.hv.evtchn.send(0, c.port);
      }
    }
  }

  /** Is any input still waiting to be taken by a guest? */
  get pendingInput(): boolean {
    for (const c of this.conns.values()) if (c.input.length > 0 && !c.broken) return true;
    return false;
  }
}
