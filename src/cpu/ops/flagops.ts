// Flag instructions: CLC STC CMC CLD STD, LAHF SAHF, PUSHF POPF.
// CLI/STI live with the system instructions (they are IOPL-sensitive).
//
// POPF in protected mode (SDM, POPF operation, VM = 0):
//   - bit 1 reads as one, reserved bits (3, 5, 15, 22-31) stay clear;
//   - VM, VIP and VIF are never changed; RF is cleared by the 32-bit form
//     (the 16-bit form does not reach it);
//   - IOPL changes only at CPL 0; IF changes only when CPL <= IOPL, and
//     otherwise keeps its value without a fault;
//   - AC and ID are writable (so CPUID is detected through ID, AC tells a 486+).
// Real mode (CR0.PE = 0) behaves as CPL 0. Virtual-8086 mode is not modelled.
// PUSHF pushes EFLAGS with VM and RF cleared (the 16-bit form pushes the low word).
import { R } from '../../shared/layout';
import { push16, push32, pop16, pop32 } from '../access';
import type { Cpu } from '../cpu';
import {
  AC, AF, CF, CR0_PE, DF, FLAGS_FIXED, ID, IF, IOPL, NT, OF, PF, RF, SF, TF, VM, ZF,
} from '../defs';
import { getCF, getEflags, setArith } from '../flags';
import type { Handler, OpRow } from '../table';

/** EFLAGS bits POPF can write at all (before the CPL/IOPL rules). */
const POPF_BITS = CF | PF | AF | ZF | SF | TF | IF | DF | OF | IOPL | NT | AC | ID;

/** Install popped flags `v`, of which only the bits in `size` (0xffff or -1) are popped. */
function popFlags(c: Cpu, v: number, size: number): void {
  const r = c.r, old = getEflags(r);
  const cpl = r[R.CR0] & CR0_PE ? r[R.CPL] : 0;
  let writable = POPF_BITS & size;
  if (cpl > 0) writable &= ~IOPL;
  if (cpl > ((old & IOPL) >> 12)) writable &= ~IF;
  let f = (old & ~writable) | (v & writable);
  if (size === -1) f &= ~RF;
  r[R.EFLAGS] = f | FLAGS_FIXED;
  r[R.LF_OP] = 0;
}

const popf: Handler = (c) => {
  const v = pop32(c); if (c.fault) return;
  popFlags(c, v, -1);
};
const popf16: Handler = (c) => {
  const v = pop16(c); if (c.fault) return;
  popFlags(c, v, 0xffff);
};
const pushf: Handler = (c) => push32(c, getEflags(c.r) & ~(VM | RF));
const pushf16: Handler = (c) => push16(c, getEflags(c.r));

// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. SAHF: those five flags from AH.
const LAHF_BITS = SF | ZF | AF | PF | CF;
const lahf: Handler = (c) => { c.r8[1] = (getEflags(c.r) & LAHF_BITS) | FLAGS_FIXED; };
const sahf: Handler = (c) => setArith(c.r, LAHF_BITS, c.r8[1]);

export const rows: OpRow[] = [
  { op: 0xf8, name: 'clc', h: (c) => setArith(c.r, CF, 0) },
  { op: 0xf9, name: 'stc', h: (c) => setArith(c.r, CF, CF) },
  { op: 0xf5, name: 'cmc', h: (c) => setArith(c.r, CF, getCF(c.r) ^ 1) },
  { op: 0xfc, name: 'cld', h: (c) => { c.r[R.EFLAGS] &= ~DF; } },
  { op: 0xfd, name: 'std', h: (c) => { c.r[R.EFLAGS] |= DF; } },
  { op: 0x9f, name: 'lahf', h: lahf },
  { op: 0x9e, name: 'sahf', h: sahf },
  { op: 0x9c, name: 'pushf', h: pushf, h16: pushf16 },
  // POPF can set TF (a single-step trap) and AC (alignment checks under
  // CR0.AM, which Linux sets): random operands would trap the native side of
  // the differential test, so it is checked by the unit tests instead.
  { op: 0x9d, name: 'popf', h: popf, h16: popf16, ends: true, diff: 'skip' },
];
