// Links and files that cannot be used -- cut short, damaged, hostile, from
// another version, of another machine -- get a message, and the machine that
// was running is left exactly as it was and goes on running. Then the same,
// fuzzed: random damage to good links and files.
import { deflateSync, inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { machineHash } from '../machine/hash';
import { crc32 } from '../machine/snapshot/container';
import { fromBase64Url, toBase64Url } from '../shared/base64';
import { PROTOCOL_VERSION, type WorkerToUi } from '../protocol/messages';
import type { RestoreSource } from '../protocol/snapshots';
import { bootDemo, testHost, type TestHost } from './host.testutil';

const v = PROTOCOL_VERSION;
const enc = new TextEncoder();

let nextId = 5000;
async function restore(t: TestHost, source: RestoreSource): Promise<Extract<WorkerToUi, { type: 'restored' }>> {
  const id = nextId++;
  t.host.receive({ v, type: 'restore', id, source, shipped: [] });
  for (let i = 0; i < 400; i++) {
    const r = t.out.find((m) => m.type === 'restored' && m.id === id);
    if (r?.type === 'restored') return r;
    await new Promise((ok) => setTimeout(ok, 2));
  }
  throw new Error('no reply');
}

async function reply<K extends WorkerToUi['type']>(t: TestHost, type: K, msg: Record<string, unknown>) {
  const id = nextId++;
  t.host.receive({ v, id, ...msg });
  for (let i = 0; i < 400; i++) {
    const r = t.out.find((m) => m.type === type && 'id' in m && m.id === id);
    if (r) return r as Extract<WorkerToUi, { type: K }>;
    await new Promise((ok) => setTimeout(ok, 2));
  }
  throw new Error('no reply');
}

/** A running demo guest, and good links and a file of it. */
async function fixture() {
  const t = testHost();
  bootDemo(t, true);
  t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('abc\r') });
  t.drain(() => t.text('guest').includes('you typed: abc'));
  const recipe = (await reply(t, 'share-link', { type: 'share', shipped: [] })).fragment!;
  const file = new Uint8Array((await reply(t, 'snapshot-file', { type: 'snapshot' })).bytes!);
  const runner = (t.host as unknown as { runner: object }).runner;
  Object.defineProperty(runner, 'computedMs', { configurable: true, get: () => 60_000 });
  const snapshot = (await reply(t, 'share-link', { type: 'share', shipped: [] })).fragment!;
  expect(recipe.startsWith('recipe1=')).toBe(true);
  expect(snapshot.startsWith('snapshot1=')).toBe(true);
  return { t, recipe, snapshot, file };
}

/** The machine still runs as before: same state, and it still answers. */
function stillThere(t: TestHost, hash: string, executed: number): void {
  const m = t.host.machine!;
  expect(m.executed).toBe(executed);
  expect(machineHash(m)).toBe(hash);
  const before = t.text('guest').length;
  // A good link among the fuzzed ones leaves the machine paused (as opened links are).
  t.host.receive({ v, type: 'control', action: { kind: 'run' } });
  t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('still\r') });
  t.drain(() => t.text('guest').indexOf('you typed: still', before) >= 0);
  expect(t.text('guest').slice(before)).toContain('you typed: still');
}

/** A recipe payload re-encoded after `edit` changed its bytes (checksum made right again). */
function editRecipe(fragment: string, edit: (b: Uint8Array) => void): string {
  const raw = inflateSync(fromBase64Url(fragment.slice('recipe1='.length)));
  const body = raw.slice(0, raw.length - 4);
  edit(body);
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return `recipe1=${toBase64Url(deflateSync(out))}`;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('worker: unusable links and files', () => {
  it('says why, and leaves the running machine as it was', async () => {
    const { t, recipe, snapshot, file } = await fixture();
    const m = t.host.machine!;
    const hash = machineHash(m), executed = m.executed;
    const cases: [RestoreSource, RegExp][] = [
      [{ kind: 'link', fragment: '' }, /nothing after/],
      [{ kind: 'link', fragment: '#hello' }, /does not hold a pvplay machine/],
      [{ kind: 'link', fragment: recipe.replace('recipe1', 'recipe2') }, /link format 2, made by a newer version/],
      [{ kind: 'link', fragment: recipe.slice(0, recipe.length - 7) }, /cut short|corrupt|decompress/],
      [{ kind: 'link', fragment: recipe.slice(0, 30) }, /cut short|corrupt|decompress/],
      [{ kind: 'link', fragment: recipe.slice(0, 20) + (recipe[20] === 'A' ? 'B' : 'A') + recipe.slice(21) }, /corrupt|decompress|cut/],
      [{ kind: 'link', fragment: `${recipe}%20` }, /damaged/],
      [{ kind: 'link', fragment: editRecipe(recipe, (b) => { b[3] = 9; }) }, /version 9; this pvplay reads version 1/],
      [{ kind: 'link', fragment: editRecipe(recipe, (b) => { b[0] = 0x58; }) }, /not a pvplay replay recipe/],
      // Hostile: a small link that inflates without bound.
      [{ kind: 'link', fragment: `recipe1=${toBase64Url(deflateSync(new Uint8Array(80 << 20)))}` }, /expands beyond/],
      [{ kind: 'link', fragment: snapshot.slice(0, snapshot.length - 10) }, /cut short|corrupt|damaged/],
      [{ kind: 'link', fragment: `snapshot1=${toBase64Url(enc.encode('PVPLAYSN\x07\x00\x00\x00'))}` }, /format 7; this pvplay reads format 1 \(it was made by a newer version\)/],
      [{ kind: 'file', bytes: new ArrayBuffer(0), name: 'empty.pvsnap' }, /empty/],
      [{ kind: 'file', bytes: enc.encode('just some text').buffer as ArrayBuffer, name: 'notes.txt' }, /“notes\.txt” is not a pvplay snapshot/],
      [{ kind: 'file', bytes: file.slice(0, file.length >> 1).buffer, name: 'half.pvsnap' }, /cut short|corrupt/],
    ];
    for (const [source, why] of cases) {
      const r = await restore(t, source);
      expect(r.summary, JSON.stringify(source).slice(0, 80)).toBeUndefined();
      expect(r.error).toMatch(why);
    }
    stillThere(t, hash, executed);
  });

  it('refuses a machine of another size without touching the running one', async () => {
    const big = testHost(48);
    bootDemo(big, true);
    const file = (await reply(big, 'snapshot-file', { type: 'snapshot' })).bytes!;
    const { t } = await fixture();
    const hash = machineHash(t.host.machine!), executed = t.host.machine!.executed;
    const r = await restore(t, { kind: 'file', bytes: file, name: 'big.pvsnap' });
    expect(r.error).toMatch(/48 MiB .* this playground's has 32 MiB/);
    stillThere(t, hash, executed);
  });

  it('fuzzed damage to links and files: never a throw, always a reply, the machine untouched by every refusal', async () => {
    const { t, recipe, snapshot, file } = await fixture();
    const hash = machineHash(t.host.machine!), executed = t.host.machine!.executed;
    const next = rng(1234);
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const mutateText = (s: string): string => {
      const head = s.indexOf('=') + 1;
      let out = s;
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
        const at = head + Math.floor(next() * (out.length - head));
        const r = next();
        if (r < 0.5) out = out.slice(0, at) + B64[Math.floor(next() * 64)] + out.slice(at + 1);
        else if (r < 0.8) out = out.slice(0, at);
        else out = out.slice(0, at) + B64[Math.floor(next() * 64)] + out.slice(at);
      }
      return out;
    };
    const mutateBytes = (b: Uint8Array): Uint8Array => {
      const out = b.slice(0, next() < 0.3 ? Math.floor(next() * b.length) : b.length);
      for (let k = 1 + Math.floor(next() * 4); k > 0 && out.length > 0; k--) out[Math.floor(next() * out.length)] ^= 1 << Math.floor(next() * 8);
      return out;
    };
    let refused = 0;
    for (let i = 0; i < 120; i++) {
      const pick = i % 3;
      const source: RestoreSource = pick === 0 ? { kind: 'link', fragment: mutateText(recipe) }
        : pick === 1 ? { kind: 'link', fragment: mutateText(snapshot) }
          : { kind: 'file', bytes: mutateBytes(file).buffer as ArrayBuffer, name: 'fuzz.pvsnap' };
      const r = await restore(t, source);
      expect(r.error === undefined).toBe(r.summary !== undefined);
      if (r.error !== undefined) {
        refused++;
        expect(r.error.length).toBeGreaterThan(10);
        expect(t.host.machine!.executed).toBe(executed);
        expect(machineHash(t.host.machine!)).toBe(hash);
      } else {
        // Damage that changed nothing that matters (a flipped bit in compressed padding): the same machine.
        expect(machineHash(t.host.machine!)).toBe(hash);
      }
    }
    expect(refused).toBeGreaterThan(100);
    stillThere(t, hash, t.host.machine!.executed);
  });
});
