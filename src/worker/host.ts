// The worker's side of the protocol, apart from the worker global itself so that it
// runs under test in node. It owns the machine memory, creates it at the first hello
// and shares it with the UI, boots guests in it (runner.ts) and answers the UI.
// `post` is the only way out: src/worker/ is the only code that posts messages.
// Every message is checked (isUiToWorker) before it is acted on, and no handler
// throws: failures are answered with `error` or a machine phase.
import { MachineMemory } from '../mem/memory';
import {
  PROTOCOL_VERSION,
  isUiToWorker,
  probeAddress,
  versionOf,
  type ControlAction,
  type UiToWorker,
  type WorkerErrorCode,
  type WorkerToUi,
} from '../protocol/messages';
import type { Machine } from '../machine/machine';
import { MachineRunner, type RunnerHost } from './runner';
import { domainOp, evtchnOp, frameQuery } from './ops';
import { ImageCatalog } from './images';
import { Transfer } from './transfer';
import { Travel } from './travel';

export type Post = (message: WorkerToUi) => void;

export interface HostConfig {
  ramMiB: number;
}

/** Room for a few guests: pvos wants 32 MiB, the demo guest 8. */
export const DEFAULT_HOST_CONFIG: HostConfig = { ramMiB: 128 };
/** Guest memory when the boot command does not say. */
export const DEFAULT_GUEST_MIB = 8;

/** What the host needs from its surroundings; tests pass their own. */
export interface HostEnv {
  now(): number;
  schedule(fn: () => void, delayMs: number): () => void;
  fetchBytes(url: string): Promise<ArrayBuffer>;
}

export const DEFAULT_ENV: HostEnv = {
  now: () => performance.now(),
  schedule: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    return () => clearTimeout(t);
  },
  fetchBytes: async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    return res.arrayBuffer();
  },
};

export class WorkerHost {
  private mem: MachineMemory | null = null;
  private runner: MachineRunner | null = null;
  /** Guest images fetched by URL, by content id (images.ts). */
  private readonly catalog: ImageCatalog;
  /** Snapshots, share links and restores (transfer.ts); made with the runner. */
  private transfer: Transfer | null = null;
  /** The timeline: checkpoints, seek and step back (travel.ts); made with the runner. */
  private travel: Travel | null = null;
  /** Counts boot commands, so a slow fetch cannot start an image a later boot replaced. */
  private bootSeq = 0;
  private readonly post: Post;
  private readonly config: HostConfig;
  private readonly env: HostEnv;

  constructor(post: Post, config: HostConfig = DEFAULT_HOST_CONFIG, env: HostEnv = DEFAULT_ENV) {
    this.post = post;
    this.config = config;
    this.env = env;
    this.catalog = new ImageCatalog((url) => env.fetchBytes(url));
  }

  /** The machine the worker runs, if any (tests look inside it). */
  get machine(): Machine | null {
    return this.runner?.current ?? null;
  }

  /** Handle one message from the UI. Never throws: failures are answered with `error`. */
  receive(data: unknown): void {
    if (versionOf(data) !== PROTOCOL_VERSION) {
      this.fail('version', `UI speaks protocol ${String(versionOf(data))}, this worker speaks ${PROTOCOL_VERSION}; reload the page`);
      return;
    }
    if (!isUiToWorker(data)) {
      this.fail('bad-message', 'malformed message from the UI');
      return;
    }
    this.handle(data);
  }

  private handle(msg: UiToWorker): void {
    switch (msg.type) {
      case 'hello':
        this.hello();
        return;
      case 'ping':
        this.ping(msg.id, msg.probe);
        return;
      case 'boot':
        this.boot(msg);
        return;
      case 'console-input':
        this.runner?.type(msg.domid, msg.data);
        return;
      case 'create':
        this.create(msg);
        return;
      case 'control':
        this.control(msg.action);
        return;
      case 'speed':
        this.withRunner((r) => r.setSpeed(msg.factor));
        return;
      case 'domain-op':
        this.command('no-domain', (m) => domainOp(m, msg.domid, msg.op));
        return;
      case 'evtchn-op':
        this.command('refused', (m) => evtchnOp(m, msg.domid, msg.port, msg.op));
        return;
      case 'break':
        this.withRunner((r) => r.setBreakpoints(msg.hypercalls, msg.domid));
        return;
      case 'xl':
        this.xl(msg.id, msg.line);
        return;
      case 'xl-interrupt':
        this.runner?.interruptXl(msg.id);
        return;
      case 'frame-query':
        this.frameQuery(msg.id, msg.mfn);
        return;
      case 'snapshot':
      case 'share':
      case 'restore':
        if (this.transfer) void this.transfer.handle(msg);
        else this.fail('not-ready', `${msg.type} before hello: no machine memory yet`);
        return;
      case 'timeline':
      case 'seek':
      case 'step-back':
        if (this.travel) this.travel.handle(msg);
        else this.fail('not-ready', `${msg.type} before hello: no machine memory yet`);
        return;
      default: {
        const unreachable: never = msg;
        return unreachable;
      }
    }
  }

  private withRunner(fn: (r: MachineRunner) => void): void {
    if (!this.runner) this.fail('not-ready', 'command before hello: no machine memory yet');
    else fn(this.runner);
  }

  private control(action: ControlAction): void {
    this.withRunner((r) => {
      switch (action.kind) {
        case 'run':
          r.run();
          return;
        case 'pause':
          r.pause();
          return;
        case 'step':
          if (!r.current) this.fail('no-machine', 'no machine to step: boot a guest first');
          else if (action.unit === 'instruction') r.step(action.count);
          else r.stepUntil(action.unit);
          return;
        case 'reset': {
          const why = r.reset();
          if (why) this.fail('refused', why);
          return;
        }
        default: {
          const never: never = action;
          return never;
        }
      }
    });
  }

  /** A command that changes the machine; `op` returns null or why it could not. */
  private command(code: WorkerErrorCode, op: (m: Machine) => string | null): void {
    this.withRunner((r) => {
      const why = r.apply(op);
      if (why !== null) this.fail(r.current ? code : 'no-machine', why);
    });
  }

  private xl(id: number, line: string): void {
    this.withRunner((r) => {
      const reply = r.apply(() => r.xl.exec(id, line));
      if (typeof reply === 'string') this.post({ v: PROTOCOL_VERSION, type: 'xl-output', id, output: `xl: ${reply}\n`, status: 1 });
      else this.post({ v: PROTOCOL_VERSION, type: 'xl-output', id, ...reply });
    });
  }

  private frameQuery(id: number, mfn: number): void {
    const answer = this.runner?.current ? frameQuery(this.runner.current, mfn) : 'no machine is running';
    const base = { v: PROTOCOL_VERSION, type: 'frame-info', id, mfn } as const;
    if (typeof answer === 'string') this.post({ ...base, mappings: [], error: answer });
    else this.post({ ...base, mappings: answer });
  }

  private hello(): void {
    if (!this.mem) {
      try {
        this.mem = MachineMemory.create({ ramMiB: this.config.ramMiB });
      } catch (e) {
        this.fail('memory', `could not create shared machine memory: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const post = this.post;
      const env = this.env;
      const runnerHost: RunnerHost = { post, now: () => env.now(), schedule: (fn, ms) => env.schedule(fn, ms) };
      this.runner = new MachineRunner(runnerHost, this.mem);
      this.transfer = new Transfer({
        runner: this.runner, mem: this.mem, catalog: this.catalog, post, now: () => env.now(),
      });
      this.travel = new Travel({ runner: this.runner, mem: this.mem, post, now: () => env.now() });
      this.runner.observer = this.travel;
    }
    this.post({
      v: PROTOCOL_VERSION,
      type: 'ready',
      memory: this.mem.memory,
      ramBytes: this.mem.ramBytes,
      totalBytes: this.mem.layout.totalBytes,
      probeAddr: this.probeAddr(this.mem),
      layout: this.mem.layout,
    });
  }

  private probeAddr(mem: MachineMemory): number {
    return probeAddress(mem.ramBytes, mem.layout.totalBytes, mem.buffer.byteLength);
  }

  private ping(id: number, probe: number): void {
    if (!this.mem) {
      this.fail('not-ready', 'ping before hello: no machine memory yet');
      return;
    }
    const addr = this.probeAddr(this.mem);
    if (addr < this.mem.ramBytes && this.runner?.running) {
      this.fail('busy', 'ping while a guest runs: the probe would land in guest memory');
      return;
    }
    // Atomics makes the store visible to the UI's view before the pong arrives.
    Atomics.store(new Uint8Array(this.mem.buffer), addr, probe);
    this.post({ v: PROTOCOL_VERSION, type: 'pong', id, probeAddr: addr });
  }

  /** The image's bytes: fetched from its URL, or why not. */
  private async fetchImage(url: string): Promise<Uint8Array | string> {
    try {
      const bytes = new Uint8Array(await this.env.fetchBytes(url));
      // A share link may leave this image out if it is one the app ships: no second fetch to tell.
      this.catalog.remember(url, bytes);
      return bytes;
    } catch (e) {
      return `could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Bytes sent with the message are used at once (synchronously); a URL is fetched first. */
  private withImage(image: ArrayBuffer | string, then: (bytes: Uint8Array | string) => void, current = () => true): void {
    if (typeof image !== 'string') {
      then(new Uint8Array(image));
      return;
    }
    void this.fetchImage(image).then((bytes) => {
      if (current()) then(bytes);
    });
  }

  private boot(msg: Extract<UiToWorker, { type: 'boot' }>): void {
    const runner = this.runner;
    if (!runner) {
      this.fail('not-ready', 'boot before hello: no machine memory yet');
      return;
    }
    const seq = ++this.bootSeq;
    const fileName = fileNameOf(msg.image, msg.name ?? 'guest');
    const name = msg.name ?? fileName;
    if (typeof msg.image === 'string') runner.booting();
    // A slow fetch must not start an image a later boot replaced.
    this.withImage(msg.image, (bytes) => {
      if (typeof bytes === 'string') this.fail('boot', bytes);
      else runner.boot({ name, fileName, kernel: bytes, memMiB: msg.memMiB ?? DEFAULT_GUEST_MIB, cmdline: msg.cmdline ?? '' });
    }, () => seq === this.bootSeq);
  }

  private create(msg: Extract<UiToWorker, { type: 'create' }>): void {
    const runner = this.runner;
    const reply = (r: { domid: number } | { error: string }) => this.post({ v: PROTOCOL_VERSION, type: 'created', id: msg.id, ...r });
    if (!runner) {
      reply({ error: 'no machine memory yet (create before hello)' });
      return;
    }
    this.withImage(msg.image, (bytes) => {
      if (typeof bytes === 'string') {
        reply({ error: bytes });
        return;
      }
      reply(runner.create({
        name: msg.name, fileName: fileNameOf(msg.image, msg.name), kernel: bytes, memMiB: msg.memMiB ?? DEFAULT_GUEST_MIB,
        cmdline: msg.cmdline ?? '', vcpus: msg.vcpus ?? 1,
      }));
    });
  }

  private fail(code: WorkerErrorCode, message: string): void {
    this.post({ v: PROTOCOL_VERSION, type: 'error', code, message });
  }
}

/** The file name of an image URL (for names and xl's /boot), or `fallback` for bytes. */
function fileNameOf(image: ArrayBuffer | string, fallback = 'guest'): string {
  if (typeof image !== 'string') return fallback;
  return image.split(/[?#]/)[0]!.split('/').pop() || fallback;
}
