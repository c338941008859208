// Grant-table entries as the guest wrote them, read straight from its grant frames in machine
// memory (DESIGN.md, principle 3). Version 1 entries are 8 bytes, 512 to a frame:
//   u16 flags (GTF_*), u16 domid (who may use it), u32 frame (the granted frame number).
// Flags hold the grant type in bits 0-1 (0 = unused), GTF_readonly from the granter, and
// GTF_reading / GTF_writing that the hypervisor sets while someone has the page mapped.
// The guest may rewrite an entry at any moment; a reader sees each entry as one 64-bit
// snapshot of two 32-bit words, which is all the UI needs.
import { GNTMAP, GTF, PAGE_SIZE } from '../../../abi/xen';

export const GRANT_ENTRY_BYTES = 8;
export const ENTRIES_PER_FRAME = PAGE_SIZE / GRANT_ENTRY_BYTES;

export interface GrantEntry {
  ref: number;
  /** Raw GTF_* flags. */
  flags: number;
  /** The domain the grant is for. */
  domid: number;
  /** The granted frame (a machine frame for a PV guest). */
  frame: number;
}

/**
 * Every entry in use (grant type not GTF_invalid) of the table in `frames`, lowest ref first.
 * Frames outside RAM are skipped (the worker's list may be a moment older than memory).
 */
export function readGrantEntries(buffer: ArrayBufferLike, ramBytes: number, frames: readonly number[]): GrantEntry[] {
  const out: GrantEntry[] = [];
  const limit = Math.min(ramBytes, buffer.byteLength);
  frames.forEach((mfn, f) => {
    if (!Number.isInteger(mfn) || mfn < 0 || (mfn + 1) * PAGE_SIZE > limit) return;
    const words = new Int32Array(buffer, mfn * PAGE_SIZE, PAGE_SIZE >>> 2);
    for (let i = 0; i < ENTRIES_PER_FRAME; i++) {
      const head = Atomics.load(words, i * 2);
      // Little-endian: flags are the low half of the first word, domid the high half.
      const flags = head & 0xffff;
      if ((flags & GTF.type_mask) === GTF.invalid) continue;
      out.push({ ref: f * ENTRIES_PER_FRAME + i, flags, domid: head >>> 16, frame: Atomics.load(words, i * 2 + 1) >>> 0 });
    }
  });
  return out;
}

/** Whether two reads of a table are the same (so a view need not re-render). */
export function sameEntries(a: readonly GrantEntry[], b: readonly GrantEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.ref !== y.ref || x.flags !== y.flags || x.domid !== y.domid || x.frame !== y.frame) return false;
  }
  return true;
}

const GTF_TYPES = ['invalid', 'permit_access', 'accept_transfer', 'transitive'] as const;

/** A grant's flags, decoded: its type and the GTF_ bits that are set. */
export interface DecodedGrantFlags {
  type: (typeof GTF_TYPES)[number];
  readonly: boolean;
  /** The hypervisor has the page mapped for reading / for writing on the grantee's behalf. */
  reading: boolean;
  writing: boolean;
  /** Other bits (cache attributes, sub_page) by their GTF_ name. */
  other: string[];
}

const OTHER_BITS: readonly [number, string][] = [
  [GTF.PWT, 'PWT'], [GTF.PCD, 'PCD'], [GTF.PAT, 'PAT'], [GTF.sub_page, 'sub_page'],
];

export function decodeGrantFlags(flags: number): DecodedGrantFlags {
  return {
    type: GTF_TYPES[flags & GTF.type_mask]!,
    readonly: (flags & GTF.readonly) !== 0,
    reading: (flags & GTF.reading) !== 0,
    writing: (flags & GTF.writing) !== 0,
    other: OTHER_BITS.filter(([bit]) => flags & bit).map(([, name]) => name),
  };
}

/** The flags as Xen's names, e.g. "permit_access|readonly|reading". */
export function grantFlagsText(flags: number): string {
  const d = decodeGrantFlags(flags);
  return [d.type, d.readonly && 'readonly', d.reading && 'reading', d.writing && 'writing', ...d.other]
    .filter(Boolean)
    .join('|');
}

const GNTMAP_BITS: readonly [number, string][] = [
  [GNTMAP.host_map, 'host_map'], [GNTMAP.device_map, 'device_map'], [GNTMAP.readonly, 'readonly'],
  [GNTMAP.application_map, 'application_map'], [GNTMAP.contains_pte, 'contains_pte'],
];

/** A mapping's GNTMAP_* flags by name, e.g. "host_map|readonly". */
export function mapFlagsText(flags: number): string {
  const names = GNTMAP_BITS.filter(([bit]) => flags & bit).map(([, name]) => name);
  return names.length ? names.join('|') : '0';
}
