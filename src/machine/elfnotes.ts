// The Xen metadata of a guest image, read the way Xen's libelf reads it: ELF notes
// named "Xen" (1.1, 1.2 of the ABI map) or, for old kernels, the `__xen_guest`
// section string (1.3). This file turns those bytes into raw parameters; elf.ts
// decides whether the image is acceptable.
//
// Faithful to Xen: numeric notes are little-endian when descsz is 1, 2, 4 or 8
// and 0 otherwise; a later note of a type overrides an earlier one; PAE_MODE and
// BSD_SYMTAB only ever switch on; unknown note types are ignored; FEATURES is split
// on '|' in 63-byte pieces; an unknown `!feature` makes a note image invalid, but
// in the legacy string only stops the parse (Xen ignores that error there).
// Stricter than Xen: a note that runs past the end of its segment or section, or
// a string longer than 4096 bytes, is an error instead of being skipped.
import { XEN_ELFNOTE, XENFEAT } from '../abi/xen';

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

/** Xen's cap on the notes it will walk in one image (ELF_MAX_TOTAL_NOTE_COUNT). */
export const MAX_TOTAL_NOTES = 65536;
/** Xen's cap on a string read from the image (ELF_MAX_STRING_LENGTH). */
const MAX_STRING = 4096;
const U64 = (1n << 64n) - 1n;

/** One piece of Xen metadata as found in the image, for display. */
export interface XenNoteRecord {
  /** Where it came from: an ELF note, or a NAME=VALUE item of `__xen_guest`. */
  source: 'note' | '__xen_guest';
  /** The note type (XEN_ELFNOTE_*); undefined for legacy items. */
  type?: number;
  /** Note name as in elfnote.h (e.g. "ENTRY"), "unknown(N)", or the legacy NAME. */
  name: string;
  /** Strings as written; numbers in hex; anything else as hex bytes. */
  value: string;
}

/** What the notes said; undefined = not given. Addresses are 64-bit as in Xen. */
export interface RawXenParams {
  virtBase?: bigint;
  virtEntry?: bigint;
  virtHypercall?: bigint;
  paddrOffset?: bigint;
  p2mBase?: bigint;
  hvStartLow?: bigint;
  guestOs: string;
  guestVersion: string;
  loader: string;
  xenVersion: string;
  pae: 'no' | 'yes' | 'extended-cr3' | 'bimodal';
  bsdSymtab: boolean;
  suspendCancel: boolean;
  unmappedInitrd: boolean;
  featuresSupported: number;
  featuresRequired: number;
  records: XenNoteRecord[];
}

export function emptyParams(): RawXenParams {
  return {
    guestOs: '', guestVersion: '', loader: '', xenVersion: '', pae: 'no', bsdSymtab: false,
    suspendCancel: false, unmappedInitrd: false, featuresSupported: 0, featuresRequired: 0, records: [],
  };
}

type NoteKind = 'int' | 'string' | 'name';
/** The note types Xen's parser knows, and how it reads each. */
const NOTE_KINDS: ReadonlyMap<number, [string, NoteKind]> = new Map([
  [XEN_ELFNOTE.ENTRY, ['ENTRY', 'int']],
  [XEN_ELFNOTE.HYPERCALL_PAGE, ['HYPERCALL_PAGE', 'int']],
  [XEN_ELFNOTE.VIRT_BASE, ['VIRT_BASE', 'int']],
  [XEN_ELFNOTE.PADDR_OFFSET, ['PADDR_OFFSET', 'int']],
  [XEN_ELFNOTE.XEN_VERSION, ['XEN_VERSION', 'string']],
  [XEN_ELFNOTE.GUEST_OS, ['GUEST_OS', 'string']],
  [XEN_ELFNOTE.GUEST_VERSION, ['GUEST_VERSION', 'string']],
  [XEN_ELFNOTE.LOADER, ['LOADER', 'string']],
  [XEN_ELFNOTE.PAE_MODE, ['PAE_MODE', 'string']],
  [XEN_ELFNOTE.FEATURES, ['FEATURES', 'string']],
  [XEN_ELFNOTE.BSD_SYMTAB, ['BSD_SYMTAB', 'string']],
  [XEN_ELFNOTE.HV_START_LOW, ['HV_START_LOW', 'int']],
  [XEN_ELFNOTE.L1_MFN_VALID, ['L1_MFN_VALID', 'name']],
  [XEN_ELFNOTE.SUSPEND_CANCEL, ['SUSPEND_CANCEL', 'int']],
  [XEN_ELFNOTE.INIT_P2M, ['INIT_P2M', 'int']],
  [XEN_ELFNOTE.MOD_START_PFN, ['MOD_START_PFN', 'int']],
  [XEN_ELFNOTE.SUPPORTED_FEATURES, ['SUPPORTED_FEATURES', 'int']],
  [XEN_ELFNOTE.PHYS32_ENTRY, ['PHYS32_ENTRY', 'int']],
  [XEN_ELFNOTE.PHYS32_RELOC, ['PHYS32_RELOC', 'name']],
]);

/** The feature names Xen's FEATURES parser recognises (a subset of XENFEAT). */
const FEATURE_NAMES: readonly (keyof typeof XENFEAT)[] = [
  'writable_page_tables', 'writable_descriptor_tables', 'auto_translated_physmap',
  'supervisor_mode_kernel', 'pae_pgdir_above_4gb', 'hvm_callback_vector', 'dom0',
];

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

export const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** Bytes [off, off+len) as text, stopping at the first NUL. */
function cstring(bytes: Uint8Array, off: number, len: number, what: string): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = bytes[off + i];
    if (c === 0) return s;
    if (i >= MAX_STRING) throw new ElfError(`${what}: string longer than ${MAX_STRING} bytes`);
    s += String.fromCharCode(c);
  }
  return s;
}

function leUnsigned(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
  return v;
}

/**
 * Parse a FEATURES string into the two bitmaps. Returns false on an unknown
 * required (`!name`) feature, as Xen's elf_xen_parse_features does.
 */
export function parseFeatures(text: string, p: RawXenParams): boolean {
  for (let pos = 0; pos < text.length; ) {
    // Xen copies at most 63 bytes of a name; a longer one is cut and the rest
    // read as the next name.
    let len = 0, name = '';
    for (;;) {
      if (len >= 63 || pos + len >= text.length) break;
      const c = text[pos + len];
      if (c === '|') { len++; break; }
      name += c;
      len++;
    }
    pos += len;
    const required = name.startsWith('!');
    const bare = required ? name.slice(1) : name;
    const known = FEATURE_NAMES.find((f) => f === bare);
    if (known !== undefined) {
      const bit = 1 << XENFEAT[known];
      p.featuresSupported = (p.featuresSupported | bit) >>> 0;
      if (required) p.featuresRequired = (p.featuresRequired | bit) >>> 0;
    } else if (required) {
      return false;
    }
  }
  return true;
}

/**
 * Walk the notes in file bytes [start, end). Returns how many "Xen" notes were
 * found; `count` carries the running total of all notes against Xen's cap.
 */
export function scanNotes(
  bytes: Uint8Array, start: number, end: number, where: string, p: RawXenParams, count: { n: number },
): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let found = 0;
  for (let at = start; at < end; ) {
    if (++count.n > MAX_TOTAL_NOTES) {
      throw new ElfError(`more than ${MAX_TOTAL_NOTES} ELF notes: the image is broken`);
    }
    if (end - at < 12) throw new ElfError(`${where}: truncated note header at file offset ${hex(at)}`);
    const namesz = dv.getUint32(at, true), descsz = dv.getUint32(at + 4, true), type = dv.getUint32(at + 8, true);
    const nameOff = at + 12;
    const descOff = nameOff + align4(namesz);
    // The last note may omit the padding after its name or descriptor.
    if (namesz > end - nameOff || (descsz > 0 && (descOff > end || descsz > end - descOff))) {
      throw new ElfError(`${where} ends inside the note at file offset ${hex(at)}`);
    }
    const next = descOff + align4(descsz);
    if (cstring(bytes, nameOff, namesz, 'note name') === 'Xen') {
      if (!parseNote(bytes, type, descOff, descsz, p)) {
        throw new ElfError(`FEATURES note requires a feature Xen does not know: the kernel cannot run here`);
      }
      found++;
    }
    at = next;
  }
  return found;
}

/** Apply one "Xen" note; false only for an unknown required feature. */
function parseNote(bytes: Uint8Array, type: number, off: number, size: number, p: RawXenParams): boolean {
  const known = NOTE_KINDS.get(type);
  if (!known) {
    p.records.push({ source: 'note', type, name: `unknown(${type})`, value: bytesHex(bytes, off, size) });
    return true;
  }
  const [name, kind] = known;
  let str = '', val = 0n;
  if (kind === 'string') {
    str = cstring(bytes, off, size, `note ${name}`);
    p.records.push({ source: 'note', type, name, value: str });
  } else if (kind === 'int') {
    val = size === 1 || size === 2 || size === 4 || size === 8 ? leUnsigned(bytes, off, size) : 0n;
    p.records.push({ source: 'note', type, name, value: hex(val) });
  } else {
    p.records.push({ source: 'note', type, name, value: bytesHex(bytes, off, size) });
  }
  switch (type) {
    case XEN_ELFNOTE.LOADER: p.loader = str; break;
    case XEN_ELFNOTE.GUEST_OS: p.guestOs = str; break;
    case XEN_ELFNOTE.GUEST_VERSION: p.guestVersion = str; break;
    case XEN_ELFNOTE.XEN_VERSION: p.xenVersion = str; break;
    case XEN_ELFNOTE.PAE_MODE:
      if (str === 'yes') p.pae = 'extended-cr3';
      if (str.includes('bimodal')) p.pae = 'bimodal';
      break;
    case XEN_ELFNOTE.BSD_SYMTAB: if (str === 'yes') p.bsdSymtab = true; break;
    case XEN_ELFNOTE.VIRT_BASE: p.virtBase = val; break;
    case XEN_ELFNOTE.ENTRY: p.virtEntry = val; break;
    case XEN_ELFNOTE.INIT_P2M: p.p2mBase = val; break;
    case XEN_ELFNOTE.MOD_START_PFN: p.unmappedInitrd = val !== 0n; break;
    case XEN_ELFNOTE.PADDR_OFFSET: p.paddrOffset = val; break;
    case XEN_ELFNOTE.HYPERCALL_PAGE: p.virtHypercall = val; break;
    case XEN_ELFNOTE.HV_START_LOW: p.hvStartLow = val; break;
    case XEN_ELFNOTE.SUSPEND_CANCEL: p.suspendCancel = val !== 0n; break;
    case XEN_ELFNOTE.FEATURES: return parseFeatures(str, p);
    case XEN_ELFNOTE.SUPPORTED_FEATURES:
      // One 32-bit word per submap; only whole words count (elf_note_numeric_array).
      if (size >= 4 && size % 4 === 0) {
        p.featuresSupported = (p.featuresSupported | Number(leUnsigned(bytes, off, 4))) >>> 0;
      }
      break;
  }
  return true;
}

function bytesHex(bytes: Uint8Array, off: number, size: number): string {
  const shown = Math.min(size, 64);
  let s = '';
  for (let i = 0; i < shown; i++) s += bytes[off + i].toString(16).padStart(2, '0');
  return size > shown ? `${s}... (${size} bytes)` : s;
}

/** C's strtoull(text, NULL, 0): base from the prefix, stops at the first bad digit. */
export function strtoull(text: string): bigint {
  let i = 0;
  while (i < text.length && ' \t\n\v\f\r'.includes(text[i])) i++;
  let neg = false;
  if (text[i] === '+' || text[i] === '-') { neg = text[i] === '-'; i++; }
  let base = 10n;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
    base = 16n; i += 2;
  } else if (text[i] === '0') {
    base = 8n;
  }
  let v = 0n, overflow = false;
  for (; i < text.length; i++) {
    const d = parseInt(text[i], 36);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
    if (v > U64) overflow = true;
  }
  if (overflow) return U64;
  return neg ? (-v) & U64 : v;
}

/**
 * Parse the legacy `__xen_guest` string, bytes [start, end): comma-separated
 * NAME=VALUE items, names cut at 31 bytes and values at 127, as Xen does.
 */
export function parseGuestInfo(bytes: Uint8Array, start: number, end: number, p: RawXenParams): void {
  const star = (h: number): number => (h < end ? bytes[h] : 0);
  let h = start;
  while (star(h) !== 0) {
    let name = '', value = '';
    for (let len = 0; ; len++, h++) {
      if (len >= 31 || star(h) === 0) break;
      if (star(h) === 0x2c) { h++; break; }
      if (star(h) === 0x3d) {
        h++;
        for (let vlen = 0; ; vlen++, h++) {
          if (vlen >= 127 || star(h) === 0) break;
          if (star(h) === 0x2c) { h++; break; }
          value += String.fromCharCode(star(h));
        }
        break;
      }
      name += String.fromCharCode(star(h));
    }
    p.records.push({ source: '__xen_guest', name, value });
    if (!applyGuestInfo(name, value, p)) break;
  }
  // HYPERCALL_PAGE was a page number; it becomes an address once VIRT_BASE is known.
  if (p.virtBase !== undefined && p.virtHypercall !== undefined) {
    p.virtHypercall = (p.virtHypercall + p.virtBase) & U64;
  }
}

/** One legacy item; false stops the parse (an unknown required feature). */
function applyGuestInfo(name: string, value: string, p: RawXenParams): boolean {
  switch (name) {
    case 'LOADER': p.loader = value; break;
    case 'GUEST_OS': p.guestOs = value; break;
    case 'GUEST_VER': p.guestVersion = value; break;
    case 'XEN_VER': p.xenVersion = value; break;
    case 'PAE':
      if (value === 'yes[extended-cr3]') p.pae = 'extended-cr3';
      else if (value.startsWith('yes')) p.pae = 'yes';
      break;
    case 'BSD_SYMTAB': p.bsdSymtab = true; break;
    case 'VIRT_BASE': p.virtBase = strtoull(value); break;
    case 'VIRT_ENTRY': p.virtEntry = strtoull(value); break;
    case 'ELF_PADDR_OFFSET': p.paddrOffset = strtoull(value); break;
    case 'HYPERCALL_PAGE': p.virtHypercall = (strtoull(value) << 12n) & U64; break;
    case 'FEATURES': return parseFeatures(value, p);
  }
  return true;
}
