// Per-mnemonic operand rules for the generator (rows.ts names the hook of each
// mnemonic). This is the one table of operand constraints: what each kind of
// instruction needs so that it runs the same way on any x86 (addresses inside
// the mapped regions, counts that keep results defined, branch targets inside
// the sequence), and the flags it defines for a given count.
//
// Phase 'pre' runs before registers are chosen (to reserve some), phase
// 'operands' after (to emit the fix-ups that give operands known values).
import { CF, ARITH, AF, OF, EAX, EBP, EBX, ECX, EDX, ESI, EDI, ESP, sizeBytes } from './rows.ts';
import { DATA, REGION, STACK } from './layout.ts';
import type { Build, Gen } from './gen.ts';

/** Selectors for segment loads and LAR/LSL/VERR/VERW: Linux's user selectors, null, kernel ones, out of range. GDT entries 12-15 (TLS, per-CPU) are avoided: their contents depend on the thread and CPU. */
function selector(g: Gen, forSS = false): number {
  const r = g.rng;
  if (forSS) return r.chance(0.85) ? 0x2b : r.pick([0, 3, 0x23, 0x28, 0x10, 0x33]);
  const k = r.int(10);
  if (k < 4) return 0x2b;
  if (k < 5) return 0x23;
  if (k < 6) return r.pick([0, 1, 2, 3]);
  if (k < 7) return r.pick([0x33, 0x28, 0x2a, 0x20]);
  if (k < 9) return (r.int(12) << 3) | r.int(4) | (r.chance(0.1) ? 4 : 0);
  return ((16 + r.int(200)) << 3) | r.int(8);
}

/** Flags read, written and left undefined by a shift or rotate of `bits` bits by count (masked to 5 bits). */
export function shiftFlags(mn: string, count: number, bits: number): { rd: number; wr: number; udyn: number } {
  const c = count & 31;
  if (c === 0) return { rd: 0, wr: 0, udyn: 0 }; // a masked count of 0 changes no flag
  const of1 = c === 1 ? 0 : OF;
  switch (mn) {
    case 'rol': case 'ror': return { rd: 0, wr: CF | OF, udyn: of1 };
    case 'rcl': case 'rcr': return { rd: CF, wr: CF | OF, udyn: of1 };
    case 'shld': case 'shrd': return { rd: 0, wr: ARITH, udyn: AF | of1 };
    case 'sar': return { rd: 0, wr: ARITH, udyn: AF | of1 };
    default: return { rd: 0, wr: ARITH, udyn: AF | of1 | (c >= bits ? CF : 0) }; // shl sal shr
  }
}

const STACK_HOOKS = new Set(['push', 'pop', 'pusha', 'popa', 'pushf', 'popf', 'enter', 'leave', 'call', 'ret']);

function validStackPtr(v: number | null): boolean {
  return v !== null && v >= STACK + 0x400 && v <= STACK + REGION - 0x400;
}
function validDataPtr(v: number | null, margin: number): boolean {
  return v !== null && v >= DATA + margin && v <= DATA + REGION - margin;
}

/** Give register r (not ESP) the value v for an operand of the given size letter. */
function setReg(g: Gen, r: number, size: string, v: number): void {
  if (size === 'b') g.fixMovR8(r, v);
  else g.fixMovReg(r, size === 'w' ? ((g.rng.u32() & 0xffff0000) | (v & 0xffff)) >>> 0 : v);
}

/** The value of the r/m operand of B, made known: a register fix-up or a memory target holding v. */
function setRm(g: Gen, B: Build, v: number, size: number): void {
  const e = B.ri.ops[B.ri.rm];
  if (!B.mem) {
    setReg(g, B.rmReg, e.size === 'b' ? 'b' : size === 2 ? 'w' : 'd', v);
  } else {
    if (B.memTarget === undefined) B.memTarget = g.pickTarget(size);
    g.setMem(B.memTarget, v, size);
  }
}

function opSize(B: Build): number {
  const e = B.ri.rm >= 0 ? B.ri.ops[B.ri.rm] : null;
  return e ? sizeBytes(e.size, B.o16) : B.o16 ? 2 : 4;
}

export function applyHook(g: Gen, B: Build, phase: 'pre' | 'operands'): boolean {
  const ri = B.ri, ops = ri.ops, mn = ri.mn, r = g.rng, st = g.st;
  const w = B.o16 ? 2 : 4;
  if (phase === 'pre' && st.espBad && (STACK_HOOKS.has(ri.sem.hook) || ops.some((o) => o.kind === 'sreg'))) return false;
  switch (ri.sem.hook) {
    case 'plain': {
      const fixedEsp = ops.findIndex((o) => o.kind === 'reg' && o.reg === ESP && o.size !== 'b');
      if (phase === 'pre' && fixedEsp >= 0 && (mn === 'inc' || mn === 'dec')) {
        B.espDelta = mn === 'inc' ? 1 : -1; B.espHandled = true;
      }
      if (phase === 'operands' && fixedEsp >= 0 && mn === 'xchg') {
        // xchg eax, esp: EAX gets a valid stack pointer first.
        if (st.espBad) return false;
        const v = g.validEsp();
        g.fixMovReg(EAX, v);
        B.espSet = B.o16 ? ((STACK & 0xffff0000) | (v & 0xffff)) : v; B.espHandled = true;
      }
      if (phase === 'pre' && mn === 'aam' && r.chance(0.1)) B.imm.set(0, 0);
      return true;
    }
    case 'aam':
      if (phase === 'pre' && r.chance(0.15)) B.imm.set(0, 0); // #DE
      return true;
    case 'movimm': {
      const s = ops.findIndex((o) => o.kind === 'S');
      if (phase === 'pre' && s >= 0) {
        // mov Sw, Ew: a selector from the safe set into ES/SS/DS/FS/GS (rarely CS or 6/7: #UD).
        B.regField = r.chance(0.05) ? r.pick([1, 6, 7]) : r.pick([0, 2, 3, 3, 4, 5]);
        B.avoid |= 1 << ESP;
        return true;
      }
      if (phase === 'operands' && s === 0) {
        setRm(g, B, selector(g, B.regField === 2), 2);
        return true;
      }
      if (phase === 'operands' && ops[0].kind === 'reg' && ops[1]?.kind === 'I') {
        const reg = ops[0].reg, size = ops[0].size;
        const j = 1;
        if (size !== 'b' && reg === ESP) {
          const v = g.validEsp();
          B.imm.set(j, B.o16 ? v & 0xffff : v);
          B.espSet = B.o16 ? ((STACK & 0xffff0000) | (v & 0xffff)) : v; B.espHandled = true;
        } else if (size !== 'b' && !B.o16) {
          B.knownAfter.set(reg, B.imm.get(j)! >>> 0);
        }
      }
      if (phase === 'operands' && ops[0].kind === 'E' && !B.mem && !B.o16 && ops[0].size !== 'b' && ops[1]?.kind === 'I') {
        B.knownAfter.set(B.rmReg, B.imm.get(1)! >>> 0);
      }
      return true;
    }
    case 'push': {
      if (phase === 'pre') { B.espDelta = -w; B.espHandled = true; B.stackWrite = true; return true; }
      if (ops[0].kind === 'sreg' && !B.o16) {
        // A 32-bit push of a segment register writes 2 bytes (recent Intel) or 4 (AMD, older Intel):
        // zero the slot first so that both leave the same bytes.
        if (st.espLo !== st.espHi) return false;
        g.fixStore(st.espLo - 4, 0, 4);
      }
      return true;
    }
    case 'pop': {
      if (phase === 'pre') {
        B.espDelta = w; B.espHandled = true; B.noEspBase = true;
        return true;
      }
      const toEsp = (ops[0].kind === 'reg' && ops[0].reg === ESP && ops[0].size !== 'b') || (ops[0].kind === 'E' && !B.mem && B.rmReg === ESP);
      if (toEsp) {
        const v = g.validEsp();
        if (!g.fixPush(v)) return false;
        B.espDelta = 0; B.espSet = B.o16 ? ((STACK & 0xffff0000) | (v & 0xffff)) : v;
      } else if (ops[0].kind === 'sreg') {
        if (!g.fixPush(selector(g, ops[0].reg === 2))) return false;
      }
      return true;
    }
    case 'pusha':
      if (phase === 'pre') { B.espDelta = -8 * w; B.espHandled = true; B.stackWrite = true; }
      return true;
    case 'popa':
      if (phase === 'pre') { B.espDelta = 8 * w; B.espHandled = true; }
      return true;
    case 'pushf':
      if (phase === 'pre') { B.espDelta = -w; B.espHandled = true; B.stackWrite = true; }
      return true;
    case 'popf': {
      if (phase === 'pre') { B.espDelta = w; B.espHandled = true; return true; }
      // Any value but TF (a trap after the next instruction) and AC (alignment checks are on natively).
      const v = (r.u32() & ~0x40100) >>> 0;
      if (!g.fixPush(v)) return false;
      B.wr = ARITH; B.udyn = 0;
      return true;
    }
    case 'enter': {
      if (phase === 'pre') return true;
      if (st.espLo !== st.espHi) return false;
      const size = r.pick([0, 0, 1, 4, 8, 0x10, 0x22, 0x40, r.int(0x100)]);
      const level = r.pick([0, 0, 1, 1, 2, 3, 4, 31, 32, 33, r.int(256)]);
      B.imm.set(0, size); B.imm.set(1, level);
      const L = level & 31;
      if (L > 1 && !validStackPtr(st.known[EBP])) g.fixMovReg(EBP, g.validEsp());
      const esp = st.espLo;
      B.espDelta = -(w + (L > 0 ? L * w : 0) + size); B.espHandled = true; B.stackWrite = true;
      const ebp = st.known[EBP];
      if (!B.o16) B.knownAfter.set(EBP, esp - w);
      else if (ebp !== null) B.knownAfter.set(EBP, ((ebp & 0xffff0000) | ((esp - 2) & 0xffff)) >>> 0);
      return true;
    }
    case 'leave': {
      if (phase === 'pre') return true;
      let ebp = st.known[EBP];
      if (!validStackPtr(ebp)) { ebp = g.validEsp(); g.fixMovReg(EBP, ebp); }
      B.espSet = ebp! + w; B.espHandled = true;
      return true;
    }
    case 'shift': {
      if (phase === 'pre') return true;
      const bits = 8 * opSize(B);
      const cnt = ops.findIndex((o) => o.kind === 'I' || o.kind === 'one' || (o.kind === 'reg' && o.reg === ECX && o.size === 'b'));
      const o = ops[cnt];
      const longShift = mn === 'shld' || mn === 'shrd';
      const pickCount = (): number => {
        for (;;) {
          const c = g.count();
          if (!(longShift && bits === 16 && (c & 31) > 16)) return c; // result undefined past 16
        }
      };
      let c: number;
      if (!o || o.kind === 'one') c = 1;
      else if (o.kind === 'I') { c = pickCount(); B.imm.set(cnt, c); }
      else {
        const k = st.known[ECX];
        if (k !== null && r.chance(0.3) && !(longShift && bits === 16 && (k & 31) > 16)) c = k & 0xff;
        else { c = pickCount(); g.fixMovR8(ECX, c); }
      }
      const fl = shiftFlags(mn === 'sal' ? 'shl' : mn, c, bits);
      B.rd = fl.rd; B.wr = fl.wr; B.udyn = fl.udyn;
      return true;
    }
    case 'div': {
      if (phase === 'pre') { B.avoid |= 1 << ESP; return true; }
      const size = opSize(B), bits = 8 * size;
      const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
      const k = r.int(10);
      let d = k === 0 ? 0 : k < 5 ? g.value32() & mask : (1 + r.int(Math.min(mask, 1000))) & mask;
      if (d === 0 && k !== 0) d = 1;
      // The r/m operand overlapping the dividend (AL/AH, AX/DX, EAX/EDX): leave it random.
      const overlap = !B.mem && (size === 1 ? (B.rmReg & 3) === EAX : B.rmReg === EAX || B.rmReg === EDX);
      if (overlap) return true;
      setRm(g, B, d, size);
      const signed = mn === 'idiv';
      let hi: bigint, lo: bigint;
      const N = BigInt(bits), M = (1n << N) - 1n;
      if (r.chance(0.7) && d !== 0) {
        if (!signed) {
          hi = BigInt(r.int(d)); lo = BigInt(g.value32() & mask);
        } else {
          const ds = BigInt.asIntN(bits, BigInt(d));
          const half = 1n << (N - 1n);
          let q = BigInt.asIntN(bits, BigInt(g.value32() & mask));
          if (r.chance(0.5)) q = BigInt(r.int(200) - 100);
          if (q >= half || q < -half) q = 0n;
          const absd = ds < 0n ? -ds : ds;
          let rem = BigInt(r.int(Number(absd < 1000000n ? absd : 1000000n)));
          const prod = q * ds;
          if (prod < 0n || (prod === 0n && r.chance(0.5))) rem = -rem;
          const dividend = prod + rem;
          hi = (dividend >> N) & M; lo = dividend & M;
        }
      } else if (signed && r.chance(0.3)) {
        hi = M; lo = 1n << (N - 1n); // the most negative N-bit value, sign-extended: with divisor -1 the quotient overflows
        if (r.chance(0.5)) setRm(g, B, mask, size);
      } else {
        hi = BigInt(g.value32() & mask); lo = BigInt(g.value32() & mask);
      }
      if (size === 1) g.fixMovReg(EAX, ((r.u32() & 0xffff0000) | (Number(hi) << 8) | Number(lo)) >>> 0);
      else if (size === 2) {
        g.fixMovReg(EAX, ((r.u32() & 0xffff0000) | Number(lo)) >>> 0);
        g.fixMovReg(EDX, ((r.u32() & 0xffff0000) | Number(hi)) >>> 0);
      } else { g.fixMovReg(EAX, Number(lo)); g.fixMovReg(EDX, Number(hi)); }
      return true;
    }
    case 'bt': {
      const gi = ops.findIndex((o) => o.kind === 'G');
      if (phase === 'pre') { if (B.mem && gi >= 0) B.avoid |= 1 << ESP; return true; }
      if (B.mem) {
        B.memTarget = g.pickTarget(opSize(B), DATA + 0x100, DATA + REGION - 0x100);
        if (gi >= 0) {
          // A register bit offset reaches up to offset/8 bytes from the operand: keep it within +-64 bytes.
          const off = r.chance(0.7) ? r.int(0x401) - 0x200 : r.int(64);
          g.fixMovReg(B.regField, off >>> 0);
        }
      }
      return true;
    }
    case 'bsf': {
      if (phase === 'pre') { B.avoid |= 1 << ESP; return true; }
      const size = opSize(B);
      let zero = false;
      if (r.chance(0.25)) { setRm(g, B, 0, size); zero = true; }
      const known = !B.mem ? st.known[B.rmReg] : B.memTarget !== undefined ? g.memKnown(B.memTarget, size) : null;
      const maybeZero = zero || known === null || (known & (size === 2 ? 0xffff : 0xffffffff)) === 0;
      // A zero source leaves the destination undefined (Intel SDM); AMD documents it unchanged,
      // which is what is compared on AMD. On Intel the destination is overwritten right after.
      if (maybeZero && g.env.vendor === 'intel') {
        const dst = B.regField;
        B.after.push(() => { if (dst !== ESP) g.fixMovReg(dst, g.value32()); });
      }
      return true;
    }
    case 'bswap':
      return true;
    case 'string': {
      if (phase === 'pre') {
        const cmp = mn === 'cmps' || mn === 'scas';
        const k = r.int(10);
        B.rep = k < 5 ? 0 : cmp && k >= 8 ? 0xf2 : 0xf3;
        if (ops.some((o) => o.kind === 'X') && r.chance(0.3)) B.seg = g.pickSeg(false);
        if (mn === 'movs' || mn === 'stos' || mn === 'ins') B.memWrite = true;
        if (B.rep && cmp) { B.wr = 0; B.udyn = 0; } // with ECX = 0 no flag changes
        return true;
      }
      const src = ops.some((o) => o.kind === 'X'), dst = ops.some((o) => o.kind === 'Y');
      if (src && !validDataPtr(st.known[ESI], 0x100)) g.fixMovReg(ESI, g.pickTarget(1, DATA + 0x100, DATA + REGION - 0x100));
      if (dst && !validDataPtr(st.known[EDI], 0x100)) g.fixMovReg(EDI, g.pickTarget(1, DATA + 0x100, DATA + REGION - 0x100));
      const ecx = st.known[ECX];
      if (B.rep && (ecx === null || ecx > 8)) g.fixMovReg(ECX, r.int(7));
      return true;
    }
    case 'xlat':
      if (phase === 'operands') {
        const ebx = st.known[EBX];
        if (ebx === null || ebx < DATA || ebx > DATA + REGION - 256) g.fixMovReg(EBX, DATA + r.int(REGION - 256));
        if (r.chance(0.3)) B.seg = g.pickSeg(false);
      }
      return true;
    case 'jcc':
      if (phase === 'operands') {
        const t = g.targetSlot(ops[0].size === 'b' ? 2 : 4);
        B.jLabel = g.slotLabel(t);
        B.after.push(() => g.branchTo(t));
      }
      return true;
    case 'loop':
      if (phase === 'pre') { B.a16 = r.chance(0.3); return true; }
      {
        const t = g.targetSlot(2);
        B.jLabel = g.slotLabel(t);
        const ecx = st.known[ECX];
        if (mn !== 'jecxz' && mn !== 'jcxz' && ecx !== null) {
          B.knownAfter.set(ECX, B.a16 ? ((ecx & 0xffff0000) | ((ecx - 1) & 0xffff)) >>> 0 : (ecx - 1) >>> 0);
        }
        B.after.push(() => g.branchTo(t));
      }
      return true;
    case 'jmp': {
      if (ops[0].kind === 'J') {
        if (phase === 'operands') {
          const t = g.targetSlot(ops[0].size === 'b' ? 2 : 4);
          B.jLabel = g.slotLabel(t);
          B.after.push(() => g.branchTo(t));
        }
        return true;
      }
      if (phase === 'pre') { B.avoid |= 1 << ESP; return true; }
      const t = g.targetSlot(4);
      loadTarget(g, B, g.slotLabel(t));
      B.after.push(() => g.branchTo(t));
      return true;
    }
    case 'call': {
      if (phase === 'pre') {
        if (ops[0].kind !== 'J') B.avoid |= 1 << ESP;
        B.espDelta = -4; B.espHandled = true; B.stackWrite = true;
        return true;
      }
      const body = g.asm.newLabel(), after = g.asm.newLabel();
      if (ops[0].kind === 'J') B.jLabel = body;
      else loadTarget(g, B, body);
      B.after.push(() => {
        g.fixJmp(after);
        g.asm.place(body);
        g.emitBody();
        const n = r.pick([0, 0, 0, 2, 4, 8]);
        g.fixRet(n);
        g.st.espLo += 4 + n; g.st.espHi += 4 + n;
        g.asm.place(after);
      });
      return true;
    }
    case 'ret': {
      if (phase === 'pre') return true;
      const t = g.targetSlot(4);
      if (!g.fixPush(0, g.slotLabel(t))) return false;
      const n = ops.some((o) => o.kind === 'I') ? r.pick([0, 2, 4, 8, 12]) : 0;
      if (n || ops.some((o) => o.kind === 'I')) B.imm.set(0, n);
      B.espDelta = 4 + n; B.espHandled = true;
      B.after.push(() => g.branchTo(t));
      return true;
    }
    case 'int':
      if (phase === 'pre') {
        let v = r.int(256);
        if (r.chance(0.3)) v = r.pick([3, 4]);
        while (v === 0x80) v = r.int(256); // the Linux system call gate
        B.imm.set(0, v);
      }
      return true;
    case 'bound': {
      if (phase === 'pre') { B.avoid |= 1 << ESP; return true; }
      const s = B.o16 ? 2 : 4, bits = 8 * s, mask = s === 2 ? 0xffff : 0xffffffff;
      const t = g.pickTarget(2 * s);
      B.memTarget = t;
      const sx = (v: number): number => (bits === 16 ? (v << 16) >> 16 : v | 0);
      const lo = sx(g.value32() & mask), hi = sx(g.value32() & mask);
      const a = Math.min(lo, hi), b = Math.max(lo, hi);
      const lower = r.chance(0.8) ? a : b, upper = lower === a ? b : a;
      let idx = sx(g.value32() & mask);
      if (r.chance(0.6) && upper >= lower) idx = lower + Math.floor(r.int(1000) * (upper - lower) / 1000);
      g.setMem(t, lower >>> 0, s);
      g.setMem(t + s, upper >>> 0, s);
      g.fixMovReg(B.regField, idx >>> 0);
      return true;
    }
    case 'cmpxchg8b': {
      if (phase === 'pre') { B.memWrite = true; return true; }
      const t = g.pickTarget(8);
      B.memTarget = t;
      const lo = g.memKnown(t, 4), hi = g.memKnown(t + 4, 4);
      if (lo !== null && hi !== null && r.chance(0.5)) { g.fixMovReg(EAX, lo); g.fixMovReg(EDX, hi); }
      return true;
    }
    case 'segload': {
      if (phase === 'pre') return true;
      const s = B.o16 ? 2 : 4;
      const t = g.pickTarget(s + 2);
      B.memTarget = t;
      g.setMem(t, g.value32(), s);
      g.setMem(t + s, selector(g, mn === 'lss'), 2);
      return true;
    }
    case 'selector': {
      if (phase === 'pre') { B.avoid |= 1 << ESP; return true; }
      setRm(g, B, selector(g), 2);
      return true;
    }
    default:
      return false;
  }
}

/** jmp/call through a register or memory operand: give it the absolute address of `label`. */
function loadTarget(g: Gen, B: Build, label: number): void {
  if (!B.mem) { g.fixMovReg(B.rmReg, 0, label); return; }
  const t = g.pickTarget(4);
  B.memTarget = t;
  g.fixStore(t, 0, 4, label);
}

export { EDI, ESI };
