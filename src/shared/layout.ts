// The map of shared machine memory, read by the core and by the UI (DESIGN.md,
// principle 3). Pure data: the core writes these places, the UI only reads them.
//
//   0                      RAM (machine frames), ramBytes
//   regFileOffset          one register file per vcpu, REGFILE_BYTES each
//   frameTableOffset       one FRAME_BYTES record per machine frame (see F below)
//   traceOffset            the trace ring, TRACE_BYTES (src/shared/trace.ts)
//   totalBytes             end

export const REGFILE_BYTES = 1024;

/** Int32 slots of a vcpu register file. The CPU keeps all its architectural state here. */
export const R = {
  EAX: 0, ECX: 1, EDX: 2, EBX: 3, ESP: 4, EBP: 5, ESI: 6, EDI: 7,
  EIP: 8,
  /**
   * EFLAGS, except the arithmetic flags that the lazy-flags state LF_* still holds:
   * LF_OP names the last flag-setting operation (kind << 2 | size), LF_A and LF_B
   * its operands and LF_R its result (see src/cpu/flags.ts). LF_OP 0 means none.
   */
  EFLAGS: 9,
  LF_A: 10, LF_B: 11, LF_R: 12, LF_OP: 13,
  /** Segment registers ES CS SS DS FS GS, 4 slots each: selector, base, limit, attributes. */
  SEG: 16,
  LDTR: 40, TR: 44,
  GDTR_BASE: 48, GDTR_LIMIT: 49, IDTR_BASE: 50, IDTR_LIMIT: 51,
  CR0: 52, CR2: 53, CR3: 54, CR4: 55, EFER: 56,
  DR0: 57, /* DR0..DR7 = 57..64 */
  CPL: 65,
  /** Retired-instruction count as a float64 at this slot (8-byte aligned). */
  ICOUNT_F64: 66,
  /** Added to the instruction count to give the TSC, float64. */
  TSC_OFFSET_F64: 68,
  SYSENTER_CS: 70, SYSENTER_ESP: 71, SYSENTER_EIP: 72,
  HALTED: 73,
  /** Last exit to the embedder: reason, vector, error code, extra info. */
  EXIT_REASON: 74, EXIT_VECTOR: 75, EXIT_ERROR: 76, EXIT_INFO: 77,
  /** EIP of the instruction that caused the last exit. */
  EXIT_EIP: 78,
  /** Pending external interrupt vector for native delivery, or -1. */
  PENDING_IRQ: 79,
  /** EIP just after the instruction that caused the last exit (for emulate-and-advance). */
  EXIT_NEXT_EIP: 80,
} as const;

export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;
export const SEG_SEL = 0, SEG_BASE = 1, SEG_LIMIT = 2, SEG_ATTR = 3;

export const GPR_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/**
 * The frame table: Xen's page_info, one record of Int32 slots per machine frame,
 * written by the hypervisor and read live by the UI's page-type map.
 */
export const FRAME_BYTES = 16;
export const F = {
  /** Owning domain id; FRAME_FREE when unallocated, DOMID_XEN for hypervisor frames. */
  OWNER: 0,
  /** PGT_* type in bits 0..3, PGF_* flags above. */
  TYPE: 1,
  /** How many references of the current type are held. */
  TYPE_COUNT: 2,
  /** General references (mappings, pins, CR3, grant maps...). */
  REF_COUNT: 3,
} as const;
export const FRAME_FREE = -1;
/** Page types (Xen's PGT_*). */
export const PGT_NONE = 0, PGT_L1 = 1, PGT_L2 = 2, PGT_L3 = 3, PGT_L4 = 4, PGT_SEG_DESC = 5,
  PGT_SHARED = 6, PGT_WRITABLE = 7;
export const PGT_MASK = 0xf;
/** Type flags: validated, pinned, the L2 in an L3's slot 3 (holds Xen's slots). */
export const PGF_VALIDATED = 0x100, PGF_PINNED = 0x200, PGF_PAE_XEN_L2 = 0x400;
/** Linear page-table roles (an L2 entry pointing at an L2): this table holds / is the target of such entries. */
export const PGF_LINEAR_SRC = 0x800, PGF_LINEAR_DST = 0x1000;
export const PGT_NAMES = ['none', 'l1', 'l2', 'l3', 'l4', 'seg_desc', 'shared', 'writable'] as const;

import { TRACE_BYTES } from './trace';

export interface MemoryLayout {
  ramBytes: number;
  vcpus: number;
  regFileOffset: number;
  regFileBytes: number;
  frameTableOffset: number;
  frames: number;
  traceOffset: number;
  totalBytes: number;
}

export function memoryLayout(ramBytes: number, vcpus: number): MemoryLayout {
  const regFileOffset = ramBytes;
  const frameTableOffset = regFileOffset + vcpus * REGFILE_BYTES;
  const frames = Math.ceil(ramBytes / 4096);
  // 64-byte aligned, so the ring's float64 slots are aligned whatever the frame count.
  const traceOffset = Math.ceil((frameTableOffset + frames * FRAME_BYTES) / 64) * 64;
  const totalBytes = traceOffset + TRACE_BYTES;
  return { ramBytes, vcpus, regFileOffset, regFileBytes: REGFILE_BYTES, frameTableOffset, frames, traceOffset, totalBytes };
}
