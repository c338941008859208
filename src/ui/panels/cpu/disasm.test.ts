import * as iced from 'iced-x86';
import { afterAll, describe, expect, it } from 'vitest';
import { PTE_P } from '../../../shared/guestPaging';
import { Disassembler, readCodeWindow } from './disasm';

// A function as gcc emits it, after the tail of another and its alignment padding.
const CODE = [
  0x5d, 0xc3, //                      pop %ebp; ret
  0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00, // lea 0x0(%esi,%eiz,1),%esi
  0x55, //                            c0001009 push %ebp
  0x89, 0xe5, //                      c000100a mov %esp,%ebp
  0x83, 0xec, 0x10, //                c000100c sub $0x10,%esp
  0xb8, 0x01, 0x00, 0x00, 0x00, //    c000100f mov $0x1,%eax
  0xcd, 0x82, //                      c0001014 int $0x82  <- EIP
  0x8b, 0x45, 0x08, //                c0001016 mov 0x8(%ebp),%eax
  0xc9, 0xc3, //                      c0001019 leave; ret
  0xff, 0xff, //                      c000101b (bad)
  0xeb, 0xfe, //                      c000101d jmp c000101d
];
// The bytes start at 0xc0001000.
const EIP = 0xc0001014;

/** RAM holding CODE at physical START - 0xc0000000 + 0x1000, with paging off (so linear = physical). */
function flatRam() {
  const buf = new ArrayBuffer(0x4000);
  const u8 = new Uint8Array(buf);
  u8.set(CODE, 0x1000);
  return { u8, i32: new Int32Array(buf) };
}
const FLAT = { cr0: 1, cr3: 0, cr4: 0 };
const att = new Disassembler(iced, 'att');
const intel = new Disassembler(iced, 'intel');
afterAll(() => { att.dispose(); intel.dispose(); });

describe('readCodeWindow', () => {
  it('reads back and ahead of EIP, reporting where the bytes end', () => {
    // CS base -0xc0000000: EIP c0001014 is linear 0x1014.
    const w = readCodeWindow(flatRam(), FLAT, 0x40000000, EIP, 16, 64);
    expect(w.back).toBe(16);
    expect(w.bytes.length).toBe(80);
    expect(w.bytes[16]).toBe(0xcd);
    expect(w.cutShort).toBe(false);
  });

  it('starts at EIP’s page when the page before is not mapped, and stops at an unmapped page', () => {
    const buf = new ArrayBuffer(0x4000);
    const ram = { u8: new Uint8Array(buf), i32: new Int32Array(buf) };
    ram.i32[0] = 0x1000 | PTE_P; // directory entry 0 -> table at 0x1000
    ram.i32[0x1000 / 4 + 2] = 0x2000 | PTE_P; // page 2 -> frame 2; pages 1 and 3 unmapped
    ram.u8[0x2004] = 0x90;
    const w = readCodeWindow(ram, { cr0: 0x80000001 | 0, cr3: 0, cr4: 0 }, 0, 0x2004, 32, 8192);
    expect(w.back).toBe(4);
    expect(w.bytes[4]).toBe(0x90);
    expect(w.bytes.length).toBe(4096);
    expect(w.cutShort).toBe(true);
    expect(readCodeWindow(ram, { cr0: 0x80000001 | 0, cr3: 0, cr4: 0 }, 0, 0x3000, 32, 16).bytes.length).toBe(0);
  });
});

describe('Disassembler', () => {
  const window = readCodeWindow(flatRam(), FLAT, 0x40000000, EIP, 48, 64);

  it('finds the instructions before EIP by consensus, marks EIP, and goes on after it', () => {
    const lines = att.around(window, 4, 6);
    expect(lines.map((l) => [l.address.toString(16), l.at, l.text])).toEqual([
      ['c0001009', 'before', 'push %ebp'],
      ['c000100a', 'before', 'mov %esp,%ebp'],
      ['c000100c', 'before', 'sub $0x10,%esp'],
      ['c000100f', 'before', 'mov $0x1,%eax'],
      ['c0001014', 'current', 'int $0x82'],
      ['c0001016', 'after', 'mov 0x8(%ebp),%eax'],
      ['c0001019', 'after', 'leave'],
      ['c000101a', 'after', 'ret'],
      ['c000101b', 'after', '(bad)'],
      ['c000101d', 'after', 'jmp 0xc000101d'],
    ]);
    expect(lines[3].bytes).toBe('b8 01 00 00 00');
    expect(lines[8].invalid).toBe(true);
  });

  it('speaks Intel syntax too', () => {
    expect(intel.around(window, 1, 2).map((l) => l.text)).toEqual(['mov eax, 0x1', 'int 0x82', 'mov eax, [ebp+0x8]']);
  });

  it('shows nothing before EIP when no decoding lands on it, and drops a truncated last instruction', () => {
    const w = { bytes: new Uint8Array([0xb8, 0x01, 0x00]), back: 0, eip: 0x1000, cutShort: true };
    expect(att.around(w, 4, 16)).toEqual([]);
    // 0f 0b is ud2: the only decoding from 0x1000 ends past EIP, so nothing is shown before it.
    const w2 = { bytes: new Uint8Array([0x0f, 0x0b, 0xc3]), back: 1, eip: 0x1001, cutShort: false };
    expect(att.around(w2, 4, 16).map((l) => [l.at, l.text])).toEqual([['current', 'or %ebx,%eax']]);
  });
});
