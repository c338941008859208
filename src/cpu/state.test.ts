// A Cpu's host-side state round trip: intercepts, the PAE walk mode and an
// exception not yet delivered come back; the derived caches are rebuilt from the
// register file (flat-segment bits, permission masks for the CPL).
import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../mem/memory';
import { Rec } from '../shared/record';
import { R } from '../shared/layout';
import { CodeCache } from './codecache';
import { Cpu } from './cpu';
import { readCpu, saveCpu } from './state';

describe('cpu host state', () => {
  it('round-trips and rebuilds the derived state', () => {
    const mem = MachineMemory.create({ ramMiB: 1, vcpus: 2 });
    const code = new CodeCache(mem.ramBytes);
    const a = new Cpu(mem, code, 0);
    a.resetFlat(3);
    a.pdpteLong = true;
    a.intercept = 0x1e;
    a.interceptExc = -1;
    a.interceptInt.fill(1, 0x80, 0x90);
    a.pending.vector = 14; a.pending.error = 6; a.pending.soft = true; a.pending.int1 = true;
    const saved = saveCpu(a);
    const b = new Cpu(mem, code, 1);
    b.r.set(a.r);
    readCpu(Rec.of(JSON.parse(JSON.stringify(saved)), 'cpu'))(b);
    expect(saveCpu(b)).toEqual(saved);
    expect([b.flatR, b.flatW, b.ss32, b.needR, b.needW, b.needX]).toEqual([a.flatR, a.flatW, a.ss32, a.needR, a.needW, a.needX]);
    expect(b.r[R.CPL]).toBe(3);
    expect(() => readCpu(Rec.of({ ...saved, interceptInt: 'AAAA' }, 'cpu'))).toThrow(/3 bytes, not 256/);
    expect(() => readCpu(Rec.of({ ...saved, pending: { ...saved.pending, vector: 300 } }, 'cpu'))).toThrow(/cpu\.pending\.vector/);
  });
});
