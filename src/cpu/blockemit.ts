// Specialised code for the hottest instruction forms, used by the block
// compiler in place of a handler call. Each emitter returns JavaScript for one
// instruction, or null to fall back to calling the handler.
//
// What the fast paths skip, and why that is safe:
// - Register-only forms touch nothing but registers and flags, so they cannot
//   fault and need no EIP/icount bookkeeping. They leave exactly the register
//   file the handler leaves, lazy-flag slots included (LF_A, LF_B, LF_R, LF_OP:
//   snapshots compare them), so they store what the handler's alu()/setLazy()
//   /shiftOp() would store, value for value.
// - Memory forms take the fast path only for a flat segment (c.flatR/flatW,
//   held in locals fr/fw and reloaded after every handler call, as is
//   c.ss32), a TLB entry with the permission the handler's own translation
//   asks for (a write translation for every read-modify-write, a read one
//   for CMP and TEST), and an access inside one page (4-byte aligned for dwords, so m32 can be used);
//   anything else runs the instruction's own handler, which does every check
//   and raises any fault with nothing changed. A TLB entry never gives write
//   permission to a page holding decoded code, so fast writes cannot modify
//   code.
// - The general registers and flag slots (EFLAGS, LF_*) a region's fast forms
//   use live in locals of the region function (G0..G13, by register-file
//   slot) while it runs: loaded on entry, stored back before every handler
//   call (SYNC) and every return, reloaded after a handler (LOAD). So
//   handlers, faults and the run loop see exactly the register file the
//   interpreter would have. Flags are computed from the locals with flags.ts's
//   value forms (cfOf, eflagsOf, condOf).
// - A condition (Jcc, SETcc, CMOVcc) right after a flag producer in the same
//   block is decided from that instruction's operands; INC/DEC's saving of CF
//   likewise. The lazy flags are still stored, for any later reader.
import { R } from '../shared/layout';
import type { CodeCache } from './codecache';
import { NOREG, P_A16, P_LOCK, P_O16, P_REP, P_REPNE } from './defs';
import { K_ADD, K_DEC, K_INC, K_LOGIC, K_RES, K_SUB, S32, S8 } from './flags';

/** What the previous instruction of the block left in the lazy flags, when known at compile time. */
export interface KnownFlags {
  kind: number;
  /** S8 or S32. For S8, a and b are byte values (0..255). */
  size: number;
  a: string;
  b: string;
  res: string;
}

export interface EmitCtx {
  cc: CodeCache;
  s: number;
  k: number;
  eip: number;
  next: number;
  last: boolean;
  /** Handler variable name, for the generic fallback. */
  h: string;
  flags: KnownFlags | null;
  /** General registers the fast code uses (held in locals G0..G7). */
  regs: Set<number>;
}

/** Placeholders in generated code: store back / reload the register locals (see blockcompile.ts). */
export const SYNC = '/*SYNC*/', LOAD = '/*LOAD*/';
/** Marks that a handler ran (it may have made an interrupt deliverable: see blockcompile.ts). */
export const HANDLED = 'hc = 1;';

/** The flag slots' locals as arguments of flags.ts cfOf/eflagsOf/condOf: EFLAGS, LF_OP, LF_A, LF_B, LF_R. */
function flagArgs(x: EmitCtx): string {
  return `${G(x, R.EFLAGS)}, ${G(x, R.LF_OP)}, ${G(x, R.LF_A)}, ${G(x, R.LF_B)}, ${G(x, R.LF_R)}`;
}
/** flags.ts setArith(r, bits, value) on the locals. */
function setArith(x: EmitCtx, bits: number, value: string): string {
  return `${G(x, EF)} = (eflagsOf(${flagArgs(x)}) & ${~bits}) | ((${value}) & ${bits}); ${G(x, R.LF_OP)} = 0;`;
}

export interface Emitted {
  code: string;
  /** Lazy flags after this instruction: unchanged (undefined), unknown (null) or known. */
  flags?: KnownFlags | null;
  /** The code sets c.nextEip (a branch). */
  branch?: boolean;
  /** The block ends in a two-way branch (a conditional jump): taken when `test` holds. */
  cond?: { test: string; taken: number; fall: number };
  /** The block ends in a jump to this EIP. */
  target?: number;
}

interface AluOp { kind: number; expr: (a: string, b: string) => string; store: boolean }
const OPS: Record<string, AluOp> = {
  add: { kind: K_ADD, expr: (a, b) => `(${a} + ${b}) | 0`, store: true },
  or: { kind: K_LOGIC, expr: (a, b) => `${a} | ${b}`, store: true },
  and: { kind: K_LOGIC, expr: (a, b) => `${a} & ${b}`, store: true },
  sub: { kind: K_SUB, expr: (a, b) => `(${a} - ${b}) | 0`, store: true },
  xor: { kind: K_LOGIC, expr: (a, b) => `${a} ^ ${b}`, store: true },
  cmp: { kind: K_SUB, expr: (a, b) => `(${a} - ${b}) | 0`, store: false },
  test: { kind: K_LOGIC, expr: (a, b) => `${a} & ${b}`, store: false },
};

// EFLAGS bits, spelled out for generated code.
const EF = R.EFLAGS;
/** CF | PF | AF | ZF | SF | OF: what SHL/SHR/SAR replace. */
const SHIFT_FLAGS = 0x8d5;

function lazy(x: EmitCtx, kind: number, size: number, a: string, b: string, res: string): string {
  return `${G(x, R.LF_A)} = ${a}; ${G(x, R.LF_B)} = ${b}; ${G(x, R.LF_R)} = ${res}; ${G(x, R.LF_OP)} = ${(kind << 2) | size};`;
}

/** The exit bookkeeping: state as the interpreter would have it before this instruction. */
export function prep(x: EmitCtx): string {
  return `c.icount = ic + ${x.k}; r[${R.EIP}] = ${x.eip}; c.nextEip = ${x.next};`;
}

/** The handler call, used as the slow path of a fast form. */
export function generic(x: EmitCtx): string {
  return `${SYNC} ${prep(x)} ${x.h}(c, ${x.s}); if (c.exit !== 0) return; ${LOAD} ${HANDLED}`;
}

/** General register n (32 bits), or a flag slot (R.EFLAGS, R.LF_*), as the local that holds it. */
function G(x: EmitCtx, n: number): string {
  x.regs.add(n);
  return `G${n}`;
}
/** Register operand n of `size` bytes (1 or 4): its value. Byte registers are AL CL DL BL AH CH DH BH. */
function get(x: EmitCtx, size: number, n: number): string {
  if (size === 4) return G(x, n);
  return n < 4 ? `(${G(x, n)} & 0xff)` : `((${G(x, n - 4)} >> 8) & 0xff)`;
}
/** Register operand n of `size` bytes := v (a byte store keeps the low 8 bits, as a Uint8Array does). */
function set(x: EmitCtx, size: number, n: number, v: string): string {
  if (size === 4) return `${G(x, n)} = ${v};`;
  if (n < 4) return `${G(x, n)} = (G${n} & -256) | ((${v}) & 0xff);`;
  return `${G(x, n - 4)} = (G${n - 4} & -65281) | (((${v}) & 0xff) << 8);`;
}

function eaExpr(x: EmitCtx): string {
  const cc = x.cc, s = x.s, parts: string[] = [];
  const d = cc.dDisp[s], b = cc.dBase[s], i = cc.dIndex[s];
  if (b !== NOREG) parts.push(G(x, b));
  if (i !== NOREG) parts.push(cc.dScale[s] ? `(${G(x, i)} << ${cc.dScale[s]})` : G(x, i));
  if (d !== 0 || parts.length === 0) parts.push(String(d));
  return parts.length === 1 && b !== NOREG ? parts[0] : `(${parts.join(' + ')}) | 0`;
}

/**
 * Declares `a` (the offset, = linear address in a flat segment) and `e<a>`
 * (its TLB entry), then opens an `if` whose condition holds when the fast path
 * may access `size` bytes there in segment `seg` for reading or writing.
 */
function guard(write: boolean, size: number, seg: number, a: string, addr: string): string {
  const flat = write ? 'fw' : 'fr', need = write ? 'needW' : 'needR';
  const fit = size === 4 ? ` && (${a} & 3) === 0` : size === 2 ? ` && (${a} & 0xfff) !== 0xfff` : '';
  return `const ${a} = ${addr}, e${a} = tlb[${a} >>> 12];\nif ((${flat} & ${1 << seg}) !== 0 && (e${a} & ${need}) === ${need}${fit})`;
}
/** The physical address behind a guard's offset `a`. */
function phys(a: string): string {
  return `((e${a} & -4096) | (${a} & 0xfff))`;
}
/** The memory operand of slot x.s: guard, then `fast` (given the physical address), else the handler. */
function memOp(x: EmitCtx, write: boolean, size: number, fast: (p: string) => string, after = ''): string {
  const a = `o${x.k}`;
  return `{ ${guard(write, size, x.cc.dSeg[x.s], a, eaExpr(x))} { const p${x.k} = ${phys(a)}; ${fast(`p${x.k}`)} } else { ${generic(x)}${after} } }`;
}
function load(size: number, p: string): string {
  return size === 4 ? `m32[${p} >> 2]` : size === 2 ? `(m8[${p}] | (m8[${p} + 1] << 8))` : `m8[${p}]`;
}
function store(size: number, p: string, v: string): string {
  if (size === 4) return `m32[${p} >> 2] = ${v};`;
  if (size === 2) return `m8[${p}] = ${v}; m8[${p} + 1] = ${v} >> 8;`;
  return `m8[${p}] = ${v};`;
}

/** Emit a fast form for slot x.s, or null. Only 32-bit operand and address size, no LOCK. */
export function emitFast(x: EmitCtx, name: string): Emitted | null {
  const cc = x.cc, s = x.s, pfx = cc.dPfx[s];
  // NOP does nothing whatever its prefixes (66 0F 1F /0 pads code).
  if ((name === 'nop' || name === 'nop_Ev' || name === 'nop_Ev@16') && !(pfx & P_LOCK)) return { code: '' };
  if (pfx & (P_A16 | P_LOCK)) return null;
  if (pfx & P_O16) return name.endsWith('@16') ? emitMov16(x, name) : null;
  const [op, ...forms] = name.split('_');
  const form = forms.join('_');
  // REP/REPNE change only the string instructions (the others ignore them, as their handlers do).
  if (pfx & (P_REP | P_REPNE) && STRING[op] !== undefined) return null;
  const m = cc.dModrm[s], g = (m >> 3) & 7, rm = m & 7, isReg = m >= 0xc0;
  const k = x.k, imm = cc.dImm[s];

  switch (op) {
    case 'mov': return emitMov(x, form, g, rm, isReg, imm);
    case 'lea': return isReg ? null : { code: set(x, 4, g, eaExpr(x)) };
    case 'movzx': case 'movsx': {
      const size = form === 'Gv_Eb' ? 1 : form === 'Gv_Ew' ? 2 : 0;
      if (!size) return null;
      const ext = (v: string): string => op === 'movzx' ? v : size === 1 ? `(${v} << 24) >> 24` : `(${v} << 16) >> 16`;
      if (isReg) {
        const src = size === 1 ? get(x, 1, rm) : `(${G(x, rm)} & 0xffff)`;
        return { code: set(x, 4, g, ext(src)) };
      }
      return { code: memOp(x, false, size, (p) => set(x, 4, g, ext(load(size, p)))) };
    }
    case 'cwde': return { code: set(x, 4, 0, `(${G(x, 0)} << 16) >> 16`) };
    case 'cdq': return { code: set(x, 4, 2, `${G(x, 0)} >> 31`) };
    case 'not': case 'neg': {
      if (form !== 'Ev') return null;
      const a = `a${k}`, res = `v${k}`;
      if (op === 'not') {
        return isReg ? { code: set(x, 4, rm, `~${G(x, rm)}`) } : { code: memOp(x, true, 4, (p) => `m32[${p} >> 2] = ~m32[${p} >> 2];`) };
      }
      // NEG is SUB 0 - a.
      const f: KnownFlags = { kind: K_SUB, size: S32, a: '0', b: a, res };
      const body = (src: string, dst: (v: string) => string): string =>
        `${a} = ${src}; ${res} = (0 - ${a}) | 0; ${dst(res)} ${lazy(x, K_SUB, S32, '0', a, res)}`;
      if (isReg) return { code: `let ${a} = 0, ${res} = 0; ${body(G(x, rm), (v) => set(x, 4, rm, v))}`, flags: f };
      // After the handler: NEG recorded its operand as LF_B.
      return { code: `let ${a} = 0, ${res} = 0; ${memOp(x, true, 4, (p) => body(`m32[${p} >> 2]`, (v) => `m32[${p} >> 2] = ${v};`), ` ${a} = r[${R.LF_B}]; ${res} = r[${R.LF_R}];`)}`, flags: f };
    }
    case 'inc': case 'dec': return emitIncDec(x, op, form, rm, isReg);
    case 'shl': case 'sal': case 'shr': case 'sar': case 'rol': case 'ror':
      return emitShift(x, op, form, rm, isReg, imm);
    case 'mul': {
      if (form !== 'Ev') return null;
      // EDX:EAX = EAX * src, unsigned; CF = OF = (EDX != 0), via flags.ts setArith as the handler.
      const body = (src: string): string =>
        `{ const l${k} = mulU32(${G(x, 0)}, ${src}), h${k} = lastMulHi(); ${set(x, 4, 0, `l${k}`)} ${set(x, 4, 2, `h${k}`)} ${setArith(x, 0x801, `h${k} !== 0 ? 0x801 : 0`)} }`;
      if (isReg) return { code: body(G(x, rm)), flags: null };
      return { code: memOp(x, false, 4, (p) => body(`m32[${p} >> 2]`)), flags: null };
    }
    case 'bsf': case 'bsr': {
      if (form !== 'Gv_Ev') return null;
      // A zero source leaves the destination alone and sets ZF; otherwise ZF = 0.
      const idx = op === 'bsf' ? `31 - Math.clz32(t${k} & -t${k})` : `31 - Math.clz32(t${k})`;
      const body = (src: string): string =>
        `{ const t${k} = ${src}; if (t${k} !== 0) ${set(x, 4, g, idx)} ${setArith(x, 0x40, `t${k} === 0 ? 0x40 : 0`)} }`;
      if (isReg) return { code: body(G(x, rm)), flags: null };
      return { code: memOp(x, false, 4, (p) => body(`m32[${p} >> 2]`)), flags: null };
    }
    case 'imul': {
      if (form !== 'Gv_Ev' && form !== 'Gv_Ev_Iz' && form !== 'Gv_Ev_Ib') return null;
      // The product is exact in a double when it fits 32 bits; otherwise it
      // differs from the truncated one: that is CF = OF = 1.
      const two = form === 'Gv_Ev';
      const body = (src: string): string => {
        const b = two ? G(x, g) : String(imm);
        return `{ const x${k} = ${src}, y${k} = ${b}, l${k} = Math.imul(x${k}, y${k}); ${set(x, 4, g, `l${k}`)} ${setArith(x, 0x801, `x${k} * y${k} !== l${k} ? 0x801 : 0`)} }`;
      };
      if (isReg) return { code: body(G(x, rm)), flags: null };
      return { code: memOp(x, false, 4, (p) => body(`m32[${p} >> 2]`)), flags: null };
    }
    case 'push': case 'pop': return emitStack(x, op, form, imm);
    case 'call': {
      if (form !== 'Jz' || !x.last) return null;
      const target = (x.next + imm) | 0;
      return { code: stackOp(x, true, (sp, p) => `m32[${p} >> 2] = ${x.next}; ${set(x, 4, 4, sp)} c.nextEip = ${target};`), branch: true };
    }
    case 'ret': {
      if (form !== '' || !x.last) return null;
      return { code: stackOp(x, false, (sp, p) => `c.nextEip = m32[${p} >> 2]; ${set(x, 4, 4, `(${sp} + 4) | 0`)}`), branch: true };
    }
    case 'jmp': {
      if ((form !== 'Jb' && form !== 'Jz') || !x.last) return null;
      return { code: '', target: (x.next + imm) | 0 };
    }
  }

  const alu = OPS[op];
  if (alu) return emitAlu(x, op, alu, form, g, rm, isReg, imm);

  const str = STRING[op];
  if (str !== undefined) return emitString(x, str, op);

  // Condition-code consumers.
  if (op[0] === 'j' && (form === 'Jb' || form === 'Jz') && x.last && JCC[op.slice(1)] !== undefined) {
    const test = condition(x, JCC[op.slice(1)]);
    return { code: '', cond: { test, taken: (x.next + imm) | 0, fall: x.next } };
  }
  if (op.startsWith('set') && form === 'Eb' && JCC[op.slice(3)] !== undefined) {
    const test = condition(x, JCC[op.slice(3)]);
    if (isReg) return { code: set(x, 1, rm, `${test} ? 1 : 0`) };
    return { code: memOp(x, true, 1, (p) => `m8[${p}] = ${test} ? 1 : 0;`) };
  }
  if (op.startsWith('cmov') && form === 'Gv_Ev' && JCC[op.slice(4)] !== undefined) {
    const test = condition(x, JCC[op.slice(4)]);
    if (isReg) return { code: `if (${test}) ${set(x, 4, g, G(x, rm))}` };
    return { code: memOp(x, false, 4, (p) => `const t${k} = m32[${p} >> 2]; if (${test}) ${set(x, 4, g, `t${k}`)}`) };
  }
  return null;
}

function emitMov(x: EmitCtx, form: string, g: number, rm: number, isReg: boolean, imm: number): Emitted | null {
  const cc = x.cc, s = x.s;
  // mov_eXX_Iz / mov_XL_Ib: register from immediate.
  let n = REGS.indexOf(form.split('_')[0]);
  if (n >= 0 && form.endsWith('_Iz')) return { code: set(x, 4, n, String(imm)) };
  n = REGS8.indexOf(form.split('_')[0]);
  if (n >= 0 && form.endsWith('_Ib')) return { code: set(x, 1, n, String(imm & 0xff)) };
  switch (form) {
    case 'Gv_Ev': case 'Gb_Eb': {
      const size = form === 'Gv_Ev' ? 4 : 1;
      if (isReg) return { code: set(x, size, g, get(x, size, rm)) };
      return { code: memOp(x, false, size, (p) => set(x, size, g, load(size, p))) };
    }
    case 'Ev_Gv': case 'Eb_Gb': {
      const size = form === 'Ev_Gv' ? 4 : 1;
      if (isReg) return { code: set(x, size, rm, get(x, size, g)) };
      return { code: memOp(x, true, size, (p) => store(size, p, get(x, size, g))) };
    }
    case 'Ev_Iz': case 'Eb_Ib': {
      const size = form === 'Ev_Iz' ? 4 : 1, v = size === 4 ? imm : imm & 0xff;
      if (isReg) return { code: set(x, size, rm, String(v)) };
      return { code: memOp(x, true, size, (p) => store(size, p, String(v))) };
    }
    case 'eAX_Ov': case 'Ov_eAX': {
      // moffs: the offset is the displacement.
      const a = `o${x.k}`, write = form === 'Ov_eAX';
      const fast = write ? `m32[${phys(a)} >> 2] = ${G(x, 0)};` : set(x, 4, 0, `m32[${phys(a)} >> 2]`);
      return { code: `{ ${guard(write, 4, cc.dSeg[s], a, String(cc.dDisp[s]))} { ${fast} } else { ${generic(x)} } }` };
    }
  }
  return null;
}

/** MOV with a 16-bit operand size: the low word of a register, or a word in memory. */
function emitMov16(x: EmitCtx, name: string): Emitted | null {
  const cc = x.cc, s = x.s, m = cc.dModrm[s], g = (m >> 3) & 7, rm = m & 7, isReg = m >= 0xc0;
  const low = (n: number, v: string): string => `${G(x, n)} = (G${n} & -65536) | ((${v}) & 0xffff);`;
  switch (name) {
    case 'mov_Ev_Gv@16':
      if (isReg) return { code: low(rm, G(x, g)) };
      return { code: memOp(x, true, 2, (p) => store(2, p, G(x, g))) };
    case 'mov_Gv_Ev@16':
      if (isReg) return { code: low(g, G(x, rm)) };
      return { code: memOp(x, false, 2, (p) => low(g, load(2, p))) };
    case 'mov_Ev_Iz@16': {
      const v = String(cc.dImm[s] & 0xffff);
      if (isReg) return { code: low(rm, v) };
      return { code: memOp(x, true, 2, (p) => store(2, p, v)) };
    }
  }
  return null;
}

/** After a slow path that ran the handler: take the operands it recorded, so a later condition can still use them. */
function readBack(a: string, b: string | null, res: string): string {
  return ` ${a} = r[${R.LF_A}];${b ? ` ${b} = r[${R.LF_B}];` : ''} ${res} = r[${R.LF_R}];`;
}

function emitAlu(x: EmitCtx, op: string, alu: AluOp, form: string, g: number, rm: number, isReg: boolean, imm: number): Emitted | null {
  const k = x.k;
  const a = `a${k}`, b = `b${k}`, res = `v${k}`;
  const byteForm = form === 'Eb_Gb' || form === 'Gb_Eb' || form === 'Eb_Ib' || form === 'AL_Ib';
  const size = byteForm ? 1 : 4, sz = byteForm ? S8 : S32;
  // TEST records 0 as its second operand, like its handlers.
  const lfB = op === 'test' ? '0' : b;
  const flags: KnownFlags = { kind: alu.kind, size: sz, a, b: lfB, res };
  const compute = `${res} = ${alu.expr(a, b)}; ${lazy(x, alu.kind, sz, a, lfB, res)}`;
  // The immediate as the handler passes it: masked to a byte for 8-bit ALU ops
  // (TEST Eb,Ib and AL,Ib use the sign-extended value, which gives the same AND).
  const immV = byteForm && op !== 'test' ? imm & 0xff : imm;
  let dst: 'E' | 'G' | 'A';
  let src: string;
  switch (form) {
    case 'eAX_Iz': case 'AL_Ib': dst = 'A'; src = String(immV); break;
    case 'Ev_Iz': case 'Ev_Ib': case 'Eb_Ib': dst = 'E'; src = String(immV); break;
    case 'Ev_Gv': case 'Eb_Gb': dst = 'E'; src = get(x, size, g); break;
    case 'Gv_Ev': case 'Gb_Eb': dst = 'G'; src = ''; break;
    default: return null;
  }
  // Operands live at block scope (unique names per instruction) so that a
  // following condition can test them.
  const decl = `let ${a} = 0, ${b} = 0, ${res} = 0;`;
  if (dst === 'A') {
    return { code: `${decl} ${a} = ${get(x, size, 0)}; ${b} = ${src}; ${compute}${alu.store ? ` ${set(x, size, 0, res)}` : ''}`, flags };
  }
  if (dst === 'E') {
    if (isReg) {
      return { code: `${decl} ${a} = ${get(x, size, rm)}; ${b} = ${src}; ${compute}${alu.store ? ` ${set(x, size, rm, res)}` : ''}`, flags };
    }
    // Memory destination: one write translation for the read-modify-write
    // (CMP and TEST only read, as their handlers do).
    const write = alu.store;
    return {
      code: `${decl} ${memOp(x, write, size, (p) => `${a} = ${load(size, p)}; ${b} = ${src}; ${compute}${alu.store ? ` ${store(size, p, res)}` : ''}`, readBack(a, b, res))}`,
      flags,
    };
  }
  if (isReg) {
    return { code: `${decl} ${a} = ${get(x, size, g)}; ${b} = ${get(x, size, rm)}; ${compute}${alu.store ? ` ${set(x, size, g, res)}` : ''}`, flags };
  }
  return {
    code: `${decl} ${memOp(x, false, size, (p) => `${a} = ${get(x, size, g)}; ${b} = ${load(size, p)}; ${compute}${alu.store ? ` ${set(x, size, g, res)}` : ''}`, readBack(a, b, res))}`,
    flags,
  };
}

/** INC/DEC save CF into EFLAGS (when the lazy state holds it), then record their own kind. */
function emitIncDec(x: EmitCtx, op: string, form: string, rm: number, isReg: boolean): Emitted | null {
  const k = x.k, kind = op === 'inc' ? K_INC : K_DEC;
  const a = `a${k}`, res = `v${k}`;
  const f: KnownFlags = { kind, size: S32, a, b: '1', res };
  const body = (src: string, dst: (v: string) => string): string =>
    `${saveCFCode(x, x.flags)} ${a} = ${src}; ${res} = (${a} ${op === 'inc' ? '+' : '-'} 1) | 0; ${dst(res)} ${lazy(x, kind, S32, a, '1', res)}`;
  const n = REGS.indexOf(form);
  if (n >= 0) return { code: `let ${a} = 0, ${res} = 0; ${body(G(x, n), (v) => set(x, 4, n, v))}`, flags: f };
  if (form !== 'Ev') return null;
  if (isReg) return { code: `let ${a} = 0, ${res} = 0; ${body(G(x, rm), (v) => set(x, 4, rm, v))}`, flags: f };
  return { code: `let ${a} = 0, ${res} = 0; ${memOp(x, true, 4, (p) => body(`m32[${p} >> 2]`, (v) => `m32[${p} >> 2] = ${v};`), readBack(a, null, res))}`, flags: f };
}

/** flags.ts saveCF(), decided at compile time when the lazy state's producer is known. */
function saveCFCode(x: EmitCtx, f: KnownFlags | null): string {
  const ef = G(x, EF);
  if (!f) return `${ef} = (${ef} & -2) | cfOf(${flagArgs(x)});`;
  const M = f.size === S8 ? 0xff : -1;
  const u = (v: string): string => (M === -1 ? `(${v} >>> 0)` : `(${v} & 0xff)`);
  switch (f.kind) {
    case K_ADD: return `${ef} = (${ef} & -2) | (${u(f.res)} < ${u(f.a)} ? 1 : 0);`;
    case K_SUB: return `${ef} = (${ef} & -2) | (${u(f.a)} < ${u(f.b)} ? 1 : 0);`;
    case K_LOGIC: return `${ef} = ${ef} & -2;`;
    case K_INC: case K_DEC: case K_RES: return '';
  }
  return `${ef} = (${ef} & -2) | cfOf(${flagArgs(x)});`;
}

/**
 * SHL/SHR/SAR of a dword (flags as shiftOp: CF, OF and AF = 0 into EFLAGS, the
 * result flags lazy with K_RES), ROL/ROR by an immediate (CF and OF through
 * setArith, as shiftOp). A count of 0 changes nothing.
 */
function emitShift(x: EmitCtx, op: string, form: string, rm: number, isReg: boolean, imm: number): Emitted | null {
  const k = x.k;
  let count: number | null;
  if (form === 'Ev_Ib') count = imm & 31;
  else if (form === 'Ev_1') count = 1;
  else if (form === 'Ev_CL' && op !== 'rol' && op !== 'ror') count = null;
  else return null;
  if (count === 0) return null;
  const a = `a${k}`, res = `v${k}`, n = count === null ? `n${k}` : String(count);
  let body: string;
  if (op === 'rol' || op === 'ror') {
    const c0 = count as number;
    const rot = op === 'rol' ? `(${a} << ${c0}) | (${a} >>> ${32 - c0})` : `(${a} >>> ${c0}) | (${a} << ${32 - c0})`;
    const cf = op === 'rol' ? `(${res} & 1)` : `((${res} >>> 31) & 1)`;
    const of = op === 'rol' ? `(((${res} >>> 31) ^ ${res}) & 1)` : `(((${res} >>> 31) ^ (${res} >>> 30)) & 1)`;
    body = `${res} = ${rot}; ${setArith(x, 0x801, `${cf} | (${of} << 11)`)}`;
  } else {
    let v: string, cf: string, of: string;
    if (op === 'shr') { v = `(${a} >>> ${n}) | 0`; cf = `(${a} >>> (${n} - 1)) & 1`; of = `(${a} >>> 31) & 1`; }
    else if (op === 'sar') { v = `${a} >> ${n}`; cf = `(${a} >> (${n} - 1)) & 1`; of = '0'; }
    else { v = `${a} << ${n}`; cf = `(${a} >>> (32 - ${n})) & 1`; of = `((${res} >>> 31) ^ c${k}) & 1`; }
    body = `${res} = ${v}; const c${k} = ${cf}; ${G(x, EF)} = (G${EF} & ${~SHIFT_FLAGS}) | c${k} | ((${of}) << 11); ${lazy(x, K_RES, S32, '0', '0', res)}`;
  }
  const flags: KnownFlags | null = op === 'rol' || op === 'ror' || count === null ? null : { kind: K_RES, size: S32, a: '0', b: '0', res };
  const decl = `let ${a} = 0, ${res} = 0;`;
  if (count === null) {
    // By CL: the count is read after the operand (which may fault first).
    if (isReg) return { code: `{ const ${n} = ${G(x, 1)} & 31; if (${n} !== 0) { ${decl} ${a} = ${G(x, rm)}; ${body} ${set(x, 4, rm, res)} } }`, flags };
    return { code: memOp(x, true, 4, (p) => `const ${n} = ${G(x, 1)} & 31; if (${n} !== 0) { ${decl} ${a} = m32[${p} >> 2]; ${body} m32[${p} >> 2] = ${res}; }`), flags };
  }
  if (isReg) return { code: `${decl} ${a} = ${G(x, rm)}; ${body} ${set(x, 4, rm, res)}`, flags };
  const after = flags ? ` ${res} = r[${R.LF_R}];` : '';
  return { code: `${decl} ${memOp(x, true, 4, (p) => `${a} = m32[${p} >> 2]; ${body} m32[${p} >> 2] = ${res};`, after)}`, flags };
}

/** A 32-bit push or pop through a flat SS (32-bit, B set) at an aligned ESP; `fast` gets the new/old ESP and the physical address. */
function stackOp(x: EmitCtx, push: boolean, fast: (sp: string, p: string) => string): string {
  const k = x.k, sp = `sp${k}`, e = `e${k}`, need = push ? 'needW' : 'needR';
  const spv = push ? `(${G(x, 4)} - 4) | 0` : G(x, 4);
  return `{ const ${sp} = ${spv}; const ${e} = tlb[${sp} >>> 12]; if ((${push ? 'fw' : 'fr'} & 4) !== 0 && ss32 && (${sp} & 3) === 0 && (${e} & ${need}) === ${need}) { const q${k} = (${e} & -4096) | (${sp} & 0xfff); ${fast(sp, `q${k}`)} } else { ${generic(x)} } }`;
}

function emitStack(x: EmitCtx, op: string, form: string, imm: number): Emitted | null {
  const n = REGS.indexOf(form);
  if (op === 'push') {
    // PUSH ESP pushes the value before the decrement.
    const v = n >= 0 ? G(x, n) : form === 'Iz' || form === 'Ib' ? String(imm) : null;
    if (v === null) return null;
    return { code: stackOp(x, true, (sp, p) => `m32[${p} >> 2] = ${v}; ${set(x, 4, 4, sp)}`) };
  }
  if (n < 0) return null;
  // POP ESP: ESP is incremented, then overwritten with the popped value.
  return { code: stackOp(x, false, (sp, p) => `const t${x.k} = m32[${p} >> 2]; ${set(x, 4, 4, `(${sp} + 4) | 0`)} ${set(x, 4, n, `t${x.k}`)}`) };
}

/** String instructions without REP and with a 32-bit address size: [kind, element size]. */
const STRING: Record<string, [string, number]> = {
  movsb: ['movs', 1], movs: ['movs', 4], stosb: ['stos', 1], stos: ['stos', 4], lodsb: ['lods', 1], lods: ['lods', 4],
};

/**
 * MOVS/STOS/LODS, one element: source seg:ESI (the decoded segment), destination
 * ES:EDI, both advanced by the element size, backwards when DF is set.
 */
function emitString(x: EmitCtx, [kind, size]: [string, number], _op: string): Emitted | null {
  const cc = x.cc, s = x.s, k = x.k;
  const d = `d${k}`;
  const dir = `const ${d} = (${G(x, EF)} & 0x400) !== 0 ? ${-size} : ${size};`;
  const sz = size === 4 ? 4 : 1;
  if (kind === 'stos') {
    return { code: `{ ${dir} ${guard(true, size, 0, `w${k}`, G(x, 7))} { ${store(size, phys(`w${k}`), get(x, sz, 0))} ${set(x, 4, 7, `(w${k} + ${d}) | 0`)} } else { ${generic(x)} } }` };
  }
  if (kind === 'lods') {
    return { code: `{ ${dir} ${guard(false, size, cc.dSeg[s], `s${k}`, G(x, 6))} { ${set(x, sz, 0, load(size, phys(`s${k}`)))} ${set(x, 4, 6, `(s${k} + ${d}) | 0`)} } else { ${generic(x)} } }` };
  }
  // MOVS: both guards must hold (the handler reads the source first, then writes).
  const src = `s${k}`, dst = `w${k}`;
  const g1 = guard(false, size, cc.dSeg[s], src, G(x, 6)).replace(/\nif \((.*)\)$/s, ';\nconst ok' + k + ' = $1;');
  const g2 = guard(true, size, 0, dst, G(x, 7)).replace(/\nif \((.*)\)$/s, ';\nif (ok' + k + ' && $1)');
  return {
    code: `{ ${dir} ${g1} ${g2} { ${store(size, phys(dst), load(size, phys(src)))} ${set(x, 4, 6, `(${src} + ${d}) | 0`)} ${set(x, 4, 7, `(${dst} + ${d}) | 0`)} } else { ${generic(x)} } }`,
  };
}

const JCC: Record<string, number> = {
  o: 0, no: 1, b: 2, nb: 3, z: 4, nz: 5, be: 6, nbe: 7, s: 8, ns: 9, p: 10, np: 11, l: 12, nl: 13, le: 14, nle: 15,
};

const REGS = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const REGS8 = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];

/** Condition cc as an expression: from known operands when possible, else flags.ts cond(). */
function condition(x: EmitCtx, cc: number): string {
  return fusedCond(x.flags, cc) ?? `condOf(${flagArgs(x)}, ${cc})`;
}

/** A condition computed from known operands, or null when it needs the general path. */
export function fusedCond(f: KnownFlags | null, cc: number): string | null {
  if (!f) return null;
  const { a, b, res } = f;
  if (f.size === S8) {
    // Byte operands are 0..255; the result is unmasked.
    const sa = `((${a} << 24) >> 24)`, sb = `((${b} << 24) >> 24)`;
    if (f.kind === K_SUB) {
      switch (cc) {
        case 2: return `${a} < ${b}`;
        case 3: return `${a} >= ${b}`;
        case 4: return `${a} === ${b}`;
        case 5: return `${a} !== ${b}`;
        case 6: return `${a} <= ${b}`;
        case 7: return `${a} > ${b}`;
        case 8: return `(${res} & 0x80) !== 0`;
        case 9: return `(${res} & 0x80) === 0`;
        case 12: return `${sa} < ${sb}`;
        case 13: return `${sa} >= ${sb}`;
        case 14: return `${sa} <= ${sb}`;
        case 15: return `${sa} > ${sb}`;
      }
      return null;
    }
    if (f.kind === K_LOGIC) {
      switch (cc) {
        case 0: case 2: return 'false';
        case 1: case 3: return 'true';
        case 4: case 6: return `(${res} & 0xff) === 0`;
        case 5: case 7: return `(${res} & 0xff) !== 0`;
        case 8: case 12: return `(${res} & 0x80) !== 0`;
        case 9: case 13: return `(${res} & 0x80) === 0`;
      }
    }
    return null;
  }
  if (f.kind === K_SUB) {
    switch (cc) {
      case 2: return `(${a} >>> 0) < (${b} >>> 0)`;
      case 3: return `(${a} >>> 0) >= (${b} >>> 0)`;
      case 4: return `${a} === ${b}`;
      case 5: return `${a} !== ${b}`;
      case 6: return `(${a} >>> 0) <= (${b} >>> 0)`;
      case 7: return `(${a} >>> 0) > (${b} >>> 0)`;
      case 8: return `${res} < 0`;
      case 9: return `${res} >= 0`;
      case 12: return `${a} < ${b}`;
      case 13: return `${a} >= ${b}`;
      case 14: return `${a} <= ${b}`;
      case 15: return `${a} > ${b}`;
    }
    return null;
  }
  if (f.kind === K_LOGIC) {
    // CF = OF = 0: B/O never, NB/NO always; L is SF, LE is ZF or SF.
    switch (cc) {
      case 0: case 2: return 'false';
      case 1: case 3: return 'true';
      case 4: case 6: return `${res} === 0`;
      case 5: case 7: return `${res} !== 0`;
      case 8: case 12: return `${res} < 0`;
      case 9: case 13: return `${res} >= 0`;
      case 14: return `${res} <= 0`;
      case 15: return `${res} > 0`;
    }
    return null;
  }
  // ADD, INC, DEC, and K_RES (SHL/SHR/SAR): ZF and SF come straight from the result.
  if (f.kind === K_ADD || f.kind === K_INC || f.kind === K_DEC || f.kind === K_RES) {
    switch (cc) {
      case 4: return `${res} === 0`;
      case 5: return `${res} !== 0`;
      case 8: return `${res} < 0`;
      case 9: return `${res} >= 0`;
    }
  }
  return null;
}
