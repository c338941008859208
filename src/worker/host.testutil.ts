// A WorkerHost under test: its scheduled work runs only when the test says, on a
// clock the test moves, and everything it posts is kept in `out`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import { WorkerHost, type HostEnv } from './host';

const v = PROTOCOL_VERSION;
export const DEMO_PATH = resolve(__dirname, '../../public/guests/console.elf');

export function demoImage(): ArrayBuffer {
  const image = readFileSync(DEMO_PATH);
  return image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) as ArrayBuffer;
}

export function testHost(ramMiB = 32, fetchBytes: HostEnv['fetchBytes'] = () => Promise.reject(new Error('offline'))) {
  const out: WorkerToUi[] = [];
  let clock = 0;
  const queue: { at: number; fn: () => void; live: boolean }[] = [];
  const env: HostEnv = {
    now: () => clock,
    schedule: (fn, delayMs) => {
      const task = { at: clock + delayMs, fn, live: true };
      queue.push(task);
      return () => { task.live = false; };
    },
    fetchBytes,
  };
  const host = new WorkerHost((m) => out.push(m), { ramMiB }, env);
  /** Run scheduled work in time order until `done` or nothing is left; each slice takes 1 ms. */
  const drain = (done: () => boolean = () => false, maxTasks = 10_000): void => {
    for (let n = 0; n < maxTasks && !done(); n++) {
      queue.sort((a, b) => a.at - b.at);
      const task = queue.shift();
      if (!task) return;
      if (!task.live) continue;
      clock = Math.max(clock, task.at) + 1;
      task.fn();
    }
  };
  const text = (source: 'guest' | 'xen', domid?: number) =>
    out.map((m) => (m.type === 'console' && m.source === source && (domid === undefined || m.domid === domid)
      ? Buffer.from(m.data).toString('latin1') : '')).join('');
  /** Messages of one type, in order. */
  const all = <K extends WorkerToUi['type']>(type: K) => out.filter((m): m is Extract<WorkerToUi, { type: K }> => m.type === type);
  const last = <K extends WorkerToUi['type']>(type: K) => all(type).pop();
  /** Is anything scheduled to run? */
  const pending = () => queue.some((t) => t.live);
  return { host, out, drain, text, all, last, pending, clock: () => clock };
}

export type TestHost = ReturnType<typeof testHost>;

/** Hello, then boot the demo guest as 'demo' and run it to its prompt. */
export function bootDemo(t: TestHost, toPrompt = false): void {
  t.host.receive({ v, type: 'hello' });
  t.host.receive({ v, type: 'boot', image: demoImage(), name: 'demo' });
  if (toPrompt) t.drain(() => t.text('guest').includes('demo> '));
}
