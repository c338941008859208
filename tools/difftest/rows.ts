// What the generator knows about each row of the opcode table: its operands
// (parsed from the row name, the same notation the decoder reads), and, per
// mnemonic, which flags it reads and writes, which flags the Intel SDM leaves
// undefined, which registers it writes besides its operands, and which
// generator hook builds its operands. Rows are picked up from ALL_ROWS; a
// mnemonic missing here is still generated, conservatively (see DEFAULT_SEM),
// and listed in the report.
import { ALL_ROWS } from '../../src/cpu/ops/index.ts';
import { decodeInfoOf, IMM_AP, IMM_B, IMM_NONE, IMM_O, IMM_W, IMM_WB, IMM_Z, type OpRow } from '../../src/cpu/table.ts';

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
const ALL_REGS = 0xef; // every register but ESP

export interface Operand {
  /** E G M R S C D I J A O X Y, or 'reg' (fixed register), 'sreg' (fixed segment register), 'one'. */
  kind: string;
  /** Size letter(s) after the kind: b w d v z p s q a; for 'reg' b/w/v/d. */
  size: string;
  /** Fixed register number (reg) or segment number (sreg). */
  reg: number;
  text: string;
}

export type Hook =
  | 'plain' | 'movimm' | 'push' | 'pop' | 'shift' | 'div' | 'bt' | 'bsf' | 'string' | 'xlat' | 'jcc' | 'jmp'
  | 'call' | 'ret' | 'loop' | 'jmpE' | 'callE' | 'enter' | 'leave' | 'pusha' | 'popa' | 'popf' | 'pushf'
  | 'bound' | 'cmpxchg8b' | 'int' | 'segload' | 'selector' | 'bswap' | 'far' | 'aam';

export interface Sem {
  /** Flags read. */
  rd: number;
  /** Flags written (defined or not). */
  wr: number;
  /** Flags the SDM leaves undefined; null: take the row's `undef` (mnemonics with no rule here). */
  sdm: number | null;
  /** Operands written: 'w' the first, 'r' none, 'ww' the first two. */
  dst: 'w' | 'r' | 'ww';
  /** Registers written implicitly (bit per register). */
  imp: number;
  hook: Hook;
  /** Near control transfer: no operand-size prefix (it would truncate EIP below the mapped code). */
  near?: boolean;
}

const S = (s: Partial<Sem>): Sem => ({ rd: 0, wr: 0, sdm: 0, dst: 'w', imp: 0, hook: 'plain', ...s });
const bit = (...rs: number[]): number => rs.reduce((m, r) => m | (1 << r), 0);

/** For mnemonics with no entry: read every flag (so they are only generated after a defining instruction), define none, clobber every register. */
export const DEFAULT_SEM: Sem = { rd: ARITH, wr: 0, sdm: null, dst: 'w', imp: ALL_REGS, hook: 'plain' };

/** Flags each condition code reads (the low nibble of Jcc/SETcc/CMOVcc). */
const CC_NAMES = ['o', 'no', 'b', 'nb', 'z', 'nz', 'be', 'nbe', 's', 'ns', 'p', 'np', 'l', 'nl', 'le', 'nle'];
const CC_ALIASES: Record<string, string> = {
  c: 'b', nae: 'b', nc: 'nb', ae: 'nb', e: 'z', ne: 'nz', na: 'be', a: 'nbe', pe: 'p', po: 'np',
  nge: 'l', ge: 'nl', ng: 'le', g: 'nle',
};
const CC_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];
export function ccOf(suffix: string): number {
  const s = CC_ALIASES[suffix] ?? suffix;
  return CC_NAMES.indexOf(s);
}

const LOGIC = S({ wr: ARITH, sdm: AF });
const MULS = S({ wr: ARITH, sdm: SF | ZF | AF | PF, dst: 'r', imp: bit(EAX, EDX) });
const BT = S({ wr: CF | OF | SF | AF | PF, sdm: OF | SF | AF | PF, hook: 'bt' });
const SHIFT = S({ wr: ARITH, sdm: null, hook: 'shift' });
const STR = (imp: number, wr = 0): Sem => S({ wr, imp, dst: 'r', hook: 'string' });

/** Semantics by mnemonic (string mnemonics without their size letter). */
export const SEM: Record<string, Sem> = {
  add: S({ wr: ARITH }), sub: S({ wr: ARITH }), neg: S({ wr: ARITH }), cmp: S({ wr: ARITH, dst: 'r' }),
  adc: S({ rd: CF, wr: ARITH }), sbb: S({ rd: CF, wr: ARITH }),
  and: LOGIC, or: LOGIC, xor: LOGIC, test: S({ wr: ARITH, sdm: AF, dst: 'r' }),
  inc: S({ wr: ARITH & ~CF }), dec: S({ wr: ARITH & ~CF }), not: S({}),
  xadd: S({ wr: ARITH, dst: 'ww' }), cmpxchg: S({ wr: ARITH, imp: bit(EAX) }),
  cmpxchg8b: S({ wr: ZF, dst: 'r', imp: bit(EAX, EDX), hook: 'cmpxchg8b' }),
  mov: S({ hook: 'movimm' }), lea: S({}), movzx: S({}), movsx: S({}), xchg: S({ dst: 'ww' }),
  cwde: S({ dst: 'r', imp: bit(EAX) }), cbw: S({ dst: 'r', imp: bit(EAX) }),
  cdq: S({ dst: 'r', imp: bit(EDX) }), cwd: S({ dst: 'r', imp: bit(EDX) }),
  nop: S({ dst: 'r' }), pause: S({ dst: 'r' }), wait: S({ dst: 'r' }), fwait: S({ dst: 'r' }),
  push: S({ dst: 'r', hook: 'push' }), pop: S({ hook: 'pop' }),
  pusha: S({ dst: 'r', hook: 'pusha' }), pushad: S({ dst: 'r', hook: 'pusha' }),
  popa: S({ dst: 'r', imp: ALL_REGS, hook: 'popa' }), popad: S({ dst: 'r', imp: ALL_REGS, hook: 'popa' }),
  pushf: S({ rd: ARITH, dst: 'r', hook: 'pushf' }), pushfd: S({ rd: ARITH, dst: 'r', hook: 'pushf' }),
  popf: S({ wr: ARITH, dst: 'r', hook: 'popf' }), popfd: S({ wr: ARITH, dst: 'r', hook: 'popf' }),
  enter: S({ dst: 'r', imp: bit(EBP), hook: 'enter' }), leave: S({ dst: 'r', imp: bit(EBP), hook: 'leave' }),
  jmp: S({ dst: 'r', hook: 'jmp', near: true }), call: S({ dst: 'r', hook: 'call', near: true }),
  ret: S({ dst: 'r', hook: 'ret', near: true }), retn: S({ dst: 'r', hook: 'ret', near: true }),
  loop: S({ dst: 'r', imp: bit(ECX), hook: 'loop', near: true }),
  loope: S({ rd: ZF, dst: 'r', imp: bit(ECX), hook: 'loop', near: true }),
  loopz: S({ rd: ZF, dst: 'r', imp: bit(ECX), hook: 'loop', near: true }),
  loopne: S({ rd: ZF, dst: 'r', imp: bit(ECX), hook: 'loop', near: true }),
  loopnz: S({ rd: ZF, dst: 'r', imp: bit(ECX), hook: 'loop', near: true }),
  jecxz: S({ dst: 'r', hook: 'loop', near: true }), jcxz: S({ dst: 'r', hook: 'loop', near: true }),
  rol: SHIFT, ror: SHIFT, shl: SHIFT, sal: SHIFT, shr: SHIFT, sar: SHIFT, shld: SHIFT, shrd: SHIFT,
  rcl: S({ rd: CF, wr: ARITH, sdm: null, hook: 'shift' }), rcr: S({ rd: CF, wr: ARITH, sdm: null, hook: 'shift' }),
  mul: MULS, imul: MULS,
  div: S({ wr: ARITH, sdm: ARITH, dst: 'r', imp: bit(EAX, EDX), hook: 'div' }),
  idiv: S({ wr: ARITH, sdm: ARITH, dst: 'r', imp: bit(EAX, EDX), hook: 'div' }),
  bt: { ...BT, dst: 'r' }, bts: BT, btr: BT, btc: BT,
  bsf: S({ wr: ARITH, sdm: CF | OF | SF | AF | PF, hook: 'bsf' }), bsr: S({ wr: ARITH, sdm: CF | OF | SF | AF | PF, hook: 'bsf' }),
  bswap: S({ hook: 'bswap' }),
  daa: S({ rd: AF | CF, wr: ARITH, sdm: OF, dst: 'r', imp: bit(EAX) }),
  das: S({ rd: AF | CF, wr: ARITH, sdm: OF, dst: 'r', imp: bit(EAX) }),
  aaa: S({ rd: AF, wr: ARITH, sdm: OF | SF | ZF | PF, dst: 'r', imp: bit(EAX) }),
  aas: S({ rd: AF, wr: ARITH, sdm: OF | SF | ZF | PF, dst: 'r', imp: bit(EAX) }),
  aam: S({ wr: ARITH, sdm: OF | AF | CF, dst: 'r', imp: bit(EAX), hook: 'aam' }),
  aad: S({ wr: ARITH, sdm: OF | AF | CF, dst: 'r', imp: bit(EAX) }),
  movs: STR(bit(ESI, EDI, ECX)), cmps: STR(bit(ESI, EDI, ECX), ARITH), stos: STR(bit(EDI, ECX)),
  lods: STR(bit(EAX, ESI, ECX)), scas: STR(bit(EDI, ECX), ARITH),
  ins: STR(bit(EDI, ECX)), outs: STR(bit(ESI, ECX)),
  xlat: S({ dst: 'r', imp: bit(EAX), hook: 'xlat' }), xlatb: S({ dst: 'r', imp: bit(EAX), hook: 'xlat' }),
  clc: S({ wr: CF, dst: 'r' }), stc: S({ wr: CF, dst: 'r' }), cmc: S({ rd: CF, wr: CF, dst: 'r' }),
  cld: S({ dst: 'r' }), std: S({ dst: 'r' }), cli: S({ dst: 'r' }), sti: S({ dst: 'r' }),
  lahf: S({ rd: SF | ZF | AF | PF | CF, dst: 'r', imp: bit(EAX) }),
  sahf: S({ wr: SF | ZF | AF | PF | CF, dst: 'r' }),
  salc: S({ rd: CF, dst: 'r', imp: bit(EAX) }), setalc: S({ rd: CF, dst: 'r', imp: bit(EAX) }),
  bound: S({ dst: 'r', hook: 'bound' }),
  int: S({ dst: 'r', hook: 'int' }), int3: S({ dst: 'r' }), into: S({ rd: OF, dst: 'r' }),
  int1: S({ dst: 'r' }), icebp: S({ dst: 'r' }), ud2: S({ dst: 'r' }), hlt: S({ dst: 'r' }),
  arpl: S({ wr: ZF }), lar: S({ wr: ZF, hook: 'selector' }), lsl: S({ wr: ZF, hook: 'selector' }),
  verr: S({ wr: ZF, dst: 'r', hook: 'selector' }), verw: S({ wr: ZF, dst: 'r', hook: 'selector' }),
  lds: S({ hook: 'segload' }), les: S({ hook: 'segload' }), lfs: S({ hook: 'segload' }),
  lgs: S({ hook: 'segload' }), lss: S({ hook: 'segload' }),
  callf: S({ dst: 'r', hook: 'far' }), jmpf: S({ dst: 'r', hook: 'far' }), retf: S({ dst: 'r', hook: 'far' }),
  iret: S({ dst: 'r', hook: 'far' }), iretd: S({ dst: 'r', hook: 'far' }),
  // Privileged or system instructions: at CPL 3 they fault, and the fault is what is compared.
  clts: S({ dst: 'r' }), invd: S({ dst: 'r' }), wbinvd: S({ dst: 'r' }), invlpg: S({ dst: 'r' }),
  lgdt: S({ dst: 'r' }), lidt: S({ dst: 'r' }), lldt: S({ dst: 'r' }), ltr: S({ dst: 'r' }), lmsw: S({ dst: 'r' }),
  in: S({ imp: bit(EAX) }), out: S({ dst: 'r' }), rdmsr: S({ dst: 'r', imp: bit(EAX, EDX) }), wrmsr: S({ dst: 'r' }),
};
for (let cc = 0; cc < 16; cc++) {
  const f = CC_FLAGS[cc];
  SEM[`j${CC_NAMES[cc]}`] = S({ rd: f, dst: 'r', hook: 'jcc', near: true });
  SEM[`set${CC_NAMES[cc]}`] = S({ rd: f });
  SEM[`cmov${CC_NAMES[cc]}`] = S({ rd: f });
}
for (const [a, s] of Object.entries(CC_ALIASES)) {
  SEM[`j${a}`] = SEM[`j${s}`]; SEM[`set${a}`] = SEM[`set${s}`]; SEM[`cmov${a}`] = SEM[`cmov${s}`];
}

/**
 * Rows the differential test cannot compare on Linux although they run at CPL 3,
 * because the environment, not the processor, decides the result. Each has its
 * reason; nothing is listed here because the emulator gets it wrong.
 */
export const ENV_EXCLUDED: Record<string, string> = {
  cpuid: 'the host (and its hypervisor) chooses what CPUID reports',
  rdtsc: 'the time-stamp counter differs run to run', rdtscp: 'the time-stamp counter differs run to run',
  rdpmc: 'performance counters differ run to run',
  sgdt: 'Linux emulates UMIP-protected instructions for 32-bit processes with made-up values',
  sidt: 'Linux emulates UMIP-protected instructions for 32-bit processes with made-up values',
  sldt: 'Linux emulates UMIP-protected instructions for 32-bit processes with made-up values',
  str: 'Linux emulates UMIP-protected instructions for 32-bit processes with made-up values',
  smsw: 'Linux emulates UMIP-protected instructions for 32-bit processes with made-up values',
  sysenter: 'SYSENTER/SYSCALL from a 32-bit process enter the Linux kernel',
  syscall: 'SYSENTER/SYSCALL from a 32-bit process enter the Linux kernel',
  sysexit: 'privileged; AMD processors raise #UD for it in compatibility mode, Intel #GP',
  sysret: 'privileged; behaviour differs in compatibility mode',
};

export interface RowInfo {
  row: OpRow;
  name: string;
  mn: string;
  ops: Operand[];
  sem: Sem;
  /** The mnemonic has no entry in SEM (generated conservatively). */
  unknown: boolean;
  modrm: boolean;
  /** Immediate kind (table.ts IMM_*). */
  imm: number;
  /** The r/m operand (E/M/R) index in ops, or -1. */
  rm: number;
  /** Allowed r/m modes: register, memory. */
  regOk: boolean;
  memOk: boolean;
  /** Has a distinct 16-bit operand-size form. */
  sized: boolean;
  /** Why the generator leaves this row out, or null. */
  excluded: string | null;
}

const R8_NAMES = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];
const R16_NAMES = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];
const RV_NAMES = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const R32_NAMES = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];
const SREG_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

export function parseOperand(t: string): Operand {
  let n = R8_NAMES.indexOf(t);
  if (n >= 0) return { kind: 'reg', size: 'b', reg: n, text: t };
  if ((n = R16_NAMES.indexOf(t)) >= 0) return { kind: 'reg', size: 'w', reg: n, text: t };
  if ((n = RV_NAMES.indexOf(t)) >= 0) return { kind: 'reg', size: 'v', reg: n, text: t };
  if ((n = R32_NAMES.indexOf(t)) >= 0) return { kind: 'reg', size: 'd', reg: n, text: t };
  if ((n = SREG_NAMES.indexOf(t)) >= 0) return { kind: 'sreg', size: 'w', reg: n, text: t };
  if (t === '1') return { kind: 'one', size: 'b', reg: -1, text: t };
  if (/^[EGMRSCDIJAOXY][a-z]*$/.test(t)) return { kind: t[0], size: t.slice(1), reg: -1, text: t };
  return { kind: '?', size: '', reg: -1, text: t };
}

/** The mnemonic of a row name: strings lose their size letter (movsb -> movs). */
export function mnemonicOf(name: string): string {
  const mn = name.split('_')[0];
  const m = /^(movs|cmps|stos|lods|scas|ins|outs)[bwdv]$/.exec(mn);
  return m ? m[1] : mn;
}

/** Bytes of an operand of size letter s at operand size o16. */
export function sizeBytes(s: string, o16: boolean): number {
  switch (s) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': case 'z': return o16 ? 2 : 4;
    case 'a': return o16 ? 4 : 8;
    case 'p': return o16 ? 4 : 6;
    case 's': return 6;
    default: return o16 ? 2 : 4;
  }
}

export function immBytes(kind: number, o16: boolean): number {
  switch (kind) {
    case IMM_NONE: return 0;
    case IMM_B: return 1;
    case IMM_W: return 2;
    case IMM_Z: return o16 ? 2 : 4;
    case IMM_AP: return o16 ? 4 : 6;
    case IMM_O: return 4;
    case IMM_WB: return 3;
    default: return 0;
  }
}

export function rowInfo(row: OpRow, includeSkipped = false): RowInfo {
  const name = row.name;
  const mn = mnemonicOf(name);
  const ops = name.split('_').slice(1).map(parseOperand);
  const known = Object.prototype.hasOwnProperty.call(SEM, mn);
  let sem = known ? SEM[mn] : DEFAULT_SEM;
  // Far JMP/CALL (ptr16:16/32 immediate or m16:16/32) share their mnemonic with the near ones.
  if ((mn === 'jmp' || mn === 'call') && ops.some((o) => o.kind === 'A' || o.size === 'p')) sem = SEM.jmpf;
  // IMUL with a register destination (0F AF, 69, 6B) writes it and not EDX.
  if (mn === 'imul' && ops[0]?.kind === 'G') sem = { ...sem, dst: 'w', imp: 0 };
  const info = decodeInfoOf(name);
  const modrm = info.modrm || row.reg !== undefined;
  const rm = ops.findIndex((o) => o.kind === 'E' || o.kind === 'M' || o.kind === 'R');
  const rmKind = rm >= 0 ? ops[rm].kind : '';
  const sized = row.h16 !== undefined || ops.some((o) => /[vza]/.test(o.size) || (o.kind === 'reg' && o.size === 'v'));
  let excluded: string | null = null;
  if (row.diff === 'skip' && !includeSkipped) excluded = "marked diff: 'skip'";
  else if (ENV_EXCLUDED[mn]) excluded = ENV_EXCLUDED[mn];
  else if (sem.hook === 'far') excluded = 'far transfers leave the sequence (no model in the generator)';
  else if (ops.some((o) => o.kind === '?')) excluded = `operand notation not understood: ${name}`;
  return {
    row, name, mn, ops, sem, unknown: !known, modrm, imm: info.imm, rm,
    regOk: modrm && (rmKind === 'E' || rmKind === 'R' || rm < 0),
    memOk: modrm && (rmKind === 'E' || rmKind === 'M'),
    sized, excluded,
  };
}

/** A form: one row at one operand size with a register or memory r/m operand. */
export interface Form {
  ri: RowInfo;
  o16: boolean;
  mem: boolean;
  key: string;
}

export function formKey(ri: RowInfo, o16: boolean, mem: boolean): string {
  let k = ri.name;
  if (ri.sized) k += o16 ? '@16' : '@32';
  if (ri.modrm && ri.regOk && ri.memOk) k += mem ? '/m' : '/r';
  return k;
}

/** Every form the generator is asked to cover for a row. */
export function formsOf(ri: RowInfo): Form[] {
  const sizes = ri.sized ? (ri.sem.near || ri.sem.hook === 'bswap' ? [false] : [false, true]) : [false];
  const modes = ri.modrm && ri.regOk && ri.memOk ? [false, true] : [ri.modrm && ri.memOk && !ri.regOk];
  const out: Form[] = [];
  for (const o16 of sizes) for (const mem of modes) out.push({ ri, o16, mem, key: formKey(ri, o16, mem) });
  return out;
}

export interface RowTable {
  infos: RowInfo[];
  forms: Form[];
  excluded: RowInfo[];
  byName: Map<string, RowInfo>;
}

/** The rows to generate; `includeSkipped` (diagnostics only) also takes rows marked diff: 'skip'. */
export function rowTable(rows: readonly OpRow[] = ALL_ROWS, includeSkipped = false, filter?: RegExp): RowTable {
  const infos: RowInfo[] = [], excluded: RowInfo[] = [], forms: Form[] = [];
  const byName = new Map<string, RowInfo>();
  const seenForm = new Set<string>();
  for (const row of rows) {
    const ri = rowInfo(row, includeSkipped);
    if (!byName.has(ri.name)) byName.set(ri.name, ri);
    if (ri.excluded) { excluded.push(ri); continue; }
    if (filter && !filter.test(ri.name)) continue;
    infos.push(ri);
    for (const f of formsOf(ri)) {
      // Group rows that share a name (test_Eb_Ib for /0 and /1) are distinct encodings; keep both.
      const key = seenForm.has(f.key) ? `${f.key}#${ri.row.reg}` : f.key;
      seenForm.add(key);
      forms.push({ ...f, key });
    }
  }
  return { infos, forms, excluded, byName };
}

export { IMM_AP, IMM_B, IMM_NONE, IMM_O, IMM_W, IMM_WB, IMM_Z };
