// A vcpu's registers as the CPU panel shows them, read from its register file in
// shared memory (layout.ts R): a snapshot of the fields it compares between
// pauses, and the decodings of EFLAGS, CR0, CR4, selectors, ring and mode. EFLAGS'
// arithmetic flags may still be lazy; src/shared/eflags.ts evaluates them exactly
// as the CPU does (it is the CPU's own code).
import { FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS } from '../../../abi/xen';
import { eflagsOf } from '../../../shared/eflags';
import { GPR_NAMES, R, SEG_ATTR, SEG_BASE, SEG_CS, SEG_LIMIT, SEG_NAMES, SEG_SEL } from '../../../shared/layout';

/** The fields a snapshot holds, in order. */
export const REG_NAMES = [...GPR_NAMES, 'eip', 'eflags', ...SEG_NAMES, 'cr0', 'cr2', 'cr3', 'cr4', 'cpl'] as const;
export type RegName = (typeof REG_NAMES)[number];
export const REG_COUNT = REG_NAMES.length;
/** Index of a field in a snapshot. */
export const REG_INDEX = Object.fromEntries(REG_NAMES.map((n, i) => [n, i])) as Record<RegName, number>;

/** The architectural EFLAGS of register file `r`, lazy flags evaluated. */
export function eflagsOfRegs(r: Int32Array): number {
  return eflagsOf(r[R.EFLAGS], r[R.LF_OP], r[R.LF_A], r[R.LF_B], r[R.LF_R]);
}

/** Instructions the vcpu has retired: a float64 over two slots of its register file. */
export function retiredOf(r: Int32Array): number {
  return new Float64Array(r.buffer, r.byteOffset + R.ICOUNT_F64 * 4, 1)[0];
}

/** Fill `out` (REG_COUNT slots) with the fields of register file `r`. */
export function readRegisters(r: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 8; i++) out[i] = r[i];
  out[REG_INDEX.eip] = r[R.EIP];
  out[REG_INDEX.eflags] = eflagsOfRegs(r);
  for (let s = 0; s < 6; s++) out[REG_INDEX.es + s] = r[R.SEG + s * 4 + SEG_SEL] & 0xffff;
  out[REG_INDEX.cr0] = r[R.CR0];
  out[REG_INDEX.cr2] = r[R.CR2];
  out[REG_INDEX.cr3] = r[R.CR3];
  out[REG_INDEX.cr4] = r[R.CR4];
  out[REG_INDEX.cpl] = r[R.CPL];
}

export interface FlagBit {
  name: string;
  set: boolean;
  about: string;
}

const EFLAGS_BITS: readonly [number, string, string][] = [
  [0, 'CF', 'carry'], [2, 'PF', 'parity'], [4, 'AF', 'auxiliary carry'], [6, 'ZF', 'zero'], [7, 'SF', 'sign'],
  [8, 'TF', 'trap (single step)'], [9, 'IF', 'interrupts enabled'], [10, 'DF', 'direction'], [11, 'OF', 'overflow'],
  [14, 'NT', 'nested task'], [16, 'RF', 'resume'], [17, 'VM', 'virtual-8086 mode'], [18, 'AC', 'alignment check'],
  [19, 'VIF', 'virtual interrupt'], [20, 'VIP', 'virtual interrupt pending'], [21, 'ID', 'CPUID available'],
];

/** Every EFLAGS bit with a name, set or not. IOPL is separate (eflagsIopl). */
export function eflagsBits(f: number): FlagBit[] {
  return EFLAGS_BITS.map(([bit, name, about]) => ({ name, about, set: ((f >>> bit) & 1) === 1 }));
}

export function eflagsIopl(f: number): number {
  return (f >>> 12) & 3;
}

const CR0_BITS: readonly [number, string][] = [
  [0, 'PE'], [1, 'MP'], [2, 'EM'], [3, 'TS'], [4, 'ET'], [5, 'NE'], [16, 'WP'], [18, 'AM'], [29, 'NW'], [30, 'CD'], [31, 'PG'],
];
const CR4_BITS: readonly [number, string][] = [
  [0, 'VME'], [1, 'PVI'], [2, 'TSD'], [3, 'DE'], [4, 'PSE'], [5, 'PAE'], [6, 'MCE'], [7, 'PGE'], [8, 'PCE'],
  [9, 'OSFXSR'], [10, 'OSXMMEXCPT'], [16, 'FSGSBASE'], [18, 'OSXSAVE'], [20, 'SMEP'], [21, 'SMAP'],
];

/** The names of the bits set in a control register. */
export function crBits(which: 'cr0' | 'cr4', v: number): string[] {
  return (which === 'cr0' ? CR0_BITS : CR4_BITS).filter(([bit]) => (v >>> bit) & 1).map(([, n]) => n);
}

/** Xen's flat selectors for PV guests (the hypervisor's reserved GDT entries). */
const FLAT: Record<number, string> = {
  [FLAT_RING1_CS]: 'FLAT_RING1_CS', [FLAT_RING1_DS]: 'FLAT_RING1_DS',
  [FLAT_RING3_CS]: 'FLAT_RING3_CS', [FLAT_RING3_DS]: 'FLAT_RING3_DS',
};

/** What a selector is: index, table and RPL, and Xen's name for it when it is one of the flat ones. */
export function describeSelector(sel: number): string {
  const parts = [`index ${(sel & 0xffff) >>> 3}`, sel & 4 ? 'LDT' : 'GDT', `RPL ${sel & 3}`];
  const flat = FLAT[sel & 0xffff];
  return flat ? `${flat}: ${parts.join(', ')}` : parts.join(', ');
}

/** A segment register's cached descriptor: base, limit, attributes. */
export function segmentCache(r: Int32Array, seg: number): { base: number; limit: number; attr: number } {
  const b = R.SEG + seg * 4;
  return { base: r[b + SEG_BASE] >>> 0, limit: r[b + SEG_LIMIT] >>> 0, attr: r[b + SEG_ATTR] };
}

/** The ring, in a PV guest's terms: its kernel runs in ring 1, its processes in ring 3. */
export function ringText(cpl: number): string {
  switch (cpl) {
    case 0: return 'ring 0 (the hypervisor’s)';
    case 1: return 'ring 1: guest kernel';
    case 2: return 'ring 2';
    default: return 'ring 3: user';
  }
}

// Segment attributes hold descriptor bits 40..55 shifted down by 8 (as the CPU
// keeps them): D/B, the default operand size of a code segment, is bit 14.
const ATTR_DB = 0x4000;

/** The processor mode: real, virtual-8086 or protected, code size, and paging. */
export function modeText(r: Int32Array): string {
  const cr0 = r[R.CR0];
  if (!(cr0 & 1)) return 'real mode';
  if (r[R.EFLAGS] & 0x20000) return 'virtual-8086 mode';
  const bits = r[R.SEG + SEG_CS * 4 + SEG_ATTR] & ATTR_DB ? '32-bit' : '16-bit';
  const paging = cr0 < 0 ? (r[R.CR4] & 0x20 ? 'PAE paging' : '2-level paging') : 'no paging';
  return `protected mode, ${bits} code, ${paging}`;
}

/** Which fields of `cur` differ from `base` (all false when there is no base). */
export function changedFields(base: Int32Array | null, cur: Int32Array): boolean[] {
  return Array.from(cur, (v, i) => base !== null && base[i] !== v);
}
