// The worker's answers to timeline requests: where the machine stands, seek,
// and step back (one instruction, or to where a step forward to the previous
// hypercall or event delivery would have paused). The machine reached is
// adopted paused, its terminals repainted; timeline-info goes out whenever
// the checkpoints or the span change.
import type { Machine } from '../machine/machine';
import type { MachineMemory } from '../mem/memory';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import type { SnapshotRequest } from '../protocol/snapshots';
import type { MachineRunner, RunnerObserver } from './runner';
import { previous, takeStop } from './seek';
import { SeekError, Timeline } from './timeline';

const v = PROTOCOL_VERSION;

type Req<K extends SnapshotRequest['type']> = Extract<SnapshotRequest, { type: K }>;

export interface TravelDeps {
  runner: MachineRunner;
  mem: MachineMemory;
  post(message: WorkerToUi): void;
  now(): number;
}

export class Travel implements RunnerObserver {
  readonly timeline: Timeline;
  private sent = -1;

  constructor(private readonly deps: TravelDeps) {
    this.timeline = new Timeline(deps.now);
  }

  started(m: Machine): void {
    this.timeline.begin(m);
    this.push(m);
  }

  ran(m: Machine): void {
    this.timeline.ran(m);
    if (this.timeline.version !== this.sent) this.push(m);
  }

  handle(msg: Req<'timeline' | 'seek' | 'step-back'>): void {
    const m = this.deps.runner.current;
    if (msg.type === 'timeline') {
      if (m) this.deps.post({ v, type: 'timeline-info', id: msg.id, timeline: this.timeline.info(m) });
      else this.deps.post({ v, type: 'timeline-info', id: msg.id, timeline: { start: 0, now: 0, end: 0, checkpoints: [], inputs: [] } });
      return;
    }
    const reply = (r: { instructions: number } | { error: string }) => this.deps.post({ v, type: 'seeked', id: msg.id, ...r });
    if (!m) {
      reply({ error: 'there is no machine: boot a guest first' });
      return;
    }
    let target: number;
    if (msg.type === 'seek') {
      target = msg.instructions;
    } else {
      const found = this.target(m, msg.unit);
      if (typeof found === 'string') {
        reply({ error: found });
        return;
      }
      target = found;
    }
    try {
      let at = this.timeline.seek(m, target, this.deps.mem);
      // A seek by count stops before an event delivered at that count; the step forward stopped after it.
      if (msg.type === 'step-back' && msg.unit !== 'instruction' && !takeStop(at, msg.unit)) at = this.timeline.seek(at, target, this.deps.mem);
      this.deps.runner.adopt(at, false, 'step');
      this.push(at);
      reply({ instructions: at.executed });
    } catch (e) {
      if (e instanceof SeekError) {
        reply({ error: e.message });
        return;
      }
      // Our own checkpoints and log failed to rebuild the machine: our bug, and the machine is gone.
      const message = `going back failed: ${e instanceof Error ? e.message : String(e)}`;
      this.deps.runner.stop();
      this.deps.post({ v, type: 'machine', phase: 'failed', message });
      reply({ error: message });
    }
  }

  /** Where a step back goes, or why it cannot. */
  private target(m: Machine, unit: Req<'step-back'>['unit']): number | string {
    const { start, now } = this.timeline.info(m);
    if (now <= start) return `the machine is at the start of its timeline (instruction ${start.toLocaleString('en-US')})`;
    if (unit === 'instruction') return now - 1;
    const L = this.deps.mem.layout;
    const at = previous(this.timeline.history(m), unit, now, { ramMiB: L.ramBytes >> 20, vcpus: L.vcpus });
    const what = unit === 'hypercall' ? 'hypercall' : 'event delivery';
    return at ?? `no ${what} happened between the first checkpoint (instruction ${start.toLocaleString('en-US')}) and now`;
  }

  private push(m: Machine): void {
    this.sent = this.timeline.version;
    this.deps.post({ v, type: 'timeline-info', timeline: this.timeline.info(m) });
  }
}
