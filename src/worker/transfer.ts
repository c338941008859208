// The worker's answers to snapshot, share and restore requests (snapshots.ts
// does the work). Each request gets one reply with its id; a failure is a
// sentence for the user, and the machine the worker had goes on as before.
import type { MachineMemory } from '../mem/memory';
import { SnapshotError } from '../machine/snapshot/errors';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import type { SnapshotRequest } from '../protocol/snapshots';
import type { ImageCatalog } from './images';
import type { MachineRunner } from './runner';
import { build, prepare, shareLink, snapshotFile, summaryOf } from './snapshots';

const v = PROTOCOL_VERSION;

export interface TransferDeps {
  runner: MachineRunner;
  mem: MachineMemory;
  catalog: ImageCatalog;
  post(message: WorkerToUi): void;
  /** Wall ms (the worker's clock). */
  now(): number;
}

type Req<K extends SnapshotRequest['type']> = Extract<SnapshotRequest, { type: K }>;

export class Transfer {
  /** Restores under way: a second one waits for the first (both may fetch images). */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TransferDeps) {}

  handle(msg: Req<'snapshot' | 'share' | 'restore'>): Promise<void> {
    switch (msg.type) {
      case 'snapshot':
        this.snapshot(msg);
        return Promise.resolve();
      case 'share':
        return this.share(msg);
      case 'restore':
        return this.restore(msg);
    }
  }

  snapshot(msg: Req<'snapshot'>): void {
    const m = this.deps.runner.current;
    if (!m) {
      this.deps.post({ v, type: 'snapshot-file', id: msg.id, error: 'there is no machine to save: boot a guest first' });
      return;
    }
    const bytes = snapshotFile(m);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    this.deps.post({ v, type: 'snapshot-file', id: msg.id, bytes: buffer, summary: summaryOf(m, 'snapshot', bytes.length) });
  }

  async share(msg: Req<'share'>): Promise<void> {
    const m = this.deps.runner.current;
    if (!m) {
      this.deps.post({ v, type: 'share-link', id: msg.id, error: 'there is no machine to share: boot a guest first' });
      return;
    }
    const shipped = await this.deps.catalog.load(msg.shipped);
    // The machine may have been replaced while the images were fetched: share the one running now.
    const now = this.deps.runner.current;
    if (!now) {
      this.deps.post({ v, type: 'share-link', id: msg.id, error: 'the machine went away before it could be shared' });
      return;
    }
    const link = shareLink(now, { computedMs: this.deps.runner.computedMs, shipped, now: this.deps.now });
    this.deps.post({
      v, type: 'share-link', id: msg.id, fragment: link.fragment, why: link.why,
      summary: summaryOf(now, link.kind, link.fragment.length),
    });
  }

  restore(msg: Req<'restore'>): Promise<void> {
    this.queue = this.queue.then(() => this.restoreNow(msg));
    return this.queue;
  }

  private async restoreNow(msg: Req<'restore'>): Promise<void> {
    const reply = (r: { error: string } | { summary: ReturnType<typeof summaryOf> }) =>
      this.deps.post({ v, type: 'restored', id: msg.id, ...r });
    const { runner, mem, catalog } = this.deps;
    try {
      const p = prepare(msg.source);
      await catalog.load(msg.shipped);
      const pristine = runner.pristine;
      // Whatever happens now, the memory may no longer be all zeroes.
      runner.spoil();
      const t0 = this.deps.now();
      const { machine, failed } = build(p, {
        mem, current: runner.current, images: (id) => catalog.get(id), events: runner.outputs, rate: runner.throughput, pristine,
      });
      // A replayed link cost its replay to compute; a snapshot's past is unknown (it shares as a snapshot).
      runner.adopt(machine, true, 'user', p.kind === 'recipe' && !failed ? this.deps.now() - t0 : 0);
      if (failed) reply({ error: failed.message });
      else reply({ summary: summaryOf(machine, p.kind, p.size) });
    } catch (e) {
      reply({ error: e instanceof SnapshotError ? e.message : `could not restore: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}
