import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, probeAddress, type WorkerToUi } from '../protocol/messages';
import { WorkerHost } from './host';

function hostWithOutbox(ramMiB = 1): { host: WorkerHost; out: WorkerToUi[] } {
  const out: WorkerToUi[] = [];
  return { host: new WorkerHost((m) => out.push(m), { ramMiB }), out };
}

describe('WorkerHost', () => {
  it('answers hello with shared machine memory', () => {
    const { host, out } = hostWithOutbox(2);
    host.receive({ v: PROTOCOL_VERSION, type: 'hello' });
    expect(out).toHaveLength(1);
    const ready = out[0];
    if (ready?.type !== 'ready') throw new Error(`expected ready, got ${ready?.type}`);
    expect(ready.ramBytes).toBe(2 * 1024 * 1024);
    expect(ready.totalBytes).toBeGreaterThanOrEqual(ready.ramBytes);
    expect(ready.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives the same memory to a second hello', () => {
    const { host, out } = hostWithOutbox();
    host.receive({ v: PROTOCOL_VERSION, type: 'hello' });
    host.receive({ v: PROTOCOL_VERSION, type: 'hello' });
    const [a, b] = out;
    if (a?.type !== 'ready' || b?.type !== 'ready') throw new Error('expected two readies');
    expect(b.memory).toBe(a.memory);
  });

  it('stores the ping probe where the pong says, in the shared buffer', () => {
    const { host, out } = hostWithOutbox();
    host.receive({ v: PROTOCOL_VERSION, type: 'hello' });
    host.receive({ v: PROTOCOL_VERSION, type: 'ping', id: 7, probe: 0xa5 });
    const ready = out[0];
    const pong = out[1];
    if (ready?.type !== 'ready' || pong?.type !== 'pong') throw new Error('expected ready then pong');
    expect(pong.id).toBe(7);
    expect(pong.probeAddr).toBe(probeAddress(ready.ramBytes));
    const view = new Uint8Array(ready.memory.buffer);
    expect(view[pong.probeAddr]).toBe(0xa5);
  });

  it('refuses a ping before hello', () => {
    const { host, out } = hostWithOutbox();
    host.receive({ v: PROTOCOL_VERSION, type: 'ping', id: 1, probe: 1 });
    expect(out).toEqual([expect.objectContaining({ type: 'error', code: 'not-ready' })]);
  });

  it('reports a protocol version mismatch', () => {
    const { host, out } = hostWithOutbox();
    host.receive({ v: PROTOCOL_VERSION + 1, type: 'hello' });
    expect(out).toEqual([expect.objectContaining({ type: 'error', code: 'version' })]);
  });

  it('reports malformed messages instead of throwing', () => {
    const { host, out } = hostWithOutbox();
    host.receive({ v: PROTOCOL_VERSION, type: 'ping', id: 1, probe: 256 });
    host.receive({ v: PROTOCOL_VERSION, type: 'launch-missiles' });
    expect(out.map((m) => m.type === 'error' && m.code)).toEqual(['bad-message', 'bad-message']);
  });
});
