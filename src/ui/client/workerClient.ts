// The UI's end of the worker: starts it, says hello, turns its replies into store
// updates, and checks that machine memory really is shared (the worker stores a
// byte, the UI reads it from its own view of the same buffer). Then it boots the
// guest it was told to (the shipped demo guest), sends keystrokes, and routes
// console bytes to consoleStreams, never through a store.
import { PROTOCOL_VERSION, isFatalError, type UiToWorker, type WorkerToUi } from '../../protocol/messages';
import type { WorkerStore } from '../store/workerStore';
import { INITIAL_MACHINE_STATE, type MachineStore } from '../store/machineStore';
import type { ConsoleStreams } from './consoleStreams';
import { XenLinePrefixer } from './xenLines';
import { SnapshotPort } from '../share/port';
import { shareStore } from '../share/shareStore';
import type { EarlyBoot, EarlyStart } from './earlyStart';
import { spawnWorker } from './spawn';

const READY_TIMEOUT_MS = 10_000;

/** Requests the worker answers, and the reply each gets. */
type RequestType = 'create' | 'xl' | 'frame-query';
type Reply = Extract<WorkerToUi, { type: 'created' | 'xl-output' | 'frame-info' }>;
type ReplyTo<K extends RequestType> = K extends 'create'
  ? Extract<Reply, { type: 'created' }>
  : K extends 'xl'
    ? Extract<Reply, { type: 'xl-output' }>
    : Extract<Reply, { type: 'frame-info' }>;
export type XlOutput = Extract<WorkerToUi, { type: 'xl-output' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  const rest = { ...record };
  delete rest[key];
  return rest;
}

export interface PingResult {
  id: number;
  rttMs: number;
  probe: number;
  probeAddr: number;
  /** The byte at probeAddr as the UI reads it after the pong; equals probe when memory is shared. */
  readBack: number;
}

interface PendingPing {
  probe: number;
  sentAt: number;
  resolve: (result: PingResult) => void;
  reject: (error: Error) => void;
}

export interface ClientOptions {
  machine: MachineStore;
  consoles: ConsoleStreams;
  /** A guest image to boot as soon as the worker is ready (it may still be deciding which). */
  autoBoot?: Promise<{ url: string; name: string; memMiB?: number }>;
  /** A worker started before the page loaded (earlyStart.ts), which already said hello and boots. */
  early?: EarlyStart | null;
}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly store: WorkerStore;
  private readonly machine: MachineStore;
  private readonly consoles: ConsoleStreams;
  private autoBoot: ClientOptions['autoBoot'];
  private readonly pending = new Map<number, PendingPing>();
  private readonly requests = new Map<number, (reply: Reply) => void>();
  /** xl lines whose output goes on after the first reply. */
  private readonly follows = new Map<number, (reply: XlOutput) => void>();
  private memory: WebAssembly.Memory | null = null;
  private probeAddr = 0;
  private nextId = 1;
  private readyTimer: ReturnType<typeof setTimeout> | null;
  private bootSentAt = 0;
  private readonly xenLines = new XenLinePrefixer();
  private readonly encoder = new TextEncoder();
  /** Snapshots, share links and the timeline (share/port.ts). */
  readonly snapshots: SnapshotPort;

  constructor(store: WorkerStore, options: ClientOptions) {
    this.store = store;
    this.machine = options.machine;
    this.consoles = options.consoles;
    this.autoBoot = options.autoBoot;
    this.snapshots = new SnapshotPort((m) => this.send(m), shareStore, this.consoles);
    const early = options.early ?? null;
    this.worker = early ? early.worker : spawnWorker();
    this.readyTimer = setTimeout(() => this.fail(`the worker did not answer within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onEvent = (e: Event) => this.event(e);
    for (const type of ['message', 'error', 'messageerror']) this.worker.addEventListener(type, onEvent);
    if (!early) {
      this.send({ v: PROTOCOL_VERSION, type: 'hello' });
      return;
    }
    // Take over from the early start: its boot first, then what the worker said meanwhile.
    this.autoBoot = undefined;
    early.release();
    const booted = (b: EarlyBoot) => {
      this.bootSentAt = b.at;
      this.fresh(b.guest.name);
    };
    if (early.boot) booted(early.boot);
    else early.onBoot = booted;
    for (const e of early.backlog.splice(0)) this.event(e);
  }

  private event(e: Event): void {
    if (e.type === 'message') this.receive((e as MessageEvent<WorkerToUi>).data);
    else if (e.type === 'error') this.fail(`the worker could not start: ${(e as ErrorEvent).message || 'script error'}`);
    else this.fail('a message from the worker could not be read');
  }

  /** Round trip to the worker that also proves the memory is shared. */
  ping(): Promise<PingResult> {
    const memory = this.memory;
    if (!memory) return Promise.reject(new Error('the worker is not ready'));
    const view = new Uint8Array(memory.buffer);
    const addr = this.probeAddr;
    // A value different from what is there now, so a stale read cannot pass.
    const probe = (Atomics.load(view, addr) + 1 + (randomByte() % 255)) & 0xff;
    const id = this.nextId++;
    return new Promise<PingResult>((resolve, reject) => {
      this.pending.set(id, { probe, sentAt: performance.now(), resolve, reject });
      this.send({ v: PROTOCOL_VERSION, type: 'ping', id, probe });
    });
  }

  /** Boot a PV kernel from a URL (resolved against the page) or from its bytes. */
  boot(image: string | ArrayBuffer, name: string, memMiB?: number): void {
    const resolved = typeof image === 'string' ? new URL(image, document.baseURI).href : image;
    this.bootSentAt = performance.now();
    performance.mark('pvplay:boot-sent');
    this.fresh(name);
    this.send({ v: PROTOCOL_VERSION, type: 'boot', image: resolved, name, ...(memMiB ? { memMiB } : {}) });
  }

  /** Add a domain from a URL (resolved against the page) or a kernel's bytes. */
  create(image: string | ArrayBuffer, name: string, options: { memMiB?: number; cmdline?: string } = {}): Promise<Extract<WorkerToUi, { type: 'created' }>> {
    const resolved = typeof image === 'string' ? new URL(image, document.baseURI).href : image;
    const { memMiB, cmdline } = options;
    return this.request<'create'>({
      v: PROTOCOL_VERSION, type: 'create', image: resolved, name, ...(memMiB ? { memMiB } : {}), ...(cmdline ? { cmdline } : {}),
    });
  }

  /** Keystrokes for a domain's PV console. */
  type(domid: number, data: Uint8Array): void {
    if (data.length > 0) this.send({ v: PROTOCOL_VERSION, type: 'console-input', domid, data });
  }

  /** Send a command that has no reply (control, speed, domain-op, evtchn-op, break); refusals arrive as notices. */
  command(message: Extract<UiToWorker, { type: 'control' | 'speed' | 'domain-op' | 'evtchn-op' | 'break' }>): void {
    this.send(message);
    // The speed shows at once (the worker confirms with its next stats), so that
    // pressing ] twice goes two steps even before the first answer is in.
    if (message.type === 'speed') {
      this.machine.setState((s) => (s.stats ? { stats: { ...s.stats, speed: message.factor } } : {}));
    }
  }

  /** Send a request and resolve with the worker's reply to it (matched by id). */
  request<K extends RequestType>(message: DistributiveOmit<Extract<UiToWorker, { type: K }>, 'id'>): Promise<ReplyTo<K>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.requests.set(id, resolve as (reply: Reply) => void);
      this.send({ ...message, id } as UiToWorker);
    });
  }

  dispose(): void {
    this.clearReadyTimer();
    this.worker.terminate();
    this.snapshots.dispose();
    for (const p of this.pending.values()) p.reject(new Error('worker stopped'));
    this.pending.clear();
  }

  private send(message: UiToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(msg: WorkerToUi): void {
    switch (msg.type) {
      case 'ready':
        this.clearReadyTimer();
        performance.mark('pvplay:worker-ready');
        this.memory = msg.memory;
        this.probeAddr = msg.probeAddr;
        this.store.setState({
          status: {
            phase: 'ready', ramBytes: msg.ramBytes, totalBytes: msg.totalBytes, memory: msg.memory, layout: msg.layout,
            sharedCheck: 'pending', rttMs: null,
          },
        });
        void this.selfCheck();
        // The worker answers in order: the self-check's ping is handled before this boot.
        void this.autoBoot?.then((g) => this.boot(g.url, g.name, g.memMiB));
        return;
      case 'pong':
        this.settlePing(msg.id, msg.probeAddr);
        return;
      case 'machine':
        // A boot the worker starts itself (reset) begins a new machine as ours do.
        if (msg.phase === 'booting' && this.machine.getState().phase !== 'booting') {
          this.bootSentAt = performance.now();
          this.fresh(this.machine.getState().imageName);
        }
        this.machine.setState({ phase: msg.phase, message: msg.message ?? null, pause: msg.pause ?? null });
        return;
      case 'domain':
        this.machine.setState((s) => ({
          domains: { ...s.domains, [msg.domain.domid]: msg.domain },
          // Domain 0 has no PV console of its own: its terminal is the xl shell.
          consoleDomid: s.domains[msg.domain.domid] || msg.domain.domid === 0 ? s.consoleDomid : msg.domain.domid,
        }));
        return;
      case 'domain-gone':
        this.machine.setState((s) => ({
          domains: without(s.domains, msg.domid),
          counters: without(s.counters, msg.domid),
          ports: without(s.ports, msg.domid),
          grantMaps: without(s.grantMaps, msg.domid),
          consoleDomid: s.consoleDomid === msg.domid ? null : s.consoleDomid,
        }));
        return;
      case 'evtchn':
        this.machine.setState((s) => ({ ports: { ...s.ports, [msg.domid]: msg.ports } }));
        return;
      case 'grant-maps':
        this.machine.setState((s) => ({ grantMaps: { ...s.grantMaps, [msg.domid]: msg.maps } }));
        return;
      case 'xl-output':
        this.xlOutput(msg);
        return;
      case 'created':
      case 'frame-info':
        this.settleRequest(msg);
        return;
      case 'console':
        this.consoleBytes(msg.source, msg.domid, msg.data);
        return;
      case 'stats':
        this.machine.setState({
          stats: { instructions: msg.instructions, systemTimeNs: msg.systemTimeNs, wallMs: msg.wallMs, speed: msg.speed },
          counters: Object.fromEntries(msg.domains.map((d) => [d.domid, d])),
        });
        return;
      case 'snapshot-file':
      case 'restored':
      case 'share-link':
      case 'timeline-info':
      case 'seeked':
      case 'scrollback':
        this.snapshots.receive(msg);
        return;
      case 'error':
        if (isFatalError(msg.code)) {
          this.fail(`the worker reports ${msg.code}: ${msg.message}`);
          return;
        }
        // About one command: the worker is fine and keeps answering.
        if (msg.code === 'boot') this.machine.setState({ phase: 'failed', message: msg.message });
        this.machine.setState((s) => ({ notice: { code: msg.code, message: msg.message, seq: (s.notice?.seq ?? 0) + 1 } }));
        return;
      default: {
        const unreachable: never = msg;
        return unreachable;
      }
    }
  }

  /**
   * Run one line in Domain 0's shell. Resolves with its first reply; when that says
   * `more`, `onMore` gets each later reply until the last (without `more`).
   */
  xl(line: string, onMore?: (reply: XlOutput) => void): { id: number; done: Promise<XlOutput> } {
    const id = this.nextId++;
    const done = new Promise<XlOutput>((resolve) => {
      this.requests.set(id, resolve as (reply: Reply) => void);
      if (onMore) this.follows.set(id, onMore);
      this.send({ v: PROTOCOL_VERSION, type: 'xl', id, line });
    });
    return { id, done };
  }

  /** Ctrl-C for an xl line whose output still follows. */
  interruptXl(id: number): void {
    this.send({ v: PROTOCOL_VERSION, type: 'xl-interrupt', id });
  }

  private xlOutput(msg: XlOutput): void {
    if (this.requests.has(msg.id)) {
      this.settleRequest(msg);
      if (!msg.more) this.follows.delete(msg.id);
      return;
    }
    const follow = this.follows.get(msg.id);
    if (!follow) return;
    if (!msg.more) this.follows.delete(msg.id);
    follow(msg);
  }

  /** Forget the old machine: its domains, figures and console output. */
  private fresh(imageName: string | null): void {
    this.consoles.clear();
    this.xenLines.reset();
    this.machine.setState((s) => ({ ...INITIAL_MACHINE_STATE, phase: 'booting', imageName, bootSeq: s.bootSeq + 1 }));
  }

  private settleRequest(reply: Reply): void {
    const resolve = this.requests.get(reply.id);
    if (!resolve) return;
    this.requests.delete(reply.id);
    resolve(reply);
  }

  private consoleBytes(source: 'guest' | 'xen', domid: number, data: Uint8Array): void {
    if (source === 'xen') {
      this.consoles.append('xen', this.encoder.encode(this.xenLines.format(domid, data)));
      return;
    }
    if (this.machine.getState().bootToOutputMs === null) {
      performance.mark('pvplay:first-output');
      this.machine.setState({ bootToOutputMs: performance.now() - this.bootSentAt });
    }
    this.consoles.append(`guest:${domid}`, data);
  }

  private settlePing(id: number, probeAddr: number): void {
    const p = this.pending.get(id);
    if (!p || !this.memory) return;
    this.pending.delete(id);
    const readBack = Atomics.load(new Uint8Array(this.memory.buffer), probeAddr);
    p.resolve({ id, rttMs: performance.now() - p.sentAt, probe: p.probe, probeAddr, readBack });
  }

  private async selfCheck(): Promise<void> {
    try {
      const r = await this.ping();
      const status = this.store.getState().status;
      if (status.phase !== 'ready') return;
      this.store.setState({
        status: { ...status, sharedCheck: r.readBack === r.probe ? 'ok' : 'failed', rttMs: r.rttMs },
      });
    } catch {
      // dispose() rejects pending pings; nothing to report then.
    }
  }

  private fail(message: string): void {
    this.clearReadyTimer();
    this.store.setState({ status: { phase: 'failed', message } });
  }

  private clearReadyTimer(): void {
    if (this.readyTimer !== null) clearTimeout(this.readyTimer);
    this.readyTimer = null;
  }
}

function randomByte(): number {
  return crypto.getRandomValues(new Uint8Array(1))[0] ?? 0;
}
