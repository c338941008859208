// A domain: its vcpus, memory accounting, the pages Xen shares with it, and its
// lifecycle. Per-domain state of the event-channel, grant-table and page-type
// engines lives in those engines, keyed by domid.
//
// Lifecycle (an explicit state machine, as xl shows it):
//   running --pause--> paused --unpause--> running
//   running/paused --shutdown(reason)--> shutdown   (crash is shutdown with reason crash)
//   any --destroy--> dead                            (every resource released)
import { SHUTDOWN } from '../abi/xen';
import type { Vcpu } from './vcpu';

export type DomainState = 'running' | 'paused' | 'shutdown' | 'dead';

export class Domain {
  readonly id: number;
  name: string;
  state: DomainState = 'paused';
  /** SHUTDOWN_* reason once shut down; the first reason wins. */
  shutdownReason = -1;
  /** SCHEDOP_shutdown_code: the reason to use for a later shutdown. */
  pendingShutdownCode = -1;
  /** Why the hypervisor crashed the domain (first reason wins), for the user. */
  crashReason = '';
  readonly vcpus: Vcpu[] = [];

  maxPages = 0;
  /** The E820 map the toolstack set (XENMEM_memory_map); empty: none (-ENOSYS). */
  memoryMap: { addr: number; size: number; type: number }[] = [];
  sharedInfoMfn = 0;
  startInfoMfn = 0;
  vmAssist = 0;
  consoleMfn = 0;
  consolePort = 0;
  storeMfn = 0;
  storePort = 0;
  /** Domain id of the console and xenstore backends (dom0). */
  backendDomid = 0;
  /** The I/O port bitmap a guest registered with PHYSDEVOP_set_iobitmap (linear address, ports). */
  ioBitmap = 0;
  ioBitmapPorts = 0;
  /** Last value written to port 0x70 (the RTC index latch Xen keeps per domain). */
  rtcIndex = 0;

  /** Hypercalls made, by number; and how many had no implementation (-ENOSYS). */
  readonly hypercalls = new Float64Array(64);
  enosys = 0;
  /** Event upcalls delivered to its vcpus, for the UI. */
  upcalls = 0;

  constructor(id: number, name: string) {
    this.id = id;
    this.name = name;
  }

  get crashed(): boolean {
    return this.state === 'shutdown' && this.shutdownReason === SHUTDOWN.crash;
  }

  /** Can its vcpus run? */
  get active(): boolean {
    return this.state === 'running';
  }

  vmAssistEnabled(type: number): boolean {
    return ((this.vmAssist >>> type) & 1) === 1;
  }
}
