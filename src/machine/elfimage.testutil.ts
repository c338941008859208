// Test helper: build small ELF32 i386 images with chosen Xen notes, segments and
// sections, so the loader's tests can state exactly what an image contains.
// File layout: ELF header | program headers | note bytes | segment bytes |
// __xen_guest bytes | section name table | section headers.
import { XEN_ELFNOTE } from '../abi/xen';

export interface NoteSpec {
  type: number;
  /** string: NUL-terminated; number: 4 bytes LE; bigint: 8 bytes LE; bytes: as given. */
  desc: string | number | bigint | Uint8Array;
  /** Note name; "Xen" unless given. */
  name?: string;
}

export interface SegmentSpec {
  paddr: number;
  filesz: number;
  memsz: number;
  /** p_flags; PF_R|PF_X unless given. */
  flags?: number;
  /** p_type; PT_LOAD unless given. */
  type?: number;
}

export interface ImageSpec {
  entry?: number;
  machine?: number;
  segments?: SegmentSpec[];
  notes?: NoteSpec[];
  /** Where the notes go: a PT_NOTE segment, a SHT_NOTE section, or both (default segment). */
  notesIn?: 'segment' | 'section' | 'both';
  /** Contents of a `__xen_guest` section (NUL added). */
  xenGuest?: string;
  /** Add a .symtab (this many bytes) linked to a .strtab (that many bytes). */
  symtab?: { symBytes: number; strBytes: number };
}

export const BASE = 0xc0000000;

/** Notes of a well-formed test kernel linked at 0xC0000000, paddr 0. */
export function standardNotes(over: Partial<Record<keyof typeof XEN_ELFNOTE, NoteSpec['desc'] | null>> = {}): NoteSpec[] {
  const base: Partial<Record<keyof typeof XEN_ELFNOTE, NoteSpec['desc']>> = {
    GUEST_OS: 'pvplay-test', LOADER: 'generic', XEN_VERSION: 'xen-3.0', VIRT_BASE: BASE,
    PADDR_OFFSET: 0, ENTRY: BASE, HYPERCALL_PAGE: BASE + 0x1000, PAE_MODE: 'yes',
    FEATURES: 'writable_page_tables|pae_pgdir_above_4gb',
  };
  const out: NoteSpec[] = [];
  for (const key of Object.keys(XEN_ELFNOTE) as (keyof typeof XEN_ELFNOTE)[]) {
    const v = key in over ? over[key] : base[key];
    if (v !== undefined && v !== null) out.push({ type: XEN_ELFNOTE[key], desc: v });
  }
  return out;
}

function noteBytes(notes: NoteSpec[]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number): void => { parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255); };
  const pad = (): void => { while (parts.length % 4) parts.push(0); };
  for (const n of notes) {
    const name = [...(n.name ?? 'Xen')].map((c) => c.charCodeAt(0)).concat(0);
    let desc: number[];
    if (typeof n.desc === 'string') desc = [...n.desc].map((c) => c.charCodeAt(0)).concat(0);
    else if (typeof n.desc === 'number') desc = [0, 8, 16, 24].map((s) => (n.desc as number) >>> s & 255);
    else if (typeof n.desc === 'bigint') desc = [...Array(8).keys()].map((i) => Number(((n.desc as bigint) >> BigInt(8 * i)) & 255n));
    else desc = [...n.desc];
    u32(name.length); u32(desc.length); u32(n.type);
    parts.push(...name); pad();
    parts.push(...desc); pad();
  }
  return Uint8Array.from(parts);
}

/** Build the image. */
export function buildElf(spec: ImageSpec = {}): Uint8Array {
  const segments = spec.segments ?? [{ paddr: 0, filesz: 0x2000, memsz: 0x3000 }];
  const notes = noteBytes(spec.notes ?? standardNotes());
  const where = spec.notesIn ?? 'segment';
  const noteSeg = where !== 'section' && notes.length > 0;
  const noteSec = where !== 'segment' && notes.length > 0;
  const phnum = segments.length + (noteSeg ? 1 : 0);
  const phoff = 52;
  let cursor = phoff + phnum * 32;
  const noteOff = cursor;
  cursor += notes.length;
  const segOffs = segments.map((s) => { cursor = Math.ceil(cursor / 16) * 16; const o = cursor; cursor += s.filesz; return o; });
  const guest = spec.xenGuest === undefined ? undefined : Uint8Array.from([...spec.xenGuest].map((c) => c.charCodeAt(0)).concat(0));
  const guestOff = cursor;
  cursor += guest?.length ?? 0;
  const symOff = cursor;
  cursor += spec.symtab ? spec.symtab.symBytes + spec.symtab.strBytes : 0;

  // Sections: 0 null, then the note section, __xen_guest, .symtab/.strtab, .shstrtab.
  const secs: { name: string; type: number; off: number; size: number; link: number }[] = [];
  if (noteSec) secs.push({ name: '.note.Xen', type: 7, off: noteOff, size: notes.length, link: 0 });
  if (guest) secs.push({ name: '__xen_guest', type: 1, off: guestOff, size: guest.length, link: 0 });
  if (spec.symtab) {
    secs.push({ name: '.symtab', type: 2, off: symOff, size: spec.symtab.symBytes, link: secs.length + 2 });
    secs.push({ name: '.strtab', type: 3, off: symOff + spec.symtab.symBytes, size: spec.symtab.strBytes, link: 0 });
  }
  const names = ['', ...secs.map((s) => s.name), '.shstrtab'];
  const nameOffs: number[] = [];
  let strtab = '';
  for (const n of names) { nameOffs.push(strtab.length); strtab += n + '\0'; }
  const shstrOff = cursor;
  cursor += strtab.length;
  secs.push({ name: '.shstrtab', type: 3, off: shstrOff, size: strtab.length, link: 0 });
  cursor = Math.ceil(cursor / 4) * 4;
  const shoff = cursor;
  const shnum = secs.length + 1;
  cursor += shnum * 40;

  const out = new Uint8Array(cursor);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, spec.machine ?? 3, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, spec.entry ?? BASE, true);
  dv.setUint32(28, phoff, true);
  dv.setUint32(32, shoff, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, phnum, true);
  dv.setUint16(46, 40, true);
  dv.setUint16(48, shnum, true);
  dv.setUint16(50, shnum - 1, true);
  let ph = phoff;
  const phdr = (type: number, off: number, paddr: number, filesz: number, memsz: number, flags: number): void => {
    dv.setUint32(ph, type, true); dv.setUint32(ph + 4, off, true); dv.setUint32(ph + 8, paddr + BASE, true);
    dv.setUint32(ph + 12, paddr, true); dv.setUint32(ph + 16, filesz, true); dv.setUint32(ph + 20, memsz, true);
    dv.setUint32(ph + 24, flags, true); dv.setUint32(ph + 28, 4, true);
    ph += 32;
  };
  segments.forEach((s, i) => {
    phdr(s.type ?? 1, segOffs[i], s.paddr, s.filesz, s.memsz, s.flags ?? 5);
    for (let j = 0; j < s.filesz; j++) out[segOffs[i] + j] = (j * 7 + i) & 255;
  });
  if (noteSeg) phdr(4, noteOff, 0, notes.length, 0, 4);
  out.set(notes, noteOff);
  if (guest) out.set(guest, guestOff);
  // Symbol and string table bytes: distinct non-zero patterns, so copies can be told apart.
  if (spec.symtab) {
    for (let j = 0; j < spec.symtab.symBytes; j++) out[symOff + j] = 1 + (j * 3) % 251;
    for (let j = 0; j < spec.symtab.strBytes; j++) out[symOff + spec.symtab.symBytes + j] = 0x80 | (j * 5) & 0x7f;
  }
  out.set([...strtab].map((c) => c.charCodeAt(0)), shstrOff);
  secs.forEach((s, i) => {
    const at = shoff + (i + 1) * 40;
    dv.setUint32(at, nameOffs[i + 1], true); dv.setUint32(at + 4, s.type, true);
    dv.setUint32(at + 16, s.off, true); dv.setUint32(at + 20, s.size, true); dv.setUint32(at + 24, s.link, true);
  });
  return out;
}
