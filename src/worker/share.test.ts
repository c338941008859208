// Share links and snapshot files through the worker, as the UI uses them: a
// machine driven by keystrokes and xl lines (paced against the test's clock,
// with idle ticks), shared, then opened in a second worker, must be the same
// machine (state hash, console text, domains). Bad links and files get a
// message and leave the running machine as it was.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../machine/hash';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import { bootDemo, testHost, type TestHost } from './host.testutil';
import { shareLink } from './snapshots';

const v = PROTOCOL_VERSION;
const enc = new TextEncoder();
const PVOS = resolve(__dirname, '../../public/guests/pvos.elf');
const SHIPPED = 'https://pvplay.test/guests/pvos.elf';

type Reply<K extends WorkerToUi['type']> = Extract<WorkerToUi, { type: K }>;

/** A test host whose fetches serve the shipped pvos image. */
function host(): TestHost {
  const pvos = readFileSync(PVOS);
  return testHost(32, async (url) => {
    if (url !== SHIPPED) throw new Error(`404 ${url}`);
    return pvos.buffer.slice(pvos.byteOffset, pvos.byteOffset + pvos.byteLength) as ArrayBuffer;
  });
}

/** Type a line a key at a time, running a few slices between keys, then until `until` shows. */
function typeLine(t: TestHost, domid: number, line: string, until: string): void {
  const before = t.text('guest', domid).length;
  for (const ch of `${line}\r`) {
    t.host.receive({ v, type: 'console-input', domid, data: enc.encode(ch) });
    t.drain(() => false, 3);
  }
  t.drain(() => t.text('guest', domid).indexOf(until, before) >= 0);
  expect(t.text('guest', domid).slice(before)).toContain(until);
}

let nextId = 1000;
/** Send a request and drain until its reply (matched by id) arrives. */
async function ask<K extends WorkerToUi['type']>(t: TestHost, type: K, msg: Record<string, unknown>): Promise<Reply<K>> {
  const id = nextId++;
  t.host.receive({ v, id, ...msg });
  for (let i = 0; i < 200; i++) {
    const r = t.out.find((m) => m.type === type && 'id' in m && m.id === id);
    if (r) return r as Reply<K>;
    await new Promise((ok) => setTimeout(ok, 5));
  }
  throw new Error(`no ${type} reply to ${String(msg.type)}`);
}

function demoDriven(): TestHost {
  const t = host();
  bootDemo(t, true);
  typeLine(t, 1, 'hello', 'you typed: hello');
  t.drain(() => false, 40); // idle ticks: virtual time follows the (test) wall clock
  typeLine(t, 1, 'second line', 'you typed: second line');
  const x = t.out.length;
  t.host.receive({ v, type: 'xl', id: 1, line: 'xenstore-write /local/domain/1/note shared' });
  expect(t.out.slice(x).find((m) => m.type === 'xl-output')).toMatchObject({ status: 0 });
  t.drain(() => false, 10);
  // Event-channel pokes are inputs too: raise the console port, mask and unmask it.
  const port = t.host.machine!.hv.evtchn.ports(1).find((p) => p.remoteDom === 0)!.port;
  for (const op of ['inject', 'mask', 'unmask'] as const) {
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port, op });
    t.drain(() => false, 3);
  }
  expect(t.host.machine!.log.filter((e) => e.kind === 'evtchn')).toHaveLength(3);
  return t;
}

/** A second worker that opens `fragment`, and its reply. */
async function open(fragment: string): Promise<{ t: TestHost; r: Reply<'restored'> }> {
  const t = host();
  t.host.receive({ v, type: 'hello' });
  const r = await ask(t, 'restored', { type: 'restore', source: { kind: 'link', fragment }, shipped: [SHIPPED] });
  return { t, r };
}

describe('worker: share links', () => {
  it('a driven demo guest shares as a recipe that rebuilds the same machine, paused, consoles and domains included', async () => {
    const a = demoDriven();
    const m = a.host.machine!;
    expect(m.log.filter((e) => e.kind === 'console').length).toBeGreaterThan(15);
    const s = await ask(a, 'share-link', { type: 'share', shipped: [SHIPPED] });
    expect(s.error).toBeUndefined();
    expect(s.fragment).toMatch(/^recipe1=[A-Za-z0-9_-]+$/);
    expect(s.summary).toMatchObject({ kind: 'recipe', instructions: m.executed, domains: [{ domid: 1, name: 'demo' }] });
    const { t: b, r } = await open(s.fragment!);
    expect(r.error).toBeUndefined();
    expect(r.summary).toMatchObject({ kind: 'recipe', instructions: m.executed, timeNs: m.hv.time.now });
    const n = b.host.machine!;
    expect(n.executed).toBe(m.executed);
    expect(machineHash(n)).toBe(machineHash(m));
    expect(b.last('machine')).toMatchObject({ phase: 'paused' });
    const sb = b.last('scrollback')!;
    expect(new TextDecoder().decode(sb.guest.find((g) => g.domid === 1)!.data)).toContain('you typed: second line');
    expect(b.all('domain').map((d) => d.domain.name)).toContain('demo');
    // It goes on as the original would: the same keys give the same machine.
    for (const t of [a, b]) {
      t.host.receive({ v, type: 'control', action: { kind: 'run' } });
      typeLine(t, 1, 'third', 'you typed: third');
      t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    }
    expect(b.text('guest', 1)).toContain('you typed: third');
  });

  it('shares a snapshot instead when replaying would take too long, and it restores the same machine', async () => {
    const a = demoDriven();
    // As if it had computed for a minute: a replay would take far more than a second.
    const runner = (a.host as unknown as { runner: object }).runner;
    Object.defineProperty(runner, 'computedMs', { get: () => 60_000 });
    const s = await ask(a, 'share-link', { type: 'share', shipped: [SHIPPED] });
    expect(s.fragment).toMatch(/^snapshot1=/);
    expect(s.why).toMatch(/computed for 60\.0 s/);
    const { t: b, r } = await open(`#${s.fragment!}`);
    expect(r.summary?.kind).toBe('snapshot');
    expect(machineHash(b.host.machine!)).toBe(machineHash(a.host.machine!));
  });

  it('a machine its inputs do not rebuild is shared as a snapshot, never as a recipe that opens another', async () => {
    const a = demoDriven();
    // A change no input explains (as an input the log failed to record would make):
    // a word of RAM near its top, which nothing uses.
    const m = a.host.machine!;
    m.mem.u8[m.mem.ramBytes - 64] ^= 0x5a;
    const s = await ask(a, 'share-link', { type: 'share', shipped: [SHIPPED] });
    expect(s.fragment).toMatch(/^snapshot1=/);
    expect(s.why).toMatch(/did not rebuild this exact machine/);
    const { t: b } = await open(`#${s.fragment!}`);
    expect(machineHash(b.host.machine!)).toBe(machineHash(m));
  });

  it('a trial replay that runs past a second is given up, and the link carries a snapshot', () => {
    const a = demoDriven();
    // A slow host, as the trial sees it: every look at the clock finds 400 ms more gone.
    let clock = 0;
    const s = shareLink(a.host.machine!, { computedMs: 0, shipped: new Set(), now: () => (clock += 400) });
    expect(s.kind).toBe('snapshot');
    expect(s.why).toMatch(/takes over 1 s here/);
    // Given time, the same machine shares as its recipe.
    expect(shareLink(a.host.machine!, { computedMs: 0, shipped: new Set(), now: () => clock }).kind).toBe('recipe');
  });

  it('a snapshot file round-trips, and a machine opened from a snapshot shares a snapshot', async () => {
    const a = demoDriven();
    const f = await ask(a, 'snapshot-file', { type: 'snapshot' });
    expect(f.bytes!.byteLength).toBeGreaterThan(100);
    const b = host();
    b.host.receive({ v, type: 'hello' });
    const r = await ask(b, 'restored', { type: 'restore', source: { kind: 'file', bytes: f.bytes!, name: 'a.pvsnap' }, shipped: [] });
    expect(r.summary).toMatchObject({ kind: 'snapshot', size: f.bytes!.byteLength });
    expect(machineHash(b.host.machine!)).toBe(machineHash(a.host.machine!));
    const s = await ask(b, 'share-link', { type: 'share', shipped: [] });
    expect(s.fragment).toMatch(/^snapshot1=/);
    expect(s.why).toMatch(/restored from a snapshot/);
  });

  it('pvos, the default guest, shares and reopens with its shell intact (the image left out of the link)', async () => {
    const a = host();
    a.host.receive({ v, type: 'hello' });
    a.host.receive({ v, type: 'boot', image: SHIPPED, name: 'pvos', memMiB: 16 });
    await new Promise((ok) => setTimeout(ok, 20));
    a.drain(() => a.text('guest', 1).includes('$ '), 100_000);
    expect(a.text('guest', 1)).toContain('$ ');
    typeLine(a, 1, 'echo shared pvos', 'shared pvos\r\n$ ');
    typeLine(a, 1, 'ps', '$ ');
    const s = await ask(a, 'share-link', { type: 'share', shipped: [SHIPPED] });
    expect(s.fragment!.startsWith('recipe1=')).toBe(true);
    // The kernel is hundreds of KiB; a link without it is a few.
    expect(s.fragment!.length).toBeLessThan(4000);
    const { t: b, r } = await open(s.fragment!);
    expect(r.error).toBeUndefined();
    expect(machineHash(b.host.machine!)).toBe(machineHash(a.host.machine!));
    b.host.receive({ v, type: 'control', action: { kind: 'run' } });
    typeLine(b, 1, 'echo after', 'after\r\n$ ');
    expect(b.text('guest', 1)).toContain('after');
  });
});
