// The worker's side of the protocol, apart from the worker global itself so that it
// runs under test in node. It owns the machine memory (and, in later issues, the
// Machine) and answers the UI. `post` is the only way out: src/worker/ is the only
// code that posts messages.
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

export type Post = (message: WorkerToUi) => void;

export interface HostConfig {
  ramMiB: number;
}

export const DEFAULT_HOST_CONFIG: HostConfig = { ramMiB: 32 };

export class WorkerHost {
  private mem: MachineMemory | null = null;
  private readonly post: Post;
  private readonly config: HostConfig;

  constructor(post: Post, config: HostConfig = DEFAULT_HOST_CONFIG) {
    this.post = post;
    this.config = config;
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
    }
    this.post({
      v: PROTOCOL_VERSION,
      type: 'ready',
      memory: this.mem.memory,
      ramBytes: this.mem.ramBytes,
      totalBytes: this.mem.layout.totalBytes,
    });
  }

  private ping(id: number, probe: number): void {
    if (!this.mem) {
      this.fail('not-ready', 'ping before hello: no machine memory yet');
      return;
    }
    const addr = probeAddress(this.mem.ramBytes);
    // Atomics makes the store visible to the UI's view before the pong arrives.
    Atomics.store(this.mem.u8, addr, probe);
    this.post({ v: PROTOCOL_VERSION, type: 'pong', id, probeAddr: addr });
  }

  private fail(code: WorkerErrorCode, message: string): void {
    this.post({ v: PROTOCOL_VERSION, type: 'error', code, message });
  }
}
