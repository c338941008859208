import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F, FRAME_BYTES, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, R } from '../shared/layout';
import { frameMappings, type FrameMapInput } from './framemap';
import { Machine } from './machine';

const FRAMES = 16;
const SLOTS = FRAME_BYTES >>> 2;

/** A tiny machine: frame table and RAM for FRAMES frames, all free. */
function tiny(): FrameMapInput & { type(mfn: number, owner: number, word: number): void; pte(table: number, i: number, mfn: number, flags: number): void } {
  const frameTable = new Int32Array(FRAMES * SLOTS);
  const ram32 = new Int32Array(FRAMES * 1024);
  return {
    frameTable, ram32, frames: FRAMES, grants: [],
    type(mfn, owner, word) {
      frameTable[mfn * SLOTS + F.OWNER] = owner;
      frameTable[mfn * SLOTS + F.TYPE] = word;
    },
    pte(table, i, mfn, flags) {
      ram32[table * 1024 + i * 2] = (mfn << 12) | flags;
    },
  };
}

describe('frameMappings', () => {
  it('finds entries at every level of validated tables, with their owner and writability', () => {
    const m = tiny();
    m.type(2, 1, PGT_L1 | PGF_VALIDATED);
    m.type(3, 1, PGT_L2 | PGF_VALIDATED | PGF_PINNED);
    m.type(4, 1, PGT_L3 | PGF_VALIDATED);
    m.pte(2, 5, 7, 0x3); // present, writable
    m.pte(2, 9, 7, 0x1); // present, read-only
    m.pte(3, 0, 2, 0x7);
    m.pte(4, 1, 3, 0x1);
    expect(frameMappings(m, 7)).toEqual([
      { domid: 1, tableMfn: 2, level: 1, index: 5, writable: true },
      { domid: 1, tableMfn: 2, level: 1, index: 9, writable: false },
    ]);
    expect(frameMappings(m, 2)).toEqual([{ domid: 1, tableMfn: 3, level: 2, index: 0, writable: false }]);
    expect(frameMappings(m, 3)).toEqual([{ domid: 1, tableMfn: 4, level: 3, index: 1, writable: false }]);
  });

  it('ignores tables that are not validated, entries that are not present, and other frames', () => {
    const m = tiny();
    m.type(2, 1, PGT_L1); // typed but not validated: nothing walks it
    m.pte(2, 0, 7, 0x3);
    m.type(5, 1, PGT_L1 | PGF_VALIDATED);
    m.pte(5, 0, 7, 0x2); // not present
    m.pte(5, 1, 8, 0x3); // another frame
    m.ram32[5 * 1024 + 2 * 2] = (7 << 12) | 1;
    m.ram32[5 * 1024 + 2 * 2 + 1] = 1; // frame bits above 4 GiB: not frame 7
    expect(frameMappings(m, 7)).toEqual([]);
    expect(frameMappings(m, 8)).toHaveLength(1);
  });

  it('lists grant mappings of the frame, and nothing for frames outside RAM', () => {
    const m = tiny();
    m.grants = [
      { domid: 2, handle: 0, mfn: 7, flags: 2 },
      { domid: 3, handle: 4, mfn: 7, flags: 2 | 4 },
      { domid: 3, handle: 5, mfn: 9, flags: 2 },
    ];
    expect(frameMappings(m, 7)).toEqual([
      { domid: 2, tableMfn: 0, level: 0, index: 0, writable: true },
      { domid: 3, tableMfn: 0, level: 0, index: 4, writable: false },
    ]);
    expect(frameMappings(m, FRAMES)).toEqual([]);
    expect(frameMappings(m, -1)).toEqual([]);
  });

  it('on a booted guest, finds the L3 entries that hold each of its L2 tables', () => {
    const m = new Machine({ ramMiB: 16 });
    const image = readFileSync(resolve(__dirname, '../../public/guests/console.elf'));
    const { dom } = m.createGuest({ name: 'demo', kernel: image, memMiB: 8 });
    m.hv.timeLimit = m.hv.time.now + 50_000_000;
    m.run(2_000_000);
    const l3 = (dom.vcpus[0]!.cpu.r[R.CR3]! >>> 12);
    const input: FrameMapInput = { frameTable: m.mem.frameTable(), ram32: m.mem.i32, frames: m.mem.layout.frames, grants: [] };
    const t = input.frameTable;
    expect(t[l3 * SLOTS + F.TYPE]! & 0xf).toBe(PGT_L3);
    let checked = 0;
    for (let i = 0; i < 4; i++) {
      const lo = m.mem.i32[l3 * 1024 + i * 2]!;
      if (!(lo & 1)) continue;
      const l2 = lo >>> 12;
      expect(frameMappings(input, l2)).toContainEqual({ domid: dom.id, tableMfn: l3, level: 3, index: i, writable: false });
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
