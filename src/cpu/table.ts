// The opcode table: one row per opcode form, kept as data. It drives the
// decoder (ModRM presence and immediate sizes are read off the operand names)
// and the differential-test generator (tools/difftest), so an instruction is
// added in exactly one place: a row in the family file under ops/.
//
// Names follow the Intel/v86 operand notation: `add_Ev_Gv` = opcode, operands.
//   E  ModRM r/m (register or memory)     G  ModRM reg field (general register)
//   M  ModRM memory only (mod=3 is #UD)   R  ModRM register only
//   S  segment register in ModRM reg      C / D  control / debug register in ModRM reg
//   I  immediate                          J  relative branch target
//   A  far pointer immediate (ptr16:16/32)  O  memory offset of address size (moffs)
//   X / Y  string source DS:eSI / destination ES:eDI
// Size suffixes: b byte, w word, d dword, v word or dword by operand size,
// z word or dword by operand size (immediates), p far pointer, s 6-byte table pointer.
// Upper-case register names (AL, eAX, CL, 1) need nothing from the decoder.
import type { Cpu } from './cpu';

export type Handler = (c: Cpu, i: number) => void;

export interface OpRow {
  /** 0x00-0xff for one-byte opcodes, 0x0f00-0x0fff for 0F-prefixed ones. */
  op: number;
  /** For group opcodes: the ModRM reg field (0-7) this row handles. */
  reg?: number;
  name: string;
  /** The handler for 32-bit operand size (and for both sizes when h16 is absent). */
  h: Handler;
  /** The handler for 16-bit operand size. */
  h16?: Handler;
  /** LOCK is allowed (read-modify-write with a memory destination); otherwise LOCK raises #UD. */
  lock?: boolean;
  /** The instruction may change control flow, mode or what decoding depends on: end the block after it. */
  ends?: boolean;
  /** Flags left undefined by the manuals (EFLAGS bits), masked by the differential tests. */
  undef?: number;
  /** How the differential test treats this row: 'skip' excludes it (system, control flow out of the sequence). */
  diff?: 'skip';
}

export const IMM_NONE = 0, IMM_B = 1, IMM_W = 2, IMM_Z = 3, IMM_AP = 4, IMM_O = 5, IMM_WB = 6;

export interface DecodeInfo {
  modrm: boolean;
  imm: number;
}

/** What the decoder needs from a row, read off its operand names. */
export function decodeInfoOf(name: string): DecodeInfo {
  const parts = name.split('_').slice(1);
  let modrm = false, imm = IMM_NONE;
  for (const p of parts) {
    const k = p[0];
    if ('EGMRSCD'.includes(k) && p.length >= 1 && p !== 'CL' && p !== 'DX' && !/^[A-Z][A-Z]/.test(p)) modrm = true;
    if (k === 'I' || k === 'J') {
      const s = p.slice(1);
      const n = s === 'b' ? IMM_B : s === 'w' ? IMM_W : IMM_Z;
      imm = imm === IMM_W && n === IMM_B ? IMM_WB : n; // enter_Iw_Ib
    }
    if (k === 'A' && p === 'Ap') imm = IMM_AP;
    if (k === 'O') imm = IMM_O;
  }
  return { modrm, imm };
}
