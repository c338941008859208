import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { Machine } from '../machine/machine';
import { HypervisorBug } from '../shared/bugs';
import { DEMO_PATH, bootDemo, testHost } from './host.testutil';

const v = PROTOCOL_VERSION;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('WorkerHost: memory', () => {
  it('answers hello with shared machine memory', () => {
    const { host, out } = testHost(2);
    host.receive({ v, type: 'hello' });
    expect(out).toHaveLength(1);
    const ready = out[0];
    if (ready?.type !== 'ready') throw new Error(`expected ready, got ${ready?.type}`);
    expect(ready.ramBytes).toBe(2 * 1024 * 1024);
    expect(ready.totalBytes).toBeGreaterThanOrEqual(ready.ramBytes);
    expect(ready.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives the same memory to a second hello', () => {
    const { host, out } = testHost(1);
    host.receive({ v, type: 'hello' });
    host.receive({ v, type: 'hello' });
    const [a, b] = out;
    if (a?.type !== 'ready' || b?.type !== 'ready') throw new Error('expected two readies');
    expect(b.memory).toBe(a.memory);
  });

  it('stores the ping probe where the pong says, in the shared buffer, outside RAM when it can', () => {
    const { host, out } = testHost(32);
    host.receive({ v, type: 'hello' });
    host.receive({ v, type: 'ping', id: 7, probe: 0xa5 });
    const ready = out[0];
    const pong = out[1];
    if (ready?.type !== 'ready' || pong?.type !== 'pong') throw new Error('expected ready then pong');
    expect(pong.id).toBe(7);
    expect(pong.probeAddr).toBe(ready.probeAddr);
    expect(pong.probeAddr).toBeGreaterThanOrEqual(ready.totalBytes);
    expect(new Uint8Array(ready.memory.buffer)[pong.probeAddr]).toBe(0xa5);
  });

  it('refuses a ping before hello', () => {
    const { host, out } = testHost();
    host.receive({ v, type: 'ping', id: 1, probe: 1 });
    expect(out).toEqual([expect.objectContaining({ type: 'error', code: 'not-ready' })]);
  });

  it('reports a protocol version mismatch', () => {
    const { host, out } = testHost();
    host.receive({ v: v + 1, type: 'hello' });
    expect(out).toEqual([expect.objectContaining({ type: 'error', code: 'version' })]);
  });

  it('reports malformed messages instead of throwing', () => {
    const { host, out } = testHost();
    host.receive({ v, type: 'ping', id: 1, probe: 256 });
    host.receive({ v, type: 'launch-missiles' });
    expect(out.map((m) => m.type === 'error' && m.code)).toEqual(['bad-message', 'bad-message']);
  });
});

describe('WorkerHost: booting and running a guest', () => {
  it('boots the demo guest: machine and domain states, then its banner on the guest console', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    expect(t.text('guest')).toContain('pvplay demo guest');
    expect(t.text('xen')).toContain('demo: booting');
    const phases = t.out.flatMap((m) => (m.type === 'machine' ? [m.phase] : []));
    expect(phases).toEqual(['booting', 'running']);
    const dom = t.out.find((m) => m.type === 'domain' && m.domain.domid === 1);
    expect(dom).toMatchObject({ domain: { domid: 1, name: 'demo', state: 'running' } });
    // Console bytes go out batched: far fewer messages than bytes.
    const consoleMsgs = t.out.filter((m) => m.type === 'console').length;
    expect(consoleMsgs).toBeLessThan(t.text('guest').length / 20);
  });

  it('feeds console input to the guest and wakes it', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    t.host.receive({ v, type: 'console-input', domid: 1, data: new TextEncoder().encode('hello\r') });
    t.drain(() => t.text('guest').includes('you typed: hello'));
    expect(t.text('guest')).toContain('demo> hello\r\nyou typed: hello\r\n');
  });

  it('sleeps while the guest waits: idle slices retire (almost) nothing', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    t.drain(() => false, 50);
    const stats = t.out.filter((m) => m.type === 'stats');
    const last = stats[stats.length - 1];
    if (last?.type !== 'stats') throw new Error('expected stats');
    t.drain(() => false, 200);
    const later = t.out.filter((m) => m.type === 'stats').pop();
    if (later?.type !== 'stats') throw new Error('expected stats');
    expect(later.wallMs).toBeGreaterThan(last.wallMs);
    expect(later.instructions - last.instructions).toBeLessThan(20_000);
    // Virtual time kept up with the (test's) wall clock through idle skips.
    expect(later.systemTimeNs).toBeGreaterThan((later.wallMs - 20) * 1e6);
  });

  it('reports a powered-off guest as a domain state, and the machine as stopped', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    t.host.receive({ v, type: 'console-input', domid: 1, data: new TextEncoder().encode('poweroff\n') });
    t.drain();
    expect(t.out.filter((m) => m.type === 'domain' && m.domain.domid === 1).pop()).toMatchObject({ domain: { state: 'shutdown', shutdownReason: 0 } });
    expect(t.out.filter((m) => m.type === 'machine').pop()).toMatchObject({ phase: 'stopped' });
  });

  it('boots again in the same (cleared) memory', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    const first = t.out.length;
    const image = readFileSync(DEMO_PATH);
    t.host.receive({ v, type: 'boot', image: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) });
    const again = () => t.out.slice(first).some((m) => m.type === 'console' && Buffer.from(m.data).toString().includes('demo> '));
    t.drain(again);
    expect(again()).toBe(true);
  });

  it('reports an image that is not a PV kernel, and keeps answering', () => {
    const t = testHost();
    t.host.receive({ v, type: 'hello' });
    t.host.receive({ v, type: 'boot', image: new Uint8Array([1, 2, 3, 4]).buffer, name: 'junk' });
    expect(t.out.filter((m) => m.type === 'machine').pop()).toMatchObject({ phase: 'failed', message: expect.stringContaining('could not boot junk') });
    t.host.receive({ v, type: 'ping', id: 2, probe: 9 });
    expect(t.out.pop()).toMatchObject({ type: 'pong', id: 2 });
  });

  it('reports an image it cannot fetch', async () => {
    const t = testHost(32, () => Promise.reject(new Error('404 Not Found')));
    t.host.receive({ v, type: 'hello' });
    t.host.receive({ v, type: 'boot', image: '/guests/nothing.elf' });
    await vi.waitFor(() => expect(t.out.pop()).toMatchObject({ type: 'error', code: 'boot', message: expect.stringContaining('404') }));
  });

  it('stops the machine on a hypervisor bug, reports it, and lives on', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => t.text('guest').includes('demo> '));
    vi.spyOn(Machine.prototype, 'run').mockImplementation(() => {
      throw new HypervisorBug('frame 42 has a negative type count');
    });
    t.host.receive({ v, type: 'console-input', domid: 1, data: new Uint8Array([0x61]) });
    t.drain();
    expect(t.out.filter((m) => m.type === 'machine').pop()).toMatchObject({
      phase: 'failed', message: 'hypervisor bug: frame 42 has a negative type count',
    });
    t.host.receive({ v, type: 'ping', id: 3, probe: 1 });
    expect(t.out.pop()).toMatchObject({ type: 'pong', id: 3 });
  });
});
