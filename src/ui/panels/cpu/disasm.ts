// Disassembly around EIP with iced-x86. Forward from EIP is exact; backward is a
// guess, since x86 code cannot be decoded backwards: every start point up to
// MAX_BACK bytes before EIP is decoded forward, those that land exactly on EIP
// with valid instructions are kept, and the instructions shown are the ones most
// of those decodings agree on, nearest EIP first (decodings of x86 resynchronise
// within a few instructions, so the consensus is almost always the real code).
import type * as IcedModule from 'iced-x86';
import { readLinear, type Paging, type Ram } from '../../../shared/guestPaging';

export type Iced = typeof IcedModule;
type Formatter = InstanceType<Iced['Formatter']>;

/** How far back a decoding may start. */
export const MAX_BACK = 48;
export interface DisasmLine {
  /** Address in EIP's terms (CS-relative). */
  address: number;
  length: number;
  bytes: string;
  text: string;
  /** Before EIP (a guess), at EIP, or after. */
  at: 'before' | 'current' | 'after';
  invalid: boolean;
}

/** Code bytes around EIP: `bytes[0]` is at EIP - `back` (fewer bytes back when that memory is not mapped). */
export interface CodeWindow {
  bytes: Uint8Array;
  /** EIP's offset in `bytes`. */
  back: number;
  eip: number;
  /** The bytes end because the next page is not mapped (rather than the window's end). */
  cutShort: boolean;
}

/** Read the code around `eip` through a vcpu's tables: `back` bytes before (when mapped) and `ahead` from EIP. */
export function readCodeWindow(ram: Ram, p: Paging, csBase: number, eip: number, back: number, ahead: number): CodeWindow {
  const lin = (csBase + eip) >>> 0;
  const buf = new Uint8Array(back + ahead);
  // Start as far back as asked, else at EIP's own page, else at EIP.
  for (const from of [back, Math.min(back, lin & 0xfff), 0]) {
    const view = buf.subarray(back - from);
    const n = readLinear(ram, p, (lin - from) >>> 0, view);
    if (n > from) return { bytes: view.subarray(0, n), back: from, eip: eip >>> 0, cutShort: n < view.length };
  }
  return { bytes: new Uint8Array(0), back: 0, eip: eip >>> 0, cutShort: true };
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export class Disassembler {
  private readonly iced: Iced;
  private readonly fmt: Formatter;
  private readonly insn: InstanceType<Iced['Instruction']>;

  constructor(iced: Iced, syntax: 'att' | 'intel') {
    this.iced = iced;
    this.fmt = new iced.Formatter(syntax === 'att' ? iced.FormatterSyntax.Gas : iced.FormatterSyntax.Intel);
    // Numbers as objdump and gdb print them, in both syntaxes: 0x-prefixed hex, lower case.
    this.fmt.uppercaseHex = false;
    this.fmt.smallHexNumbersInDecimal = false;
    this.fmt.hexPrefix = '0x';
    this.fmt.hexSuffix = '';
    this.fmt.spaceAfterOperandSeparator = syntax === 'intel';
    this.insn = new iced.Instruction();
  }

  /** Free the wasm objects. */
  dispose(): void {
    this.fmt.free();
    this.insn.free();
  }

  /** Up to `before` instructions before EIP (when a consensus exists), the one at EIP and up to `after` - 1 more. */
  around(w: CodeWindow, before: number, after: number): DisasmLine[] {
    const lines = this.backward(w, before);
    const ahead = this.decode(w, w.back, w.bytes.length, after, 'after');
    if (ahead.length > 0) ahead[0].at = 'current';
    return lines.concat(ahead);
  }

  /** Decode `bytes[from, to)` as instructions at `eip - back + from`: at most `max`. */
  private decode(w: CodeWindow, from: number, to: number, max: number, at: DisasmLine['at']): DisasmLine[] {
    const { Decoder, DecoderError, DecoderOptions } = this.iced;
    const data = w.bytes.subarray(from, to);
    const d = new Decoder(32, data, DecoderOptions.None);
    const base = (w.eip - w.back + from) >>> 0;
    d.ip = BigInt(base);
    const out: DisasmLine[] = [];
    try {
      while (out.length < max && d.canDecode) {
        const pos = d.position;
        d.decodeOut(this.insn);
        // Out of bytes mid-instruction: the rest is not known, which is not invalid.
        if (d.lastError === DecoderError.NoMoreBytes) break;
        out.push({
          address: (base + pos) >>> 0,
          length: d.position - pos,
          bytes: hexBytes(data.subarray(pos, d.position)),
          text: this.insn.isInvalid ? '(bad)' : this.fmt.format(this.insn),
          at,
          invalid: this.insn.isInvalid,
        });
      }
    } finally {
      d.free();
    }
    return out;
  }

  /** The consensus of the backward decodings (see the top of the file). */
  private backward(w: CodeWindow, before: number): DisasmLine[] {
    if (before <= 0) return [];
    const runs: DisasmLine[][] = [];
    for (let start = Math.max(0, w.back - MAX_BACK); start < w.back; start++) {
      const run = this.decode(w, start, w.back, MAX_BACK, 'before');
      const last = run[run.length - 1];
      if (run.length === 0 || run.some((l) => l.invalid)) continue;
      if (((last.address + last.length) >>> 0) !== w.eip) continue;
      runs.push(run);
    }
    const picked: DisasmLine[] = [];
    let alive = runs;
    for (let k = 1; k <= before; k++) {
      const votes = new Map<number, number>();
      for (const run of alive) {
        const l = run[run.length - k];
        if (l) votes.set(l.address, (votes.get(l.address) ?? 0) + 1);
      }
      if (votes.size === 0) break;
      // Most votes; on a tie, the longer instruction (the earlier address).
      const [address] = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
      alive = alive.filter((run) => run[run.length - k]?.address === address);
      picked.unshift(alive[0][alive[0].length - k]);
    }
    return picked;
  }
}
