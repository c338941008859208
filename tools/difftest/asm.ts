// A tiny assembler for generated sequences: instructions as byte lists with
// label references (rel8, rel32, abs32), laid out once all are known.
import { CODE } from './layout.ts';

export interface Fix {
  /** Byte offset in the instruction. */
  at: number;
  kind: 'rel8' | 'rel32' | 'abs32';
  label: number;
}

export interface Insn {
  bytes: number[];
  fix: Fix[];
  /** Form key (rows.ts formKey) or null for the final INT3. */
  form: string | null;
  text: string;
  /** Inserted by the generator to set up operands (still compared like any other). */
  fixup: boolean;
  /** EFLAGS bits undefined before this instruction runs (the mask if it faults or is where a trap stops). */
  undefBefore: number;
  /** Registers whose value is undefined before this instruction runs. */
  undefRegsBefore: number;
}

export interface Placed {
  off: number;
  len: number;
  form: string | null;
  text: string;
  fixup: boolean;
  undefBefore: number;
  undefRegsBefore: number;
}

export class Asm {
  readonly insns: Insn[] = [];
  private readonly labelAt = new Map<number, number>();
  private nextLabel = 0;

  newLabel(): number {
    return this.nextLabel++;
  }

  /** Bind a label to the next instruction emitted. */
  place(label: number): void {
    this.labelAt.set(label, this.insns.length);
  }

  emit(insn: Insn): void {
    this.insns.push(insn);
  }

  /** Lay out and resolve labels. Returns null when a rel8 is out of range. */
  layout(base = CODE): { code: Uint8Array; placed: Placed[] } | null {
    const offs: number[] = [];
    let off = 0;
    for (const ins of this.insns) { offs.push(off); off += ins.bytes.length; }
    offs.push(off);
    const code = new Uint8Array(off);
    const placed: Placed[] = [];
    for (let k = 0; k < this.insns.length; k++) {
      const ins = this.insns[k], b = ins.bytes.slice();
      const end = offs[k] + b.length;
      for (const f of ins.fix) {
        const at = this.labelAt.get(f.label);
        if (at === undefined) throw new Error(`difftest: unplaced label ${f.label}`);
        const target = offs[at];
        if (f.kind === 'rel8') {
          const d = target - end;
          if (d < -128 || d > 127) return null;
          b[f.at] = d & 0xff;
        } else {
          const v = f.kind === 'rel32' ? target - end : base + target;
          put32(b, f.at, v);
        }
      }
      code.set(b, offs[k]);
      placed.push({ off: offs[k], len: b.length, form: ins.form, text: ins.text, fixup: ins.fixup, undefBefore: ins.undefBefore, undefRegsBefore: ins.undefRegsBefore });
    }
    return { code, placed };
  }
}

export function put32(b: number[], at: number, v: number): void {
  b[at] = v & 0xff; b[at + 1] = (v >>> 8) & 0xff; b[at + 2] = (v >>> 16) & 0xff; b[at + 3] = (v >>> 24) & 0xff;
}

export function le(v: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((v >>> (8 * i)) & 0xff);
  return out;
}

export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
export const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
export const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
export const SEG_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}
