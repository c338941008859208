// machineHash and sameState: two machines built and run alike are the same,
// word for word; one changed word of RAM, or a different virtual time, is not.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine';
import { machineHash, sameState } from './hash';

const DEMO = readFileSync(resolve(__dirname, '../../public/guests/console.elf'));

function booted(): Machine {
  const m = new Machine({ ramMiB: 24 }, {});
  m.createGuest({ name: 'demo', kernel: DEMO, memMiB: 8 });
  m.run(200_000);
  return m;
}

describe('machine state comparison', () => {
  it('finds two machines run alike the same, and tells them apart by one word or by time', () => {
    const a = booted(), b = booted();
    expect(sameState(a, b)).toBe(true);
    expect(machineHash(a)).toBe(machineHash(b));

    b.mem.u8[b.mem.ramBytes - 1] ^= 1;
    expect(sameState(a, b)).toBe(false);
    expect(machineHash(a)).not.toBe(machineHash(b));
    b.mem.u8[b.mem.ramBytes - 1] ^= 1;

    b.hv.time.skipTo(b.hv.time.now + 1);
    expect(sameState(a, b)).toBe(false);
    expect(machineHash(a)).not.toBe(machineHash(b));
  });
});
