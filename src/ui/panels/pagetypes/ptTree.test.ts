import { describe, expect, it } from 'vitest';
import { FC } from '../../../shared/frames';
import { PTE_A, PTE_D, PTE_P, PTE_PS, PTE_RW, PTE_US } from '../../../shared/guestPaging';
import { F, FRAME_FREE, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L2, PGT_L3, PGT_WRITABLE } from '../../../shared/layout';
import { entryFlags, rootTable, tableRows } from './ptTree';

const PAGES = 8;
const buf = new ArrayBuffer(PAGES * 4096);
const ram = { u8: new Uint8Array(buf), i32: new Int32Array(buf) };
const ft = new Int32Array(PAGES * 4);
for (let m = 0; m < PAGES; m++) ft[m * 4 + F.OWNER] = FRAME_FREE;
const own = (mfn: number, type: number) => {
  ft[mfn * 4 + F.OWNER] = 1; ft[mfn * 4 + F.TYPE] = type; ft[mfn * 4 + F.TYPE_COUNT] = 1;
};
// L3 at frame 1 (pinned), slot 3 -> L2 at frame 2; L2[0] -> L1 at frame 3; L2[1] a large page;
// L2[2] -> a frame beyond RAM; L1[5] -> data page 4.
own(1, PGT_L3 | PGF_VALIDATED | PGF_PINNED);
own(2, PGT_L2 | PGF_VALIDATED);
own(3, PGT_L1 | PGF_VALIDATED);
own(4, PGT_WRITABLE | PGF_VALIDATED);
const e = (addr: number, i: number, lo: number, hi = 0) => { ram.i32[(addr + i * 8) / 4] = lo; ram.i32[(addr + i * 8) / 4 + 1] = hi; };
e(0x1000, 3, 0x2000 | PTE_P);
e(0x2000, 0, 0x3000 | PTE_P | PTE_RW | PTE_US | PTE_A);
e(0x2000, 1, 0x200000 | PTE_P | PTE_PS);
e(0x2000, 2, 0x0 | PTE_P, 1);
e(0x3000, 5, 0x4000 | PTE_P | PTE_RW | PTE_A | PTE_D, 0x80000000 | 0);

describe('page-table tree rows', () => {
  it('starts at the L3 CR3 names', () => {
    expect(rootTable({ cr0: 0x80000001 | 0, cr3: 0x1000, cr4: 0x20 })).toEqual({ addr: 0x1000, level: 3, pae: true, va: 0 });
  });

  it('lists an L3 slot with its L2, typed, and the range it maps', () => {
    const rows = tableRows(ram, ft, { addr: 0x1000, level: 3, pae: true, va: 0 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      index: 3, va: 0xc0000000, vaLast: 0xffffffff, frame: 2, cls: FC.L2, pinned: false, validated: true, flags: '',
      child: { addr: 0x2000, level: 2, pae: true, va: 0xc0000000 },
    });
  });

  it('lists an L2’s tables, large pages (no child) and frames beyond RAM', () => {
    const rows = tableRows(ram, ft, { addr: 0x2000, level: 2, pae: true, va: 0xc0000000 });
    expect(rows.map((r) => [r.index, r.frame, r.cls, r.child?.addr ?? null, r.flags])).toEqual([
      [0, 3, FC.L1, 0x3000, 'RW U A'],
      [1, 0x200, -1, null, 'RO S PS'],
      [2, 0x100000, -1, 0x100000000, 'RO S'],
    ]);
    expect(rows[0].vaLast).toBe(0xc01fffff);
  });

  it('lists an L1’s pages with their flags', () => {
    const rows = tableRows(ram, ft, { addr: 0x3000, level: 1, pae: true, va: 0xc0000000 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ index: 5, va: 0xc0005000, vaLast: 0xc0005fff, frame: 4, cls: FC.WRITABLE, child: null, flags: 'RW S A D NX' });
  });

  it('decodes 2-level entries without NX', () => {
    expect(entryFlags(PTE_P | PTE_US, -1, 1, false)).toBe('RO U');
  });
});
