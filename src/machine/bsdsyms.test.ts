// BSD_SYMTAB: the symbol area Xen's loader appends after the kernel. The expected
// bytes are worked out here from the test ELF and libelf's layout for a 32-bit
// image (size word; ELF header in a 64-byte slot; three 40-byte section headers
// from area+68; symtab from area+260; strtab after it, rounded to 4), independently
// of elfsyms.ts. Also: the kernel end grows by what Xen reserves, so every later
// object moves; copies that would leave the kernel's pages are skipped; malformed
// symbol sections are refused with an ElfError.
import { describe, expect, it } from 'vitest';
import { SI } from '../abi/xen';
import { buildDomain, type BuiltDomain } from './builder';
import { ElfError, parseXenElf } from './elf';
import { bsdSymtabBytes } from './elfsyms';
import { BASE, buildElf, standardNotes, type ImageSpec } from './elfimage.testutil';
import { Machine } from './machine';

const SYMS = { symBytes: 0x30, strBytes: 0x11 };
const withSyms = (over: Partial<ImageSpec> = {}): Uint8Array =>
  buildElf({ notes: standardNotes({ BSD_SYMTAB: 'yes' }), symtab: SYMS, ...over });

function build(kernel: Uint8Array): { b: BuiltDomain; read: (va: number, n: number) => Uint8Array } {
  const m = new Machine({ ramMiB: 32 });
  const b = buildDomain(m.hv, { domid: 1, name: 'syms', kernel, memMiB: 8 });
  const read = (va: number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const pfn = Math.floor((va + i - BASE) / 4096);
      out[i] = m.hv.mem.u8[b.p2m[pfn] * 4096 + ((va + i) % 4096)];
    }
    return out;
  };
  return { b, read };
}

/** The file's section headers of the given type (symtab 2, strtab 3): header offset, sh_offset, sh_size. */
function section(elf: Uint8Array, type: number): { at: number; offset: number; size: number } {
  const dv = new DataView(elf.buffer, elf.byteOffset);
  const shoff = dv.getUint32(32, true), num = dv.getUint16(48, true);
  for (let i = 1; i < num; i++) {
    const at = shoff + i * 40;
    if (dv.getUint32(at + 4, true) === type && dv.getUint32(at, true) !== 0 && (type !== 3 || i !== num - 1)) {
      return { at, offset: dv.getUint32(at + 16, true), size: dv.getUint32(at + 20, true) };
    }
  }
  throw new Error('no such section');
}

/** What libelf writes for SYMS (0x30 symbol bytes, 0x11 string bytes), all 325 bytes of it. */
function expected(elf: Uint8Array): Uint8Array {
  const sym = section(elf, 2), str = section(elf, 3);
  const out = new Uint8Array(260 + 0x30 + 0x11);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 260 + 0x30 + 0x11 - 4, true); // from the ELF header to the strtab's end
  out.set(elf.subarray(0, 52), 4);
  dv.setUint32(4 + 20, 1, true);
  dv.setUint32(4 + 28, 0, true);
  dv.setUint32(4 + 32, 64, true);
  dv.setUint16(4 + 40, 52, true);
  dv.setUint16(4 + 42, 0, true);
  dv.setUint16(4 + 44, 0, true);
  dv.setUint16(4 + 46, 40, true);
  dv.setUint16(4 + 48, 3, true);
  dv.setUint16(4 + 50, 0, true);
  // Section 0 (area+68) stays zero.
  out.set(elf.subarray(sym.at, sym.at + 40), 108);
  dv.setUint32(108 + 16, 256, true);
  dv.setUint32(108 + 24, 2, true);
  out.set(elf.subarray(str.at, str.at + 40), 148);
  dv.setUint32(148 + 16, 256 + 0x30, true);
  out.set(elf.subarray(sym.offset, sym.offset + 0x30), 260);
  out.set(elf.subarray(str.offset, str.offset + 0x11), 260 + 0x30);
  return out;
}

describe('BSD_SYMTAB: the symbol area', () => {
  it('is written after the kernel as libelf writes it', () => {
    const elf = withSyms();
    const { b, read } = build(elf);
    // pend 0x3000 is already 4-aligned; Xen reserves 192 + 0x30, + 0x11 rounded to 4.
    expect(b.image.bsdSymtabArea).toMatchObject({ va: BASE + 0x3000, size: 260 });
    expect(b.image.virtKend).toBe(BASE + 0x3000 + 260);
    const want = expected(elf);
    expect([...read(BASE + 0x3000, want.length)]).toEqual([...want]);
    // Nothing after it: the rest of the kernel's last page is zero.
    expect(read(BASE + 0x3000 + want.length, 4096 - want.length).every((x) => x === 0)).toBe(true);
    // What XSA-194 checks: e_shoff (64) lies past e_ehsize (52) and the gap is zero.
    expect([...read(BASE + 0x3000 + 4 + 52, 12)]).toEqual(new Array(12).fill(0));
  });

  it('moves every later object by the pages it adds', () => {
    const plain = build(buildElf({ symtab: SYMS })).b;
    const { b, read } = build(withSyms());
    expect(plain.image.bsdSymtabArea).toBeUndefined();
    expect(plain.layout.kernel.pages).toBe(3);
    expect(b.layout.kernel.pages).toBe(4);
    for (const k of ['p2m', 'startInfo', 'xenstore', 'console', 'bootStack'] as const) {
      expect(b.layout[k].pfn).toBe(plain.layout[k].pfn + 1);
    }
    // start_info (found through ESI) carries the moved addresses.
    const si = new DataView(read(b.layout.regs.esi, 1112).buffer);
    expect(b.layout.regs.esi).toBe(plain.layout.regs.esi + 4096);
    expect(si.getUint32(SI.MFN_LIST, true)).toBe(BASE + 4 * 4096);
    expect(si.getUint32(SI.PT_BASE, true)).toBe(plain.layout.ptBase + 4096);
    expect(si.getUint32(SI.MFN_LIST, true)).toBe(b.layout.p2m.va);
  });

  it('skips the string table when it would run past the kernel\'s last page', () => {
    // Area at 0x3ec8: reserved to 0x3fcc; symtab 0x3fcc-0x3ffc fits, strtab 0x3ffc-0x400d does not.
    const elf = withSyms({ segments: [{ paddr: 0, filesz: 0x2000, memsz: 0x3ec8 }] });
    const { b, read } = build(elf);
    expect(b.layout.kernel.pages).toBe(4);
    const want = expected(elf).subarray(0, 0x4000 - 0x3ec8);
    want.fill(0, 260 + 0x30); // the strtab copy is skipped as a whole
    expect([...read(BASE + 0x3ec8, want.length)]).toEqual([...want]);
    // The P2M list right after is intact: its first entry is PFN 0's frame.
    expect(new DataView(read(b.layout.p2m.va, 4).buffer).getUint32(0, true)).toBe(b.p2m[0]);
  });

  it('skips both tables when the area ends the page exactly', () => {
    const elf = withSyms({ segments: [{ paddr: 0, filesz: 0x2000, memsz: 0x4000 - 260 }] });
    const { b, read } = build(elf);
    expect(b.layout.kernel.pages).toBe(4);
    const want = expected(elf).slice(0, 260);
    expect([...read(BASE + 0x4000 - 260, 260)]).toEqual([...want]);
    expect(new DataView(read(b.layout.p2m.va, 4).buffer).getUint32(0, true)).toBe(b.p2m[0]);
  });

  it('reserves nothing without a usable symtab, as Xen', () => {
    const elf = withSyms();
    const dv = new DataView(elf.buffer);
    const sym = section(elf, 2);
    const link = dv.getUint32(sym.at + 24, true);
    const linkTo = (v: number): Uint8Array => { const c = elf.slice(); new DataView(c.buffer).setUint32(sym.at + 24, v, true); return c; };
    expect(parseXenElf(linkTo(0)).bsdSymtabArea).toBeUndefined(); // SHN_UNDEF
    expect(parseXenElf(linkTo(200)).bsdSymtabArea).toBeUndefined(); // past e_shnum
    expect(parseXenElf(linkTo(link - 1)).bsdSymtabArea).toBeUndefined(); // the symtab itself, not SHT_STRTAB
    expect(parseXenElf(linkTo(0)).virtKend).toBe(BASE + 0x3000);
  });
});

describe('BSD_SYMTAB: malformed symbol sections', () => {
  const elf = withSyms();
  const sym = section(elf, 2), str = section(elf, 3);
  const patched = (at: number, v: number, from = elf): Uint8Array => {
    const c = from.slice();
    new DataView(c.buffer).setUint32(at, v, true);
    return c;
  };

  it('refuses a symtab or strtab running past the end of the file', () => {
    expect(() => parseXenElf(patched(sym.at + 20, 0xffffff00))).toThrow(/symbol table \(section \d+\).*past the end of the file/);
    expect(() => parseXenElf(patched(sym.at + 16, elf.length))).toThrow(ElfError);
    expect(() => parseXenElf(patched(str.at + 20, elf.length))).toThrow(/string table of the symbol table/);
    expect(() => parseXenElf(patched(str.at + 16, 0xfffffffc))).toThrow(ElfError);
  });

  it('ignores the symbol sections when BSD_SYMTAB is not requested', () => {
    const plain = buildElf({ symtab: SYMS });
    const img = parseXenElf(patched(sym.at + 20, 0xffffff00, plain));
    expect(img.bsdSymtabArea).toBeUndefined();
  });

  it('fuzzed symbol section headers: only ElfError, and the area bytes never exceed the room', () => {
    let s = 0x5eed5;
    const rand = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
    const fields = [16, 20, 24, 4].flatMap((f) => [sym.at + f, str.at + f]);
    let accepted = 0, refused = 0;
    for (let round = 0; round < 3000; round++) {
      const c = elf.slice();
      const dv = new DataView(c.buffer);
      for (let k = 0; k < 1 + (rand() % 3); k++) {
        const at = fields[rand() % fields.length];
        const r = rand() % 4;
        dv.setUint32(at, r === 0 ? 0xffffffff : r === 1 ? rand() % (c.length + 8) : r === 2 ? rand() % 8 : rand(), true);
      }
      try {
        const img = parseXenElf(c);
        accepted++;
        const area = img.bsdSymtabArea;
        if (area) {
          const room = Math.ceil((img.virtKend - img.virtKstart) / 4096) * 4096 - (area.va - img.virtKstart);
          expect(bsdSymtabBytes(c, area, room).length).toBeLessThanOrEqual(room);
        }
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
        expect(e.message).not.toMatch(/^malformed ELF image \(/);
        refused++;
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
