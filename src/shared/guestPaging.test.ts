// The paths a PV guest never takes (paging off, 2-level tables, large pages,
// frames above RAM), on hand-built tables. pvos exercises the PAE path in
// src/machine/sharedviews.test.ts.
import { describe, expect, it } from 'vitest';
import { PTE_P, PTE_PS, PTE_RW, presentEntries, readLinear, translate, type Paging, type Ram } from './guestPaging';

const PG = 0x80000000 | 0, PAE = 0x20, PSE = 0x10;

function ram(pages: number): Ram {
  const buf = new ArrayBuffer(pages * 4096);
  return { u8: new Uint8Array(buf), i32: new Int32Array(buf) };
}

describe('translate', () => {
  it('is the identity with paging off, within RAM', () => {
    const r = ram(4);
    const p: Paging = { cr0: 1, cr3: 0, cr4: 0 };
    expect(translate(r, p, 0x3fff)).toBe(0x3fff);
    expect(translate(r, p, 0x4000)).toBe(-1);
  });

  it('walks 2-level tables, with 4 MiB pages only under CR4.PSE', () => {
    const r = ram(16);
    // Directory at frame 1: entry 0 -> table at frame 2; entry 1 a 4 MiB page at 0 (PS).
    r.i32[0x1000 / 4] = 0x2000 | PTE_P | PTE_RW;
    r.i32[0x1000 / 4 + 1] = 0x0 | PTE_P | PTE_PS;
    r.i32[0x2000 / 4 + 5] = 0x7000 | PTE_P;
    const p: Paging = { cr0: PG, cr3: 0x1000, cr4: PSE };
    expect(translate(r, p, 0x5abc)).toBe(0x7abc);
    expect(translate(r, p, 0x6000)).toBe(-1);
    expect(translate(r, p, 0x400123)).toBe(0x123);
    // Without PSE the PS bit is ignored and entry 1 points at a table (frame 0, all zero).
    expect(translate(r, { ...p, cr4: 0 }, 0x400123)).toBe(-1);
  });

  it('walks PAE tables with 2 MiB pages, and refuses frames beyond RAM', () => {
    const r = ram(16);
    // L3 at 0x1020 (32-byte aligned CR3): slot 0 -> L2 at frame 2.
    r.i32[0x1020 / 4] = 0x2000 | PTE_P;
    r.i32[0x2000 / 4] = 0x3000 | PTE_P;          // L2[0] -> L1 at frame 3
    r.i32[0x2000 / 4 + 2] = 0x200000 | PTE_P | PTE_PS; // L2[1]: 2 MiB page at 2 MiB (past RAM)
    r.i32[0x2000 / 4 + 4] = 0x0 | PTE_P | PTE_PS;      // L2[2]: 2 MiB page at 0
    r.i32[0x3000 / 4 + 2 * 1] = 0x9000 | PTE_P;   // L1[1] -> frame 9
    r.i32[0x3000 / 4 + 2 * 2] = 0x9000 | PTE_P;   // L1[2] -> frame 9, high word says 4 GiB up
    r.i32[0x3000 / 4 + 2 * 2 + 1] = 1;
    const p: Paging = { cr0: PG, cr3: 0x1020, cr4: PAE };
    expect(translate(r, p, 0x1234)).toBe(0x9234);
    expect(translate(r, p, 0x2234)).toBe(-1);
    expect(translate(r, p, 0x200010)).toBe(-1);
    expect(translate(r, p, 0x400010)).toBe(0x10);
    expect(translate(r, p, 0x40000000)).toBe(-1);
  });
});

describe('readLinear', () => {
  it('crosses into the next page, and stops at an unmapped one', () => {
    const r = ram(16);
    r.i32[0x1000 / 4] = 0x2000 | PTE_P;
    r.i32[0x2000 / 4 + 0] = 0x5000 | PTE_P; // page 0 -> frame 5
    r.i32[0x2000 / 4 + 1] = 0x8000 | PTE_P; // page 1 -> frame 8
    r.u8[0x5ffe] = 1; r.u8[0x5fff] = 2; r.u8[0x8000] = 3; r.u8[0x8001] = 4;
    const p: Paging = { cr0: PG, cr3: 0x1000, cr4: 0 };
    const out = new Uint8Array(4);
    expect(readLinear(r, p, 0xffe, out)).toBe(4);
    expect([...out]).toEqual([1, 2, 3, 4]);
    const long = new Uint8Array(4096 + 8);
    expect(readLinear(r, p, 0x1ffc, long)).toBe(4);
  });
});

describe('presentEntries', () => {
  it('lists only present entries, with the address each maps and PAE frames above 4 GiB', () => {
    const r = ram(4);
    r.i32[0x1000 / 4 + 2 * 3] = 0x7000 | PTE_P | PTE_PS;
    r.i32[0x1000 / 4 + 2 * 3 + 1] = 0x80000002 | 0; // NX, frame bits 33
    const es = presentEntries(r, 0x1000, true, 2, 0xc0000000);
    expect(es).toHaveLength(1);
    expect(es[0]).toMatchObject({ index: 3, va: 0xc0600000, frame: 0x200007, large: true });
  });
});
