// Event-channel pokes as inputs: logged with their stamps, carried by recipes,
// replayed to the same machine; a poke that does not apply is refused with its
// reason (and logged, as every input is, failing the same way on replay).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHash } from './hash';
import { Machine } from './machine';
import { PokeRefused } from './evtchnpoke';
import { decodeRecipe, encodeRecipe, parseRecipe, recipeBytes } from './snapshot/recipe';
import { recipeOf, replay } from './snapshot/replay';
import { crc32 } from './snapshot/container';
import { SnapshotError } from './snapshot/errors';

const DEMO = new Uint8Array(readFileSync(resolve(__dirname, '../../public/guests/console.elf')));

function booted(): { m: Machine; port: number } {
  const m = new Machine({ ramMiB: 16, maxVcpus: 1 });
  m.createGuest({ name: 'demo', kernel: DEMO, memMiB: 4 });
  for (let i = 0; i < 50 && m.hv.evtchn.ports(1).length < 2; i++) m.run(200_000);
  const port = m.hv.evtchn.ports(1).find((p) => p.remoteDom === 0)!.port;
  return { m, port };
}

describe('event-channel pokes', () => {
  it('are logged, carried by a recipe and replayed to the same machine', () => {
    const { m, port } = booted();
    for (const op of ['mask', 'inject', 'unmask'] as const) {
      m.input({ kind: 'evtchn', domid: 1, port, op });
      m.run(50_000);
    }
    expect(() => m.input({ kind: 'evtchn', domid: 1, port: 999, op: 'inject' })).toThrow(PokeRefused);
    expect(() => m.input({ kind: 'evtchn', domid: 7, port, op: 'mask' })).toThrow(/domain 7 does not exist/);
    m.run(50_000);
    const pokes = m.log.filter((e) => e.kind === 'evtchn');
    expect(pokes.map((e) => e.kind === 'evtchn' && e.op)).toEqual(['mask', 'inject', 'unmask', 'inject', 'mask']);
    const r = decodeRecipe(encodeRecipe(recipeOf(m)));
    expect(r.log.filter((e) => e.kind === 'evtchn')).toEqual(pokes);
    const n = replay(r);
    expect(n.executed).toBe(m.executed);
    expect(machineHash(n)).toBe(machineHash(m));
  });

  it('a recipe naming a poke of no known kind is refused', () => {
    const { m, port } = booted();
    m.input({ kind: 'evtchn', domid: 1, port, op: 'unmask' });
    const bytes = recipeBytes(recipeOf(m));
    // The poke is the last entry and nothing ran after it: the end stamp is three
    // zero bytes (not settled, no instructions, no idle time), right after the poke's kind.
    const body = bytes.slice(0, bytes.length - 4);
    expect([...body.slice(-4)]).toEqual([2, 0, 0, 0]);
    body[body.length - 4] = 9;
    const out = new Uint8Array(body.length + 4);
    out.set(body);
    new DataView(out.buffer).setUint32(body.length, crc32(body), true);
    expect(() => parseRecipe(out)).toThrow(SnapshotError);
    expect(() => parseRecipe(out)).toThrow(/an event-channel poke of unknown kind/);
    // Unchanged, it parses.
    expect(parseRecipe(bytes).log.at(-1)).toMatchObject({ kind: 'evtchn', op: 'unmask', port });
  });
});
