// 64-bit Xen runs a 32-bit PV guest's page tables under long-mode paging
// (Cpu.pdpteLong): the L3 acts as a PDPT with R/W and U/S, and bits 62..52 of
// entries are free for software, where legacy PAE reserves them.
import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_NXE, EXIT_EXCEPTION, EXIT_LIMIT } from './defs';
import { testMachine } from './testing';

function setup(pdpteLong: boolean, pteHi: number, pdpteLo = 0x2001) {
  const m = testMachine({ ramMiB: 4 });
  const w = (a: number, lo: number, hi = 0) => { m.mem.i32[a >> 2] = lo; m.mem.i32[(a >> 2) + 1] = hi; };
  // L3 at 0x1000: slot 0 -> L2 at 0x2000 -> L1 at 0x3000 -> code page 0x5000 at VA 0x400000.
  w(0x1000, pdpteLo);
  w(0x2000 + 2 * 8, 0x3007);
  w(0x3000, 0x5003, pteHi);
  m.load(0x5000, [0x40, 0x40]); // inc eax; inc eax
  const r = m.cpu.r;
  m.cpu.pdpteLong = pdpteLong;
  r[R.CR3] = 0x1000; r[R.CR4] = CR4_PAE; r[R.EFER] = EFER_NXE; r[R.CR0] = CR0_PE | CR0_PG | CR0_WP;
  m.cpu.tlbFlush(true);
  m.cpu.interceptExc = -1;
  r[R.EIP] = 0x400000;
  return m;
}

describe('long-mode walk of a PV guest L3', () => {
  it('lets bits 62..52 of a PTE be software bits', () => {
    const m = setup(true, 0x7ff00000);
    expect(m.run(2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(2);
  });
  it('still reserves them under legacy PAE (#PF with RSVD)', () => {
    const m = setup(false, 0x7ff00000);
    expect(m.run(2)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(14);
    expect(m.cpu.r[R.EXIT_ERROR] & 8).toBe(8);
  });
  it('accepts R/W and U/S in the L3 entry, which legacy PAE reserves', () => {
    expect(setup(true, 0, 0x2007).run(2)).toBe(EXIT_LIMIT);
    expect(setup(false, 0, 0x2007).run(2)).toBe(EXIT_EXCEPTION);
  });
});

describe('CMP reads its memory operand', () => {
  it('compares against a read-only page without a write fault', () => {
    const m = testMachine({ ramMiB: 4 });
    const w = (a: number, lo: number, hi = 0) => { m.mem.i32[a >> 2] = lo; m.mem.i32[(a >> 2) + 1] = hi; };
    // L3 -> L2 -> L1: code at VA 0x400000 (RW), data at 0x401000 read-only.
    w(0x1000, 0x2001); w(0x2000 + 2 * 8, 0x3007); w(0x3000, 0x5003); w(0x3008, 0x6001);
    m.mem.u8[0x6000] = 7;
    // cmp byte [0x401000], 7 ; cmp dword [0x401000], 0 ; cmp [0x401000], eax
    m.load(0x5000, [0x80, 0x3d, 0x00, 0x10, 0x40, 0x00, 0x07, 0x83, 0x3d, 0x00, 0x10, 0x40, 0x00, 0x00, 0x39, 0x05, 0x00, 0x10, 0x40, 0x00]);
    const r = m.cpu.r;
    r[R.CR3] = 0x1000; r[R.CR4] = CR4_PAE; r[R.EFER] = EFER_NXE; r[R.CR0] = CR0_PE | CR0_PG | CR0_WP;
    m.cpu.tlbFlush(true);
    m.cpu.interceptExc = -1;
    r[R.EIP] = 0x400000;
    expect(m.run(3)).toBe(EXIT_LIMIT);
    expect(m.mem.i32[0x3008 >> 2] & 0x40).toBe(0); // the data PTE is not dirty
  });
});
