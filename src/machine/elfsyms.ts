// The BSD symbol area (BSD_SYMTAB "yes", ABI map 1.2): what Xen's loader writes after
// the kernel so the guest can find its own symbols, byte for byte as libelf's
// elf_load_bsdsyms writes it for a 32-bit image. From the area's start A:
//
//   A+0    u32: bytes from A+4 to the end of the string table
//   A+4    the file's ELF header (52 bytes) with e_phoff/e_phentsize/e_phnum/e_shstrndx
//          0, e_version 1, e_ehsize 52, e_shentsize 40, e_shoff 64, e_shnum 3
//   A+68   section headers: 0 all zero; 1 the symtab's, sh_offset and sh_link (2)
//          rewritten; 2 its strtab's, sh_offset rewritten (offsets count from A+4)
//   A+260  the symtab, then (rounded up to 4) the strtab
//
// Xen lays the headers out in 64-bit-sized slots (12 zero bytes after the ELF
// header), and starts the symtab after three 64-byte section-header slots, so it
// writes 68 bytes more than it reserved (elf.ts bsdSymtabSize). Whatever lands past
// the kernel's last page is not copied: libelf skips any copy that would leave the
// kernel segment, and so do we. Every byte not written is zero, as in Xen (which
// zeroes its header buffer and the kernel area).
import type { BsdSymtabArea } from './elf';

/** Where each part goes, as offsets from the area's start. */
export const BSD_HEADER = 4, BSD_SHDRS = 68, BSD_SYMTAB = 260;
const EHDR_SIZE = 52, SHDR_SIZE = 40;

const round4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * The bytes to write at the area's start, given `room`: the bytes from there to the
 * end of the kernel's last page. Never longer than `room`.
 */
export function bsdSymtabBytes(kernel: Uint8Array, area: BsdSymtabArea, room: number): Uint8Array {
  const { symtab, strtab } = area;
  const strAt = round4(BSD_SYMTAB + symtab.size);
  const end = strAt + strtab.size;
  const out = new Uint8Array(Math.max(0, Math.min(room, end)));
  const header = new Uint8Array(BSD_SYMTAB);
  const dv = new DataView(header.buffer);

  dv.setUint32(0, end - BSD_HEADER, true);
  header.set(kernel.subarray(0, EHDR_SIZE), BSD_HEADER);
  const e = BSD_HEADER;
  dv.setUint32(e + 20, 1, true); // e_version: EV_CURRENT
  dv.setUint32(e + 28, 0, true); // e_phoff
  dv.setUint32(e + 32, BSD_SHDRS - BSD_HEADER, true); // e_shoff
  dv.setUint16(e + 40, EHDR_SIZE, true); // e_ehsize
  dv.setUint16(e + 42, 0, true); // e_phentsize
  dv.setUint16(e + 44, 0, true); // e_phnum
  dv.setUint16(e + 46, SHDR_SIZE, true); // e_shentsize
  dv.setUint16(e + 48, 3, true); // e_shnum
  dv.setUint16(e + 50, 0, true); // e_shstrndx

  const sym = BSD_SHDRS + SHDR_SIZE, str = BSD_SHDRS + 2 * SHDR_SIZE;
  header.set(kernel.subarray(symtab.header, symtab.header + SHDR_SIZE), sym);
  dv.setUint32(sym + 16, BSD_SYMTAB - BSD_HEADER, true); // sh_offset
  dv.setUint32(sym + 24, 2, true); // sh_link: the strtab's new index
  header.set(kernel.subarray(strtab.header, strtab.header + SHDR_SIZE), str);
  dv.setUint32(str + 16, strAt - BSD_HEADER, true);

  // The headers always fit (the area reserves 192 bytes and they end at 188).
  out.set(header.subarray(0, Math.min(out.length, BSD_SYMTAB)));
  const copy = (at: number, offset: number, size: number): void => {
    if (at + size <= room) out.set(kernel.subarray(offset, offset + size), at);
  };
  copy(BSD_SYMTAB, symtab.offset, symtab.size);
  copy(strAt, strtab.offset, strtab.size);
  return out;
}
