// Guest image loading, step one: read an ELF32 i386 PV kernel and decide, as Xen's
// libelf and domain builder would (ABI map 1.1-1.6), whether it can boot as a
// `xen-3.0-x86_32p` domU and where it goes.
//
// Notes come from PT_NOTE segments (p_offset != 0), else SHT_NOTE sections, else
// the legacy `__xen_guest` string (elfnotes.ts). We accept what Xen accepts: LOADER
// "generic*" or GUEST_OS "linux*", XEN_VERSION "xen-3.0*", no required `dom0` or
// `auto_translated_physmap`, and then the address checks of 1.6. We refuse what
// 64-bit Xen refuses for a 32-bit domU: images without PAE (their guest type
// `xen-3.0-x86_32` is not in Xen's capabilities), and, since our machine is 32-bit,
// every ELF64 image. Stricter than Xen: malformed headers, segments or notes are an
// error, where libelf would read zeros and carry on, and so is a BSD_SYMTAB kernel
// whose symbol or string table runs past the end of the file (libelf would skip
// the copy); addresses must fit in 32 bits. With BSD_SYMTAB the kernel's end grows
// by the symbol area Xen reserves (elfsyms.ts writes it).
//
// Every rejection is an ElfError whose message names the problem; no other
// exception escapes, the work is linear in the file size, and nothing is allocated
// in proportion to numbers read from the file.
import {
  ElfError, emptyParams, hex, parseGuestInfo, scanNotes, type RawXenParams, type XenNoteRecord,
} from './elfnotes';
import { XENFEAT } from '../abi/xen';

export { ElfError, type XenNoteRecord } from './elfnotes';

/** One PT_LOAD segment: copy `filesz` bytes from `offset`, zero up to `memsz`. */
export interface ElfSegment {
  /** ELF p_paddr. */
  paddr: number;
  /** The virtual address it is loaded at: p_paddr + (VIRT_BASE - PADDR_OFFSET). */
  va: number;
  /** File offset of its bytes. */
  offset: number;
  filesz: number;
  memsz: number;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
}

/** A section the BSD symbol area copies: its header's file offset, and its bytes. */
export interface ElfSection {
  /** File offset of its 40-byte section header. */
  header: number;
  offset: number;
  size: number;
}

/**
 * The BSD symbol area (elf_parse_bsdsyms): reserved after the kernel's last byte,
 * its start rounded up to 4. elfsyms.ts lays out what goes in it.
 */
export interface BsdSymtabArea {
  va: number;
  /** Bytes reserved, by which the kernel end grew. */
  size: number;
  /** The first SHT_SYMTAB section (index >= 1) and the SHT_STRTAB its sh_link names. */
  symtab: ElfSection;
  strtab: ElfSection;
}

/** A PV kernel Xen would build as `xen-3.0-x86_32p`. All addresses are virtual. */
export interface XenImage {
  /** Always "xen-3.0-x86_32p": the string that goes into start_info.magic. */
  guestType: 'xen-3.0-x86_32p';
  /** Initial EIP: the ENTRY note, else e_entry. */
  entry: number;
  /** VA of pseudo-physical page 0 (VIRT_BASE, default 0). */
  virtBase: number;
  /** Subtracted from p_paddr to get a pseudo-physical address (PADDR_OFFSET). */
  paddrOffset: number;
  /** First byte of the kernel: lowest p_paddr + VIRT_BASE - PADDR_OFFSET. */
  virtKstart: number;
  /** End (exclusive) of the kernel: highest p_paddr + p_memsz, shifted the same; includes the BSD symbol area. */
  virtKend: number;
  /** VA of the page to fill with hypercall stubs, or undefined (no HYPERCALL_PAGE). */
  hypercallPage: number | undefined;
  /** XENFEAT bitmaps (submap 0) the kernel declared: all it can use, and those it needs (`!name`). */
  features: { supported: number; required: number };
  /** How PAE was declared: "extended-cr3" (PAE_MODE "yes"), "bimodal", or legacy "yes" (L3 below 4 GiB). */
  paeMode: 'yes' | 'extended-cr3' | 'bimodal';
  guestOs: string;
  guestVersion: string;
  loader: string;
  xenVersion: string;
  /** BSD_SYMTAB "yes": the loader appends the symbol table after the image. */
  bsdSymtab: boolean;
  /** Where that symbol area goes (inside [virtKstart, virtKend)), if the image has a symtab. */
  bsdSymtabArea: BsdSymtabArea | undefined;
  /** MOD_START_PFN non-zero: the initrd may be left unmapped and passed as a PFN. */
  modStartPfn: boolean;
  /** SUSPEND_CANCEL non-zero: the kernel supports cooperative suspend cancellation. */
  suspendCancel: boolean;
  /** Where the metadata was found. */
  notesFrom: 'segments' | 'sections' | '__xen_guest';
  segments: ElfSegment[];
  /** Every Xen note or legacy item, in file order, for display. */
  notes: XenNoteRecord[];
}

const EM_386 = 3, EM_X86_64 = 62;
const PT_LOAD = 1, PT_NOTE = 4;
const SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOTE = 7;
const PHDR_SIZE = 32, SHDR_SIZE = 40, EHDR_SIZE = 52;
const U64 = (1n << 64n) - 1n;
const FOUR_GB = 1n << 32n;

interface Shdr { index: number; header: number; name: number; type: number; offset: number; size: number; link: number }
interface Phdr { index: number; type: number; offset: number; paddr: number; filesz: number; memsz: number; flags: number }

/** Parse and check a guest kernel image. Throws ElfError for anything Xen (or we) would refuse. */
export function parseXenElf(bytes: Uint8Array): XenImage {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw e;
    // Every read below is bounds-checked first; this is only a last line of defence,
    // so that a bad image can never surface as anything but a clear ElfError.
    throw new ElfError(`malformed ELF image (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parse(bytes: Uint8Array): XenImage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  if (size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file');
  }
  if (size < 5) throw new ElfError('truncated ELF header');
  if (bytes[4] === 2) throw new ElfError('ELF class 64: pvplay boots 32-bit PAE PV kernels');
  if (bytes[4] !== 1) throw new ElfError(`unknown ELF class ${bytes[4]}: pvplay boots 32-bit PAE PV kernels`);
  if (size < EHDR_SIZE) throw new ElfError(`truncated ELF header (${size} bytes, need ${EHDR_SIZE})`);
  if (bytes[5] !== 1) throw new ElfError('big-endian ELF: pvplay boots little-endian i386 kernels');
  const machine = dv.getUint16(18, true);
  if (machine === EM_X86_64) throw new ElfError('ELF machine x86-64 in a 32-bit file: pvplay boots i386 kernels');
  if (machine !== EM_386) throw new ElfError(`ELF machine ${machine} is not i386 (EM_386): pvplay boots i386 kernels`);

  const phdrs = readPhdrs(dv, size);
  const shdrs = readShdrs(dv, size);
  const eEntry = BigInt(dv.getUint32(24, true));

  // 1.1: notes from segments, else sections, else the legacy string.
  const p = emptyParams();
  const count = { n: 0 };
  let found = 0;
  let notesFrom: XenImage['notesFrom'] = 'segments';
  for (const ph of phdrs) {
    if (ph.type !== PT_NOTE || ph.offset === 0) continue; // binutils sometimes leaves p_offset 0
    checkInFile(ph.offset, ph.filesz, size, `PT_NOTE segment ${ph.index}`);
    found += scanNotes(bytes, ph.offset, ph.offset + ph.filesz, `PT_NOTE segment ${ph.index}`, p, count);
  }
  if (found === 0) {
    notesFrom = 'sections';
    for (const sh of shdrs) {
      if (sh.index === 0 || sh.type !== SHT_NOTE) continue;
      checkInFile(sh.offset, sh.size, size, `note section ${sh.index}`);
      found += scanNotes(bytes, sh.offset, sh.offset + sh.size, `note section ${sh.index}`, p, count);
    }
  }
  if (found === 0) {
    const legacy = findSection(bytes, dv, shdrs, '__xen_guest');
    if (!legacy) throw new ElfError('no Xen notes and no __xen_guest section: not a Xen PV kernel');
    checkInFile(legacy.offset, legacy.size, size, 'the __xen_guest section');
    notesFrom = '__xen_guest';
    parseGuestInfo(bytes, legacy.offset, legacy.offset + legacy.size, p);
  }

  checkGuest(p);
  const addr = addresses(p, phdrs, shdrs, eEntry, notesFrom !== '__xen_guest', size);
  checkBuild(p);

  const segments = phdrs.filter(isLoadable).map((ph) => {
    if (ph.filesz > ph.memsz) {
      throw new ElfError(`segment ${ph.index}: file size ${hex(ph.filesz)} exceeds memory size ${hex(ph.memsz)}`);
    }
    checkInFile(ph.offset, ph.filesz, size, `segment ${ph.index}`);
    return {
      paddr: ph.paddr, va: Number((BigInt(ph.paddr) + addr.virtOffset) & U64), offset: ph.offset,
      filesz: ph.filesz, memsz: ph.memsz, flags: ph.flags,
    };
  });

  return {
    guestType: 'xen-3.0-x86_32p',
    entry: addr.entry, virtBase: addr.virtBase, paddrOffset: addr.paddrOffset,
    virtKstart: addr.kstart, virtKend: addr.kend, hypercallPage: addr.hypercall,
    features: { supported: p.featuresSupported, required: p.featuresRequired },
    paeMode: p.pae as XenImage['paeMode'],
    guestOs: p.guestOs, guestVersion: p.guestVersion, loader: p.loader, xenVersion: p.xenVersion,
    bsdSymtab: p.bsdSymtab, bsdSymtabArea: addr.bsdArea,
    modStartPfn: p.unmappedInitrd, suspendCancel: p.suspendCancel,
    notesFrom, segments, notes: p.records,
  };
}

function checkInFile(offset: number, length: number, size: number, what: string): void {
  if (offset > size || length > size - offset) {
    throw new ElfError(`${what} (file offset ${hex(offset)}, ${hex(length)} bytes) runs past the end of the file (${hex(size)} bytes)`);
  }
}

function readPhdrs(dv: DataView, size: number): Phdr[] {
  const off = dv.getUint32(28, true), entsize = dv.getUint16(42, true), num = dv.getUint16(44, true);
  if (num === 0) return [];
  if (entsize < PHDR_SIZE) throw new ElfError(`program header entry size ${entsize} is smaller than ${PHDR_SIZE}`);
  checkInFile(off, entsize * num, size, `program header table (${num} entries)`);
  const out: Phdr[] = [];
  for (let i = 0; i < num; i++) {
    const at = off + i * entsize;
    out.push({
      index: i, type: dv.getUint32(at, true), offset: dv.getUint32(at + 4, true),
      paddr: dv.getUint32(at + 12, true), filesz: dv.getUint32(at + 16, true),
      memsz: dv.getUint32(at + 20, true), flags: dv.getUint32(at + 24, true),
    });
  }
  return out;
}

function readShdrs(dv: DataView, size: number): Shdr[] {
  const off = dv.getUint32(32, true), entsize = dv.getUint16(46, true), num = dv.getUint16(48, true);
  if (num === 0) return [];
  if (entsize < SHDR_SIZE) throw new ElfError(`section header entry size ${entsize} is smaller than ${SHDR_SIZE}`);
  checkInFile(off, entsize * num, size, `section header table (${num} entries)`);
  const out: Shdr[] = [];
  for (let i = 0; i < num; i++) {
    const at = off + i * entsize;
    out.push({
      index: i, header: at, name: dv.getUint32(at, true), type: dv.getUint32(at + 4, true),
      offset: dv.getUint32(at + 16, true), size: dv.getUint32(at + 20, true), link: dv.getUint32(at + 24, true),
    });
  }
  return out;
}

/** The section (index >= 1) with this name, via e_shstrndx; undefined if none. */
function findSection(bytes: Uint8Array, dv: DataView, shdrs: Shdr[], name: string): Shdr | undefined {
  const strtab = shdrs[dv.getUint16(50, true)];
  if (!strtab) return undefined;
  for (const sh of shdrs) {
    if (sh.index === 0) continue;
    const at = strtab.offset + sh.name;
    if (at + name.length >= bytes.length) continue;
    let match = bytes[at + name.length] === 0;
    for (let i = 0; match && i < name.length; i++) match = bytes[at + i] === name.charCodeAt(i);
    if (match) return sh;
  }
  return undefined;
}

/** elf_xen_note_check: which images Xen's loader takes at all. */
function checkGuest(p: RawXenParams): void {
  if (!p.loader.startsWith('generic') && !p.guestOs.startsWith('linux')) {
    throw new ElfError(
      `GUEST_OS "${p.guestOs}" and LOADER "${p.loader}": Xen loads only images whose LOADER starts with ` +
      `"generic" or whose GUEST_OS starts with "linux"`);
  }
  if (!p.xenVersion.startsWith('xen-3.0')) {
    throw new ElfError(`XEN_VERSION "${p.xenVersion}" does not start with "xen-3.0": not built for the Xen 3.0 PV ABI`);
  }
}

/** The builder's checks after parsing (xc_dom_parse_elf_kernel, guest type, features, bootearly). */
function checkBuild(p: RawXenParams): void {
  const bit = (f: keyof typeof XENFEAT): number => 1 << XENFEAT[f];
  if (p.featuresRequired & bit('dom0')) {
    throw new ElfError('the kernel requires the dom0 feature: it cannot run as an unprivileged domain');
  }
  if (p.pae === 'no') {
    throw new ElfError(
      "PAE_MODE is not 'yes': non-PAE 32-bit guests are refused (as by 64-bit Xen, whose capabilities " +
      'are "xen-3.0-x86_64 xen-3.0-x86_32p")');
  }
  if (p.featuresRequired & bit('auto_translated_physmap')) {
    throw new ElfError('the kernel requires auto_translated_physmap: auto-translated PV guests are no longer supported (as in Xen)');
  }
}

const isLoadable = (ph: Phdr): boolean => ph.type === PT_LOAD && (ph.flags & 7) !== 0;

interface Addresses {
  virtBase: number; paddrOffset: number; virtOffset: bigint; kstart: number; kend: number; entry: number;
  hypercall: number | undefined; bsdArea: BsdSymtabArea | undefined;
}

/** elf_xen_addr_calc_check (1.6), in Xen's 64-bit arithmetic; then our 32-bit limits. */
function addresses(
  p: RawXenParams, phdrs: Phdr[], shdrs: Shdr[], eEntry: bigint, fromNotes: boolean, fileSize: number,
): Addresses {
  if (p.paddrOffset !== undefined && p.virtBase === undefined) {
    throw new ElfError('PADDR_OFFSET is set but VIRT_BASE is not');
  }
  const virtBase = p.virtBase ?? 0n;
  // Notes default PADDR_OFFSET to 0; the legacy string to VIRT_BASE (old images put
  // virtual addresses in p_paddr).
  const paddrOffset = p.paddrOffset ?? (fromNotes ? 0n : virtBase);
  const loadable = phdrs.filter(isLoadable);
  if (loadable.length === 0) throw new ElfError('no loadable (PT_LOAD) segments: nothing to boot');
  let pstart = U64, pend = 0n;
  for (const ph of loadable) {
    const lo = BigInt(ph.paddr), hi = lo + BigInt(ph.memsz);
    if (lo < pstart) pstart = lo;
    if (hi > pend) pend = hi;
  }
  const virtOffset = (virtBase - paddrOffset) & U64;
  const kstart = (pstart + virtOffset) & U64;
  let kend = (pend + virtOffset) & U64;
  const entry = p.virtEntry ?? eEntry;

  let bsdArea: Addresses['bsdArea'];
  if (p.bsdSymtab) {
    const syms = findSymtab(shdrs, fileSize);
    if (syms !== undefined) {
      const start = (pend + 3n) & ~3n;
      const area = bsdSymtabSize(syms.symtab.size, syms.strtab.size);
      kend = (start + BigInt(area) + virtOffset) & U64;
      // Past 4 GiB the kernel-end check below refuses the image.
      if (kend <= FOUR_GB) bsdArea = { va: Number((start + virtOffset) & U64), size: area, ...syms };
    }
  }

  if (kstart > kend) throw new ElfError(`kernel image ${hex(kstart)}-${hex(kend)} wraps around the address space`);
  if (entry < kstart || entry > kend) {
    throw new ElfError(`entry ${hex(entry)} is outside the kernel image ${hex(kstart)}-${hex(kend)}`);
  }
  if (virtBase > kstart) {
    throw new ElfError(`kernel image starts at ${hex(kstart)}, below VIRT_BASE ${hex(virtBase)} (check PADDR_OFFSET and p_paddr)`);
  }
  if (p.p2mBase !== undefined && p.p2mBase >= kstart && p.p2mBase < kend) {
    throw new ElfError(`INIT_P2M ${hex(p.p2mBase)} lies inside the kernel image ${hex(kstart)}-${hex(kend)}`);
  }

  const fit = (v: bigint, what: string, limit = FOUR_GB - 1n): number => {
    if (v > limit) throw new ElfError(`${what} ${hex(v)} does not fit in 32 bits: not a 32-bit kernel`);
    return Number(v);
  };
  return {
    virtBase: fit(virtBase, 'VIRT_BASE'), paddrOffset: fit(paddrOffset, 'PADDR_OFFSET'), virtOffset,
    kstart: fit(kstart, 'kernel start'), kend: fit(kend, 'kernel end', FOUR_GB), entry: fit(entry, 'entry'),
    hypercall: p.virtHypercall === undefined ? undefined : fit(p.virtHypercall, 'HYPERCALL_PAGE'), bsdArea,
  };
}

/**
 * The sections the BSD symbol area copies, found as libelf's elf_init finds them:
 * the first SHT_SYMTAB after section 0, whose sh_link must name a section other
 * than 0 (else the search stops), and that section must be SHT_STRTAB
 * (elf_parse_bsdsyms). Undefined when there is none: Xen then reserves nothing.
 * Stricter than Xen, which would skip a copy whose source lies outside the file:
 * such sections are refused.
 */
function findSymtab(shdrs: Shdr[], fileSize: number): { symtab: ElfSection; strtab: ElfSection } | undefined {
  const sym = shdrs.find((sh) => sh.index >= 1 && sh.type === SHT_SYMTAB);
  if (!sym || sym.link === 0 || sym.link >= shdrs.length) return undefined;
  const str = shdrs[sym.link];
  if (str.type !== SHT_STRTAB) return undefined;
  checkInFile(sym.offset, sym.size, fileSize, `symbol table (section ${sym.index})`);
  checkInFile(str.offset, str.size, fileSize, `string table of the symbol table (section ${str.index})`);
  const section = (sh: Shdr): ElfSection => ({ header: sh.header, offset: sh.offset, size: sh.size });
  return { symtab: section(sym), strtab: section(str) };
}

/**
 * Bytes Xen reserves for the BSD symbol area (elf_parse_bsdsyms): the size word
 * and headers counted as 192 bytes (the 4-byte word, a 64-byte header slot and
 * three 40-byte section headers), then the symtab and the strtab, each step
 * rounded up to 4. elfsyms.ts explains why this is less than what is written.
 */
export function bsdSymtabSize(symBytes: number, strBytes: number): number {
  const round4 = (n: number): number => Math.ceil(n / 4) * 4;
  return round4(round4(BSD_RESERVED_HEADERS + symBytes) + strBytes);
}

/** What elf_parse_bsdsyms counts for the size word and headers. */
export const BSD_RESERVED_HEADERS = 4 + 4 + 64 + 3 * SHDR_SIZE;
