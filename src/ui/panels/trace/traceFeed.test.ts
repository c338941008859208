// The page's trace feed over a real machine's memory, as the stores describe it: each drain
// takes what the ring gained into the history and the event-channel activity, and a new
// machine (the stores' bootSeq moves) starts a history of its own without the old records.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../machine/machine';
import { TraceReader } from '../../../shared/trace';
import { machineStore } from '../../store/machineStore';
import { workerStore } from '../../store/workerStore';
import { TraceFeed } from './traceFeed';

describe('TraceFeed', () => {
  it('drains the ring into its history and activity, and starts afresh for a new machine', () => {
    const m = new Machine({ ramMiB: 32, maxVcpus: 2 });
    const domid = m.createGuest({ name: 'demo', kernel: readFileSync(resolve(__dirname, '../../../../public/guests/console.elf')), memMiB: 16 }).dom.id;
    const head = () => new TraceReader(m.mem.buffer, m.mem.layout.traceOffset).head();
    const feed = new TraceFeed();
    // Not ready: nothing to read.
    expect(feed.drain(0)).toBe(false);

    workerStore.setState({
      status: { phase: 'ready', ramBytes: m.mem.ramBytes, totalBytes: m.mem.layout.totalBytes, memory: m.mem.memory, layout: m.mem.layout, sharedCheck: 'ok', rttMs: 0 },
    });
    machineStore.setState({ bootSeq: 1, phase: 'running' });
    for (let i = 0; i < 10; i++) m.run(300_000);
    expect(feed.drain(16)).toBe(true);
    expect(feed.history.total).toBe(head());
    expect(feed.history.record(0)!.seq).toBe(0);
    const generation = feed.generation;
    // Nothing new: nothing to tell.
    expect(feed.drain(32)).toBe(false);

    m.consoles.type(domid, new TextEncoder().encode('hello\n'));
    for (let i = 0; i < 10; i++) m.run(300_000);
    expect(feed.drain(48)).toBe(true);
    expect(feed.history.total).toBe(head());
    expect(feed.generation).toBe(generation);
    const port = m.hv.evtchn.ports(domid).find((p) => p.raised > 0)!;
    expect(feed.activity.port(domid, port.port)).toMatchObject({ raised: port.raised, delivered: port.latched, lastSignalMs: 48 });

    // A new machine: the history and activity start again and skip what the ring held.
    const before = head();
    machineStore.setState({ bootSeq: 2 });
    expect(feed.drain(64)).toBe(true);
    expect(feed.generation).toBeGreaterThan(generation);
    expect(feed.history.total).toBe(0);
    expect(feed.activity.domain(domid)).toBeUndefined();
    m.consoles.type(domid, new TextEncoder().encode('again\n'));
    for (let i = 0; i < 10; i++) m.run(300_000);
    expect(feed.drain(80)).toBe(true);
    expect(feed.history.total).toBe(head() - before);
    expect(feed.history.record(0)!.seq).toBe(before);
    expect(feed.lost).toBe(0);

    // The worker gone: the feed forgets it all.
    workerStore.setState({ status: { phase: 'starting' } });
    expect(feed.drain(96)).toBe(true);
    expect(feed.history.total).toBe(0);
  });
});
