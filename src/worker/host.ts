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
  type UiToWorker,
  type WorkerErrorCode,
  type WorkerToUi,
} from '../protocol/messages';
import { MachineRunner, type RunnerHost } from './runner';

export type Post = (message: WorkerToUi) => void;

export interface HostConfig {
  ramMiB: number;
}

export const DEFAULT_HOST_CONFIG: HostConfig = { ramMiB: 32 };
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
  /** Counts boot commands, so a slow fetch cannot start an image a later boot replaced. */
  private bootSeq = 0;
  private readonly post: Post;
  private readonly config: HostConfig;
  private readonly env: HostEnv;

  constructor(post: Post, config: HostConfig = DEFAULT_HOST_CONFIG, env: HostEnv = DEFAULT_ENV) {
    this.post = post;
    this.config = config;
    this.env = env;
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
        void this.boot(msg);
        return;
      case 'console-input':
        this.runner?.type(msg.domid, msg.data);
        return;
      default: {
        const unreachable: never = msg;
        return unreachable;
      }
    }
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
    }
    this.post({
      v: PROTOCOL_VERSION,
      type: 'ready',
      memory: this.mem.memory,
      ramBytes: this.mem.ramBytes,
      totalBytes: this.mem.layout.totalBytes,
      probeAddr: this.probeAddr(this.mem),
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

  private async boot(msg: Extract<UiToWorker, { type: 'boot' }>): Promise<void> {
    const runner = this.runner;
    if (!runner) {
      this.fail('not-ready', 'boot before hello: no machine memory yet');
      return;
    }
    const seq = ++this.bootSeq;
    const name = msg.name ?? (typeof msg.image === 'string' ? msg.image.split('/').pop() || 'guest' : 'guest');
    let bytes: ArrayBuffer;
    if (typeof msg.image === 'string') {
      runner.booting();
      try {
        bytes = await this.env.fetchBytes(msg.image);
      } catch (e) {
        if (seq !== this.bootSeq) return;
        const why = `could not fetch ${msg.image}: ${e instanceof Error ? e.message : String(e)}`;
        this.fail('boot', why);
        return;
      }
      if (seq !== this.bootSeq) return;
    } else {
      bytes = msg.image;
    }
    runner.boot({ name, kernel: new Uint8Array(bytes), memMiB: msg.memMiB ?? DEFAULT_GUEST_MIB, cmdline: msg.cmdline ?? '' });
  }

  private fail(code: WorkerErrorCode, message: string): void {
    this.post({ v: PROTOCOL_VERSION, type: 'error', code, message });
  }
}
