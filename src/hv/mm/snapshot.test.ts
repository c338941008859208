// Page-type engine state round trip: a pinned tree, a linear L2 entry and a
// vcpu base pointer survive save and read into a fresh engine over a copy of the
// memory (the audit stays clean, the state saves the same, the next operation
// does the same on both); inconsistent records are refused or caught by the audit.
import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../../mem/memory';
import { Rec } from '../../shared/record';
import { PGT_L1, PGT_L2 } from '../../shared/layout';
import { MmEngine } from './engine';
import { readMm, saveMm } from './snapshot';

const P = 1, RW = 2, A = 0x20;

function busy(): { mem: MachineMemory; mm: MmEngine; frames: number[] } {
  const mem = MachineMemory.create({ ramMiB: 2, vcpus: 1 });
  const mm = new MmEngine(mem);
  const frames = Array.from({ length: 6 }, () => mm.ft.allocate(1));
  const [l3, l2, l1, data, l2b] = frames;
  const poke = (m: number, i: number, lo: number) => { mem.i32[m * 1024 + i * 2] = lo; mem.i32[m * 1024 + i * 2 + 1] = 0; };
  poke(l3, 3, (l2 << 12) | P);
  poke(l2, 0, (l1 << 12) | P | RW | A);
  poke(l1, 0, (data << 12) | P | RW | A);
  expect(mm.newBaseptr(1, 0, l3)).toBe(0);
  expect(mm.pin(1, l1, PGT_L1)).toBe(0);
  expect(mm.pin(1, l2b, PGT_L2)).toBe(0);
  // A linear entry: the L2 maps itself (read-only) through slot 1.
  expect(mm.mmuUpdate(1, 1, 1, l2 * 4096 + 8, 0, (l2b << 12) | P | A, 0)).toBe(0);
  mm.ft.dropAllocation(frames[5]);
  return { mem, mm, frames };
}

describe('page-type engine state', () => {
  it('round-trips over a copy of memory and behaves the same afterwards', () => {
    const { mem, mm, frames } = busy();
    expect(mm.audit()).toEqual([]);
    const saved = saveMm(mm);
    const mem2 = MachineMemory.create({ ramMiB: 2, vcpus: 1 });
    const mm2 = new MmEngine(mem2);
    new Uint8Array(mem2.buffer).set(new Uint8Array(mem.buffer, 0, mem.layout.totalBytes));
    expect(readMm(Rec.of(JSON.parse(JSON.stringify(saved)), 'mm'), mm.ft.frames)(mm2)).toEqual([]);
    expect(saveMm(mm2)).toEqual(saved);
    expect(mm2.audit()).toEqual([]);
    expect(mm2.ft.pagesOf(1)).toBe(mm.ft.pagesOf(1));
    expect(mm2.baseptr(1, 0)).toBe(frames[0]);
    expect(mm2.linearCount(frames[1])).toBe(mm.linearCount(frames[1]));
    // The same next steps on both: unpin, new frames (the allocator's position), release.
    const steps = (e: MmEngine) => [e.unpin(1, frames[2]), e.ft.allocate(2), e.ft.allocate(2), e.releaseDomain(1).freed];
    expect(steps(mm2)).toEqual(steps(mm));
    expect(saveMm(mm2)).toEqual(saveMm(mm));
    expect(mm2.audit()).toEqual(mm.audit());
  });

  it('refuses malformed records; counts that do not add up show in the audit', () => {
    const { mm } = busy();
    const saved = saveMm(mm) as { linear: number[][]; bases: number[][]; lowestFree: number; allocated: string };
    const read = (edit: (s: typeof saved) => void) => {
      const s = JSON.parse(JSON.stringify(saved)) as typeof saved;
      edit(s);
      return readMm(Rec.of(s, 'mm'), mm.ft.frames);
    };
    expect(() => read((s) => { s.linear.push([1 << 20, 1]); })).toThrow(/mm\.linear\[\d+\]/);
    expect(() => read((s) => { s.bases.push(s.bases[0]); })).toThrow(/two base pointers/);
    expect(() => read((s) => { s.allocated = s.allocated.slice(4); })).toThrow(/mm\.allocated/);
    const mem2 = MachineMemory.create({ ramMiB: 2, vcpus: 1 });
    const mm2 = new MmEngine(mem2);
    new Uint8Array(mem2.buffer).set(new Uint8Array(mm.ft.t.buffer, 0, mem2.layout.totalBytes));
    expect(read((s) => { s.linear[0][1] += 1; })(mm2)).toEqual([]);
    expect(mm2.audit().join()).toMatch(/linear count/);
    expect(read((s) => { s.lowestFree = mm.ft.frames; })(mm2).join()).toMatch(/would skip free frame/);
  });
});
