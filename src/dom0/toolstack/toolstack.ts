// The toolstack (what libxl and the `xl` daemon that watches each domain do):
// create a PV domain from a DomainConfig (build it, write libxl's xenstore
// layout, introduce it to xenstored, connect its console, unpause it), destroy
// it (release every frame, port, grant, timer, register file and xenstore node),
// ask it to shut down or reboot through ~/control/shutdown, pause and unpause,
// and act on its shutdown with on_poweroff / on_reboot / on_crash:
//   destroy   release everything;
//   restart   destroy, then create again from the same config and images
//             (same name and uuid, new domid), as xl does;
//   preserve  keep it in state shutdown for inspection (`xl destroy` ends it).
// Shutdowns are reported by the hypervisor in the middle of a run; we queue
// them and act at the Machine's next service point (service()).
// `xl shutdown` / `xl reboot` of a guest that does not act on the request:
// xl itself would wait forever (-w) or return at once; we do what the
// xendomains script does after its wait, in virtual time: a domain still not
// shut down SHUTDOWN_TIMEOUT_NS after the request is destroyed (docs/xl.md).
import type { Hypervisor } from '../../hv/hypervisor';
import type { Domain } from '../../hv/domain';
import { SHUTDOWN } from '../../abi/xen';
import type { DomainConfig, LifecycleAction } from './config';
import { diskNodes, vfbNodes, vifNodes } from './devices';
import { removeDomainLayout, writeDomainLayout, domainHome } from './layout';
import type { StoreClient } from './store';
import { makeUuid } from './uuid';

/** How long a guest has to act on control/shutdown before it is destroyed (virtual ns): 30 s. */
export const SHUTDOWN_TIMEOUT_NS = 30_000_000_000;
/** Domain ids the toolstack hands out (Xen's DOMID_FIRST_RESERVED is 0x7ff0). */
const DOMID_LIMIT = 0x7ff0;

/** What the toolstack asks of the domain builder (the Machine injects buildDomain). */
export interface BuildRequest {
  domid: number;
  name: string;
  kernel: Uint8Array;
  ramdisk?: Uint8Array;
  memMiB: number;
  vcpus: number;
  cmdline: string;
}
export type BuildFn = (req: BuildRequest) => { dom: Domain };

export interface ConsoleService {
  attach(dom: Domain): number;
  detach(domid: number): void;
}

export interface ToolstackDeps {
  hv: Hypervisor;
  store: StoreClient;
  build: BuildFn;
  consoles: ConsoleService;
  /** Seeds the uuids (the machine's config, as text). */
  seed: string;
  /** Lines for the hypervisor console / dom0 log. */
  log?(line: string): void;
  /** A domain has been destroyed (after everything was released). */
  destroyed?(domid: number, name: string): void;
  /** A domain was created (also on restart). */
  created?(dom: Domain): void;
}

export interface DomainImages {
  kernel: Uint8Array;
  ramdisk?: Uint8Array;
}

/** What the toolstack remembers of a domain it made (libxl's domain config in /var/lib/xen). */
export interface DomainRecord {
  domid: number;
  uuid: string;
  config: DomainConfig;
  images: DomainImages;
  /** Virtual time of the pending control/shutdown request's deadline, or 0. */
  shutdownDeadline: number;
  /** What was asked: 'poweroff' or 'reboot'. */
  requested: string;
}

export class ToolstackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolstackError';
  }
}

export class Toolstack {
  private readonly deps: ToolstackDeps;
  readonly records = new Map<number, DomainRecord>();
  private readonly shutdowns: number[] = [];
  private uuids = 0;
  /** Xen's domid rover: the next id to try, wrapping below DOMID_LIMIT. */
  private rover = 1;
  shutdownTimeoutNs = SHUTDOWN_TIMEOUT_NS;

  constructor(deps: ToolstackDeps) {
    this.deps = deps;
    // What xen-init-dom0 writes at boot: domain 0's own home.
    const home = domainHome(0);
    deps.store.write(`${home}/domid`, '0');
    deps.store.write(`${home}/name`, 'Domain-0');
  }

  private get hv(): Hypervisor { return this.deps.hv; }
  private get xs(): StoreClient { return this.deps.store; }

  /** The toolstack's private counters and queue, for snapshots (state.ts). */
  counters(): { shutdowns: readonly number[]; uuids: number; rover: number } {
    return { shutdowns: this.shutdowns, uuids: this.uuids, rover: this.rover };
  }

  /** Restore those (records are restored into `records` directly). */
  restoreCounters(c: { shutdowns: readonly number[]; uuids: number; rover: number }): void {
    this.shutdowns.length = 0;
    this.shutdowns.push(...c.shutdowns);
    this.uuids = c.uuids;
    this.rover = c.rover;
  }

  /** The domid of a name or a number (xl's find_domain); undefined when there is none. */
  find(ident: string): number | undefined {
    if (/^\d+$/.test(ident)) {
      const id = Number(ident);
      return this.hv.domains.has(id) || id === 0 ? id : undefined;
    }
    if (ident === 'Domain-0') return 0;
    for (const [id, d] of this.hv.domains) if (d.name === ident) return id;
    return undefined;
  }

  private allocDomid(): number {
    for (let k = 0; k < DOMID_LIMIT; k++) {
      const id = this.rover;
      this.rover = this.rover + 1 >= DOMID_LIMIT ? 1 : this.rover + 1;
      if (!this.hv.domains.has(id)) return id;
    }
    throw new ToolstackError('no free domain id');
  }

  /**
   * Create, start and return a domain. `domid` forces the id (the Machine's
   * legacy callers); `uuid` is kept across restarts; `build` replaces the
   * injected builder for this call.
   */
  create(config: DomainConfig, images: DomainImages, opts: { domid?: number; uuid?: string; build?: BuildFn } = {}): Domain {
    for (const d of this.hv.domains.values()) {
      if (d.name === config.name) throw new ToolstackError(`domain with name "${config.name}" already exists.`);
    }
    if (opts.domid !== undefined && this.hv.domains.has(opts.domid)) throw new ToolstackError(`domain ${opts.domid} already exists`);
    const domid = opts.domid ?? this.allocDomid();
    if (opts.domid !== undefined && opts.domid >= this.rover) this.rover = opts.domid + 1 >= DOMID_LIMIT ? 1 : opts.domid + 1;
    const uuid = opts.uuid ?? config.uuid ?? makeUuid(this.deps.seed, config.name, this.uuids++);
    let dom: Domain | undefined;
    try {
      dom = (opts.build ?? this.deps.build)({
        domid, name: config.name, kernel: images.kernel, ramdisk: images.ramdisk,
        memMiB: config.memory, vcpus: config.vcpus, cmdline: config.cmdline,
      }).dom;
      const devices = [...config.vifs.map((v) => vifNodes(v, uuid)), ...config.disks.map(diskNodes), ...config.vfbs.map(vfbNodes)];
      const ns = this.hv.time.now;
      writeDomainLayout(this.xs, {
        domid, name: config.name, uuid, maxmemKiB: config.maxmem * 1024, targetKiB: config.memory * 1024,
        vcpus: config.vcpus, maxvcpus: Math.max(config.vcpus, config.maxvcpus),
        storeMfn: dom.storeMfn, storePort: dom.storePort, consoleMfn: dom.consoleMfn, consolePort: dom.consolePort,
        startTime: `${Math.floor(ns / 1e9)}.${String(Math.floor((ns % 1e9) / 1e7)).padStart(2, '0')}`,
        devices, backendDomid: dom.backendDomid,
      });
      this.xs.introduce(domid, dom.storeMfn, dom.storePort);
      const rc = this.deps.consoles.attach(dom);
      if (rc < 0) throw new ToolstackError(`could not connect the console of ${config.name} (${rc})`);
      this.xs.write(`${domainHome(dom.backendDomid)}/backend/console/${domid}/0/state`, '4');
    } catch (e) {
      // Undo what was done: the half-made domain goes as a destroyed one does.
      const half = this.hv.domains.get(domid);
      if (half) this.release(half, uuid);
      else removeDomainLayout(this.xs, domid, uuid, 0);
      throw e;
    }
    this.records.set(domid, { domid, uuid, config, images, shutdownDeadline: 0, requested: '' });
    this.hv.unpause(dom);
    this.deps.created?.(dom);
    return dom;
  }

  /** xl destroy: release everything now, whatever the domain's state. */
  destroy(domid: number): void {
    if (domid === 0) throw new ToolstackError('Not destroying domain 0; use -f to force.');
    const dom = this.hv.domains.get(domid);
    if (!dom) throw new ToolstackError(`domain ${domid} does not exist`);
    const rec = this.records.get(domid);
    this.release(dom, rec?.uuid ?? '');
  }

  private release(dom: Domain, uuid: string): void {
    const { id, name } = dom;
    this.hv.pause(dom);
    this.deps.consoles.detach(id);
    if (this.xs.isIntroduced(id)) this.xs.release(id);
    removeDomainLayout(this.xs, id, uuid, dom.backendDomid);
    const res = this.hv.destroyDomain(dom);
    if (res.remaining.length > 0) {
      this.deps.log?.(`domain ${id} (${name}) destroyed; ${res.remaining.length} of its frames are still mapped by another domain`);
    }
    this.records.delete(id);
    this.deps.destroyed?.(id, name);
  }

  /** xl shutdown / xl reboot: write ~/control/shutdown and start the timeout. */
  requestShutdown(domid: number, what: 'poweroff' | 'reboot'): void {
    if (domid === 0) throw new ToolstackError('domain 0 cannot be shut down from here');
    const dom = this.hv.domains.get(domid);
    if (!dom) throw new ToolstackError(`domain ${domid} does not exist`);
    if (dom.state === 'shutdown') return;
    this.xs.write(`${domainHome(domid)}/control/shutdown`, what);
    const rec = this.records.get(domid);
    if (rec) {
      rec.shutdownDeadline = this.hv.time.now + this.shutdownTimeoutNs;
      rec.requested = what;
    }
  }

  pause(domid: number): void {
    const dom = this.live(domid);
    this.hv.pause(dom);
  }

  unpause(domid: number): void {
    const dom = this.live(domid);
    this.hv.unpause(dom);
  }

  private live(domid: number): Domain {
    const dom = this.hv.domains.get(domid);
    if (!dom || domid === 0) throw new ToolstackError(`domain ${domid} does not exist`);
    return dom;
  }

  /** The hypervisor's shutdown hook: remember it, act at the next service point. */
  onShutdown(dom: Domain): void {
    if (!this.shutdowns.includes(dom.id)) this.shutdowns.push(dom.id);
  }

  /** The earliest pending shutdown deadline (virtual ns), or Infinity. */
  get nextDeadline(): number {
    let t = Infinity;
    for (const r of this.records.values()) if (r.shutdownDeadline) t = Math.min(t, r.shutdownDeadline);
    return t;
  }

  /** Is there work for service() now (a shutdown to act on)? */
  get pending(): boolean {
    return this.shutdowns.length > 0;
  }

  /** Run at service points: act on shutdowns, destroy guests that ignored a request. */
  service(): void {
    while (this.shutdowns.length > 0) {
      const domid = this.shutdowns.shift()!;
      const dom = this.hv.domains.get(domid);
      const rec = this.records.get(domid);
      if (!dom || dom.state !== 'shutdown' || !rec) continue;
      rec.shutdownDeadline = 0;
      const reason = dom.shutdownReason;
      const action: LifecycleAction = reason === SHUTDOWN.reboot ? rec.config.onReboot
        : reason === SHUTDOWN.crash || reason === SHUTDOWN.watchdog ? rec.config.onCrash : rec.config.onPoweroff;
      this.act(dom, rec, action);
    }
    const now = this.hv.time.now;
    for (const rec of [...this.records.values()]) {
      if (rec.shutdownDeadline === 0 || rec.shutdownDeadline > now) continue;
      const dom = this.hv.domains.get(rec.domid);
      rec.shutdownDeadline = 0;
      if (!dom || dom.state === 'shutdown') continue;
      this.deps.log?.(`domain ${rec.domid} (${dom.name}) did not act on control/shutdown = "${rec.requested}" within ${this.shutdownTimeoutNs / 1e9} s; destroying it`);
      if (rec.requested === 'reboot') this.act(dom, rec, 'restart');
      else this.release(dom, rec.uuid);
    }
  }

  private act(dom: Domain, rec: DomainRecord, action: LifecycleAction): void {
    switch (action) {
      case 'preserve':
        return;
      case 'destroy':
        this.release(dom, rec.uuid);
        return;
      case 'restart':
        this.release(dom, rec.uuid);
        this.deps.log?.(`restarting domain ${rec.config.name}`);
        this.create(rec.config, rec.images, { uuid: rec.uuid });
        return;
      default: {
        const never: never = action;
        throw new ToolstackError(`unknown action ${String(never)}`);
      }
    }
  }
}
