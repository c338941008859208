import { describe, expect, it } from 'vitest';
import { checkDescriptor } from './descriptor';

const d = (lo: number, hi: number) => ({ lo: lo | 0, hi: hi | 0 });

describe('check_descriptor (32-bit PV guest)', () => {
  it('accepts not-present descriptors unchanged, whatever they hold', () => {
    expect(checkDescriptor(0x0000ffff, 0x00cf1a00)).toEqual(d(0x0000ffff, 0x00cf1a00));
    expect(checkDescriptor(0xdeadbeef, 0x00ef7fff & ~0x8000)).toEqual(d(0xdeadbeef, 0x00ef7fff & ~0x8000));
  });

  it('keeps ring-1 and ring-3 flat segments as they are', () => {
    expect(checkDescriptor(0x0000ffff, 0x00cfbb00)).toEqual(d(0x0000ffff, 0x00cfbb00));
    expect(checkDescriptor(0x0000ffff, 0x00cff300)).toEqual(d(0x0000ffff, 0x00cff300));
  });

  it('rewrites DPL 0 to DPL 1 for code and data', () => {
    expect(checkDescriptor(0x0000ffff, 0x00cf9a00)).toEqual(d(0x0000ffff, 0x00cfba00));
    expect(checkDescriptor(0x0000ffff, 0x00cf9200)).toEqual(d(0x0000ffff, 0x00cfb200));
  });

  it('refuses 64-bit code segments', () => {
    expect(checkDescriptor(0x0000ffff, 0x00af9a00)).toBeNull();
    expect(checkDescriptor(0x0000ffff, 0x00affa00)).toBeNull();
  });

  it('widens zero-based segments reaching past the hypervisor hole to 4 GiB', () => {
    // limit 0xF67FF pages: ends at 0xF6800000 (older PAE guests)
    expect(checkDescriptor(0x000067ff, 0x00cfba00)).toEqual(d(0x0000ffff, 0x00cfba00));
    // one page past 0xF5800000
    expect(checkDescriptor(0x00005800, 0x00cfba00)).toEqual(d(0x0000ffff, 0x00cfba00));
    // exactly 0xF5800000 bytes: left alone
    expect(checkDescriptor(0x000057ff, 0x00cfba00)).toEqual(d(0x000057ff, 0x00cfba00));
    // not zero-based: no base/limit check at all
    expect(checkDescriptor(0x100067ff, 0x00cfba00)).toEqual(d(0x100067ff, 0x00cfba00));
    // byte granular: at most 1 MiB
    expect(checkDescriptor(0x0000ffff, 0x004fba00)).toEqual(d(0x0000ffff, 0x004fba00));
  });

  it('accepts system type 0 (second half of a call gate) without fixing its DPL', () => {
    expect(checkDescriptor(0x12345678, 0x00008000)).toEqual(d(0x12345678, 0x00008000));
  });

  it('refuses every system descriptor but the 32-bit call gate', () => {
    for (const type of [0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x9, 0xb, 0xe, 0xf]) {
      expect(checkDescriptor(0x00100000, 0x0000e000 | (type << 8))).toBeNull();
    }
  });

  it('turns a call gate to DPL 0, keeping its DPL in the target selector RPL', () => {
    // gate to 0x0010:0x12345678, DPL 3
    expect(checkDescriptor(0x00105678, 0x1234ec00)).toEqual(d(0x00135678, 0x12348c00));
    // DPL 0 counts as DPL 1
    expect(checkDescriptor(0x00105678, 0x12348c00)).toEqual(d(0x00115678, 0x12348c00));
    // parameter count (bits 0..4) is allowed
    expect(checkDescriptor(0x00105678, 0x1234ec1f)).toEqual(d(0x00135678, 0x12348c1f));
  });

  it('checks a call gate target selector and reserved bits', () => {
    expect(checkDescriptor(0xe0190000, 0x0000ec00)).toEqual(d(0xe01b0000, 0x00008c00));
    expect(checkDescriptor(0xe00c0000, 0x0000ec00)).toEqual(d(0xe00f0000, 0x00008c00)); // LDT selector
    expect(checkDescriptor(0xe0080000, 0x0000ec00)).toBeNull(); // Xen's ring-0 code
    expect(checkDescriptor(0xe0210000, 0x0000ec00)).toBeNull(); // reserved GDT, not 0xE019
    expect(checkDescriptor(0xdff80000, 0x0000ec00)).toEqual(d(0xdffb0000, 0x00008c00)); // index 7167
    expect(checkDescriptor(0x00100000, 0x0000ec20)).toBeNull();
    expect(checkDescriptor(0x00100000, 0x0000ec80)).toBeNull();
  });
});
