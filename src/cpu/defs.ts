// Constants shared by every part of the CPU. Plain numbers (not enums) so that
// hot code sees literals after bundling.

// EFLAGS bits: one definition with the lazy-flags encoding, which the UI reads too.
export { CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, RF, VM, AC, VIF, VIP, ID, ARITH, FLAGS_FIXED } from '../shared/eflags';

// Exception vectors.
export const DE = 0, DB = 1, NMI = 2, BP = 3, OFV = 4, BR = 5, UD = 6, NM = 7, DF_ = 8,
  TS = 10, NP = 11, SS_ = 12, GP = 13, PF_ = 14, MF = 16, AC_ = 17, MC = 18;

// CR0 / CR4 / EFER bits.
export const CR0_PE = 0x1, CR0_MP = 0x2, CR0_EM = 0x4, CR0_TS = 0x8, CR0_ET = 0x10,
  CR0_NE = 0x20, CR0_WP = 0x10000, CR0_AM = 0x40000, CR0_PG = 0x80000000 | 0;
export const CR4_VME = 0x1, CR4_PVI = 0x2, CR4_TSD = 0x4, CR4_DE = 0x8, CR4_PSE = 0x10,
  CR4_PAE = 0x20, CR4_PGE = 0x80, CR4_OSFXSR = 0x200;
export const EFER_NXE = 0x800;

// Why run() returned to the embedder (R.EXIT_REASON).
export const EXIT_NONE = 0;
/** The instruction budget ran out, on an exact instruction boundary. */
export const EXIT_LIMIT = 1;
/** An exception the embedder intercepts; EIP is the faulting instruction (or the next one for traps). */
export const EXIT_EXCEPTION = 2;
/** INT n / INT3 / INTO for an intercepted vector; EIP is the next instruction, EXIT_EIP the INT. */
export const EXIT_SOFTINT = 3;
/** HLT (intercepted, or with IF clear and nothing pending). EIP is the next instruction. */
export const EXIT_HLT = 4;
/** A privileged instruction at CPL > 0 while privileged instructions are intercepted. EIP is that instruction. */
export const EXIT_PRIV = 5;
/** IN/OUT/INS/OUTS while I/O is intercepted. EIP is that instruction; EXIT_INFO = port | size << 16 | out << 20. */
export const EXIT_IO = 6;
/** CPUID while intercepted. EIP is that instruction. */
export const EXIT_CPUID = 7;
/** RDMSR/WRMSR while intercepted. EIP is that instruction; EXIT_INFO = 0 for rdmsr, 1 for wrmsr. */
export const EXIT_MSR = 8;
/** Triple fault: the processor shuts down. */
export const EXIT_SHUTDOWN = 9;
/** RDTSC while intercepted (INT_RDTSC). EIP is that instruction; the embedder sets EDX:EAX. */
export const EXIT_RDTSC = 10;

// Intercept bits (Cpu.intercept).
export const INT_HLT = 0x1, INT_PRIV = 0x2, INT_IO = 0x4, INT_CPUID = 0x8, INT_MSR = 0x10, INT_RDTSC = 0x20;

// Decoded-instruction prefix bits (Cpu.dPfx).
export const P_O16 = 0x1, P_A16 = 0x2, P_REP = 0x4, P_REPNE = 0x8, P_LOCK = 0x10, P_SEG = 0x20;

/** Base/index register value meaning "none" in a decoded memory operand. */
export const NOREG = 8;

// Software TLB entry bits: the page-frame address is in bits 31..12.
export const TLB_VALID = 0x1, TLB_SUP_W = 0x2, TLB_USER_R = 0x4, TLB_USER_W = 0x8, TLB_X = 0x10,
  TLB_GLOBAL = 0x20;

// Access kinds passed to the slow translation path.
export const ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2;

// Segment attribute bits (descriptor bits 40..55 shifted down by 8 bits... see segments.ts).
export const ATTR_TYPE = 0xf, ATTR_ACCESSED = 0x1, ATTR_S = 0x10, ATTR_DPL = 0x60, ATTR_P = 0x80,
  ATTR_AVL = 0x1000, ATTR_L = 0x2000, ATTR_DB = 0x4000, ATTR_G = 0x8000;
