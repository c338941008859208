// EFLAGS as a vcpu's register file holds it (layout.ts R.EFLAGS and R.LF_*): the
// bits, the encoding of the lazy arithmetic flags, and their evaluation. One
// implementation serves the CPU (src/cpu/flags.ts builds its per-flag fast paths
// on these tables) and the views that show a vcpu's flags from shared memory, so
// the two cannot disagree about what a lazy state means.
//
// Encoding: LF_OP = kind << 2 | size (K_*, S*); LF_A and LF_B hold the operands
// and LF_R the result of the last flag-setting operation, possibly unmasked. The
// flags in KIND_MASK[kind] come from those; every other bit comes from R.EFLAGS.

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200,
  DF = 0x400, OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000,
  VIF = 0x80000, VIP = 0x100000, ID = 0x200000;
/** The six arithmetic flags that may be held lazily. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bit 1 of EFLAGS always reads as one. */
export const FLAGS_FIXED = 0x2;

// Kinds. ADC and SBB are the carry-in = 1 forms; with carry-in 0 they are ADD and SUB.
export const K_NONE = 0, K_ADD = 1, K_ADC = 2, K_SUB = 3, K_SBB = 4, K_LOGIC = 5, K_INC = 6,
  K_DEC = 7, K_RES = 8;
/** Size index: 0 = 8 bits, 1 = 16 bits, 2 = 32 bits. */
export const S8 = 0, S16 = 1, S32 = 2;

/** Flags each kind holds lazily. K_RES holds only the result flags (ZF, SF, PF). */
export const KIND_MASK = new Int32Array([0, ARITH, ARITH, ARITH, ARITH, ARITH, ARITH & ~CF, ARITH & ~CF, ZF | SF | PF]);
export const SIZE_MASK = new Int32Array([0xff, 0xffff, -1]);
export const SIGN_SHIFT = new Int32Array([7, 15, 31]);

/** PF for each value of a result's low byte. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, p = 1;
  while (b) { p ^= b & 1; b >>= 1; }
  PARITY[i] = p ? PF : 0;
}

/** CF of a lazy state whose kind holds CF (0 or 1). */
export function cfOfKind(op: number, a: number, b: number, res: number): number {
  const m = SIZE_MASK[op & 3];
  a = (a & m) >>> 0; b = (b & m) >>> 0; res = (res & m) >>> 0;
  switch (op >> 2) {
    case K_ADD: return res < a ? 1 : 0;
    case K_ADC: return res <= a ? 1 : 0;
    case K_SUB: return a < b ? 1 : 0;
    case K_SBB: return a <= b ? 1 : 0;
    default: return 0;
  }
}

/** OF of a lazy state whose kind holds OF (0 or 1). */
export function ofOfKind(op: number, a: number, b: number, res: number): number {
  const sh = SIGN_SHIFT[op & 3];
  switch (op >> 2) {
    case K_ADD: case K_ADC: case K_INC: return (((a ^ res) & (b ^ res)) >>> sh) & 1;
    case K_SUB: case K_SBB: case K_DEC: return (((a ^ b) & (a ^ res)) >>> sh) & 1;
    default: return 0;
  }
}

/** CF (0 or 1) of a register file whose EFLAGS, LF_OP, LF_A, LF_B, LF_R hold these values. */
export function cfOf(ef: number, op: number, a: number, b: number, res: number): number {
  return KIND_MASK[op >> 2] & CF ? cfOfKind(op, a, b, res) : ef & CF;
}

/** The architectural EFLAGS of a register file whose EFLAGS, LF_OP, LF_A, LF_B, LF_R hold these values. */
export function eflagsOf(ef: number, op: number, a: number, b: number, res: number): number {
  const mask = KIND_MASK[op >> 2];
  let f = (ef & ~mask) | FLAGS_FIXED;
  if (mask === 0) return f;
  if (mask & CF) f |= cfOfKind(op, a, b, res);
  if (mask & PF) f |= PARITY[res & 0xff];
  if (mask & AF) f |= op >> 2 === K_LOGIC ? 0 : (a ^ b ^ res) & AF;
  if (mask & ZF) f |= (res & SIZE_MASK[op & 3]) === 0 ? ZF : 0;
  if (mask & SF) f |= ((res >>> SIGN_SHIFT[op & 3]) & 1) << 7;
  if (mask & OF) f |= ofOfKind(op, a, b, res) << 11;
  return f;
}
