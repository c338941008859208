// Specialised code for the hottest instruction forms, used by the block
// compiler in place of a handler call. Each emitter returns JavaScript for one
// instruction, or null to fall back to calling the handler.
//
// What the fast paths skip, and why that is safe:
// - Register-only forms touch nothing but registers and lazy flags, so they
//   cannot fault and need no EIP/icount bookkeeping.
// - Memory forms take the fast path only for a flat segment, a TLB entry with
//   the needed permission and a 4-byte-aligned dword; anything else runs the
//   instruction's own handler, which does every check.
// - A conditional branch right after a CMP/SUB, TEST/AND/OR/XOR, ADD or
//   INC/DEC in the same block is decided from that instruction's operands
//   (the lazy flags are still stored, for any later reader).
import { R } from '../shared/layout';
import type { CodeCache } from './codecache';
import { NOREG, P_A16, P_LOCK, P_O16, P_REP, P_REPNE } from './defs';
import { K_ADD, K_DEC, K_INC, K_LOGIC, K_SUB, S32 } from './flags';

/** What the previous instruction of the block left in the lazy flags, when known at compile time. */
export interface KnownFlags {
  kind: number;
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
}

export interface Emitted {
  code: string;
  /** Lazy flags after this instruction: unchanged (undefined), unknown (null) or known. */
  flags?: KnownFlags | null;
  /** The code sets c.nextEip (a branch). */
  branch?: boolean;
}

const OPS: Record<string, { kind: number; expr: (a: string, b: string) => string; store: boolean }> = {
  add: { kind: K_ADD, expr: (a, b) => `(${a} + ${b}) | 0`, store: true },
  or: { kind: K_LOGIC, expr: (a, b) => `${a} | ${b}`, store: true },
  and: { kind: K_LOGIC, expr: (a, b) => `${a} & ${b}`, store: true },
  sub: { kind: K_SUB, expr: (a, b) => `(${a} - ${b}) | 0`, store: true },
  xor: { kind: K_LOGIC, expr: (a, b) => `${a} ^ ${b}`, store: true },
  cmp: { kind: K_SUB, expr: (a, b) => `(${a} - ${b}) | 0`, store: false },
  test: { kind: K_LOGIC, expr: (a, b) => `${a} & ${b}`, store: false },
};

function lazy(kind: number, a: string, b: string, res: string): string {
  return `r[${R.LF_A}] = ${a}; r[${R.LF_B}] = ${b}; r[${R.LF_R}] = ${res}; r[${R.LF_OP}] = ${(kind << 2) | S32};`;
}

/** The exit bookkeeping: state as the interpreter would have it before this instruction. */
export function prep(x: EmitCtx): string {
  return `c.icount = ic + ${x.k}; r[${R.EIP}] = ${x.eip}; c.nextEip = ${x.next};`;
}

/** The handler call, used as the slow path of a fast form. */
export function generic(x: EmitCtx): string {
  return `${prep(x)} ${x.h}(c, ${x.s}); if (c.exit !== 0) return;`;
}

function eaExpr(cc: CodeCache, s: number): string {
  const parts: string[] = [];
  const d = cc.dDisp[s], b = cc.dBase[s], i = cc.dIndex[s];
  if (b !== NOREG) parts.push(`r[${b}]`);
  if (i !== NOREG) parts.push(cc.dScale[s] ? `(r[${i}] << ${cc.dScale[s]})` : `r[${i}]`);
  if (d !== 0 || parts.length === 0) parts.push(String(d));
  return parts.length === 1 && b !== NOREG ? parts[0] : `(${parts.join(' + ')}) | 0`;
}

/** Fast aligned dword access guard: sets local `p` (dword index) when it holds. */
function memGuard(x: EmitCtx, write: boolean, a: string): string {
  const seg = x.cc.dSeg[x.s];
  const flat = write ? 'c.flatW' : 'c.flatR', need = write ? 'needW' : 'needR';
  return `const ${a} = ${eaExpr(x.cc, x.s)}, e${x.k} = tlb[${a} >>> 12];
if (((${flat} >> ${seg}) & 1) !== 0 && (e${x.k} & ${need}) === ${need} && (${a} & 3) === 0)`;
}
function dwordIndex(x: EmitCtx, a: string): string {
  return `((e${x.k} & -4096) | (${a} & 0xfff)) >> 2`;
}

/** Emit a fast form for slot x.s, or null. Only 32-bit operand and address size, no REP/LOCK. */
export function emitFast(x: EmitCtx, name: string): Emitted | null {
  const cc = x.cc, s = x.s, pfx = cc.dPfx[s];
  if (pfx & (P_O16 | P_A16 | P_REP | P_REPNE | P_LOCK)) return null;
  const m = cc.dModrm[s], reg = (m >> 3) & 7, rm = m & 7, isReg = m >= 0xc0;
  const k = x.k, imm = cc.dImm[s];
  const [op, ...forms] = name.split('_');
  const form = forms.join('_');

  if (op === 'mov') {
    if (form.startsWith('e') && form.endsWith('_Iz')) return { code: `r[${regOfMovImm(name)}] = ${imm};` };
    if (form === 'Gv_Ev') {
      if (isReg) return { code: `r[${reg}] = r[${rm}];` };
      return { code: `{ ${memGuard(x, false, `a${k}`)} r[${reg}] = m32[${dwordIndex(x, `a${k}`)}]; else { ${generic(x)} } }` };
    }
    if (form === 'Ev_Gv') {
      if (isReg) return { code: `r[${rm}] = r[${reg}];` };
      return { code: `{ ${memGuard(x, true, `a${k}`)} m32[${dwordIndex(x, `a${k}`)}] = r[${reg}]; else { ${generic(x)} } }` };
    }
    if (form === 'Ev_Iz' && isReg) return { code: `r[${rm}] = ${imm};` };
    return null;
  }
  if (op === 'lea' && !isReg) return { code: `r[${reg}] = ${eaExpr(cc, s)};` };

  const alu = OPS[op];
  if (alu) {
    const a = `a${k}`, b = `b${k}`, res = `v${k}`;
    // Register forms declare their operands at function scope (unique names per
    // instruction) so that a following branch can test them.
    // TEST records 0 as its second operand, like its handlers: compiled and
    // interpreted code must leave identical register files (snapshots compare them).
    const lfB = op === 'test' ? '0' : b;
    const flags: KnownFlags = { kind: alu.kind, a, b: lfB, res };
    const compute = `const ${res} = ${alu.expr(a, b)}; ${lazy(alu.kind, a, lfB, res)}`;
    if (form === 'eAX_Iz') {
      return { code: `const ${a} = r[0], ${b} = ${imm}; ${compute}${alu.store ? ` r[0] = ${res};` : ''}`, flags };
    }
    const srcImm = form === 'Ev_Iz' || form === 'Ev_Ib';
    if (form === 'Ev_Gv' || srcImm) {
      const src = srcImm ? String(imm) : `r[${reg}]`;
      if (isReg) {
        return { code: `const ${a} = r[${rm}], ${b} = ${src}; ${compute}${alu.store ? ` r[${rm}] = ${res};` : ''}`, flags };
      }
      // Memory destination: one translation for the read-modify-write.
      const p = `p${k}`;
      return {
        code: `{ ${memGuard(x, alu.store, `m${k}`)} { const ${p} = ${dwordIndex(x, `m${k}`)}; const ${a} = m32[${p}], ${b} = ${src}; ${compute}${alu.store ? ` m32[${p}] = ${res};` : ''} } else { ${generic(x)} } }`,
        flags: null,
      };
    }
    if (form === 'Gv_Ev') {
      if (isReg) {
        return { code: `const ${a} = r[${reg}], ${b} = r[${rm}]; ${compute}${alu.store ? ` r[${reg}] = ${res};` : ''}`, flags };
      }
      return {
        code: `{ ${memGuard(x, false, `m${k}`)} { const ${a} = r[${reg}], ${b} = m32[${dwordIndex(x, `m${k}`)}]; ${compute}${alu.store ? ` r[${reg}] = ${res};` : ''} } else { ${generic(x)} } }`,
        flags: null,
      };
    }
    return null;
  }

  if ((op === 'inc' || op === 'dec') && forms.length === 1 && forms[0].startsWith('e')) {
    const n = regOfName(forms[0]);
    const kind = op === 'inc' ? K_INC : K_DEC;
    const a = `a${k}`, res = `v${k}`;
    return {
      code: `saveCF(r); const ${a} = r[${n}], ${res} = (${a} ${op === 'inc' ? '+' : '-'} 1) | 0; r[${n}] = ${res}; ${lazy(kind, a, '1', res)}`,
      flags: { kind, a, b: '1', res },
    };
  }

  // Stack: a 32-bit flat SS and an aligned ESP take the fast path.
  if ((op === 'push' || op === 'pop') && forms.length === 1 && forms[0].startsWith('e')) {
    const n = regOfName(forms[0]);
    const sp = `sp${k}`, e = `e${k}`;
    const guard = (need: string) => `c.ss32 && ((c.flatW >> 2) & 1) !== 0 && (${sp} & 3) === 0 && (${e} = tlb[${sp} >>> 12], (${e} & ${need}) === ${need})`;
    if (op === 'push') {
      return { code: `{ const ${sp} = (r[4] - 4) | 0; let ${e} = 0; if (${guard('needW')}) { m32[((${e} & -4096) | (${sp} & 0xfff)) >> 2] = r[${n}]; r[4] = ${sp}; } else { ${generic(x)} } }` };
    }
    return { code: `{ const ${sp} = r[4]; let ${e} = 0; if (${guard('needR')}) { const v = m32[((${e} & -4096) | (${sp} & 0xfff)) >> 2]; r[4] = (${sp} + 4) | 0; r[${n}] = v; } else { ${generic(x)} } }` };
  }

  // Conditional branches: decide from the flags' producer when it is known.
  if (op[0] === 'j' && (form === 'Jb' || form === 'Jz') && x.last && JCC[op.slice(1)] !== undefined) {
    const cc4 = JCC[op.slice(1)];
    const target = (x.next + imm) | 0;
    const test = fusedCond(x.flags, cc4) ?? `cond(r, ${cc4})`;
    return { code: `c.nextEip = ${test} ? ${target} : ${x.next};`, branch: true };
  }
  if (op === 'jmp' && (form === 'Jb' || form === 'Jz') && x.last) {
    return { code: `c.nextEip = ${(x.next + imm) | 0};`, branch: true };
  }
  return null;
}

const JCC: Record<string, number> = {
  o: 0, no: 1, b: 2, nb: 3, z: 4, nz: 5, be: 6, nbe: 7, s: 8, ns: 9, p: 10, np: 11, l: 12, nl: 13, le: 14, nle: 15,
};

const REGS = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
function regOfName(n: string): number {
  return REGS.indexOf(n);
}
function regOfMovImm(name: string): number {
  return REGS.indexOf(name.split('_')[1]);
}

/** A condition computed from known operands, or null when it needs the general path. */
function fusedCond(f: KnownFlags | null, cc: number): string | null {
  if (!f) return null;
  const { a, b, res } = f;
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
  // ADD, INC, DEC: ZF and SF come straight from the result.
  switch (cc) {
    case 4: return `${res} === 0`;
    case 5: return `${res} !== 0`;
    case 8: return `${res} < 0`;
    case 9: return `${res} >= 0`;
  }
  return null;
}
