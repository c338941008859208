// The sequence generator. A sequence is 1-12 "slots"; each slot is one
// instruction of a form drawn from the opcode table, preceded by whatever
// set-up instructions ("fix-ups": MOV reg/mem, imm; PUSH imm; CMP reg, reg)
// its operands need, and ends with INT3.
//
// While generating, the generator tracks what is statically known:
//   - the value of each register (known after a MOV imm, unknown once written),
//   - ESP exactly or as a range (it must stay inside the stack region),
//   - which arithmetic flags are undefined (SDM), so that no instruction reads
//     one (a CMP is inserted first) and the comparison masks what is left,
//   - memory contents, until the first write whose address it does not follow.
// Memory operands are built from that knowledge: a target address in the data
// (or stack) region, reached as [disp32], [base+disp] or [base+index*scale+disp]
// with known base and index values (wrap-around included). Branches only go
// forward to a later slot, or CALL into a body that RETurns; the state at a
// branch target is the merge of every way in.
import { Asm, hex, le, REG16, REG32, REG8, SEG_PREFIX, SEGS, type Fix, type Placed } from './asm.ts';
import { CODE, DATA, fill, INTERESTING, REGION, STACK } from './layout.ts';
import { Rng } from './rng.ts';
import { ARITH, EAX, ECX, EDX, ESP, formKey, immBytes, sizeBytes, type Form, type RowInfo, type RowTable } from './rows.ts';
import { applyHook } from './hooks.ts';

/** What the generator must know about the machine the native side runs on. */
export interface GenEnv {
  vendor: 'amd' | 'intel';
  /** FS/GS hold null selectors natively (then overrides with them are #GP tests). */
  fsNull: boolean;
  gsNull: boolean;
}

export interface Case {
  index: number;
  seed: number;
  code: Uint8Array;
  /** Where the code starts in the code region (CODE + codeOff). */
  codeOff: number;
  /** EAX ECX EDX EBX ESP EBP ESI EDI, as unsigned. */
  regs: number[];
  eflags: number;
  dataSeed: number;
  stackSeed: number;
  patches: [number, number][];
  insns: Placed[];
  /** EFLAGS bits undefined at the final INT3. */
  undefEnd: number;
  undefRegsEnd: number;
}

export interface State {
  known: (number | null)[];
  espLo: number;
  espHi: number;
  undef: number;
  undefRegs: number;
  /** ESP was overwritten with something that is not a stack pointer: no stack use until it is reloaded. */
  espBad: boolean;
  /** Memory was written somewhere the generator does not follow: only fix-up stores are known. */
  dirty: boolean;
  overlay: Map<number, number>;
}

export const ESP_MIN = STACK + 0x300, ESP_MAX = STACK + REGION - 0x300;

function cloneState(s: State): State {
  return { ...s, known: s.known.slice(), overlay: new Map(s.overlay) };
}

function mergeState(a: State, b: State): State {
  const overlay = new Map<number, number>();
  for (const [k, v] of a.overlay) if (b.overlay.get(k) === v) overlay.set(k, v);
  return {
    known: a.known.map((v, i) => (v === b.known[i] ? v : null)),
    espLo: Math.min(a.espLo, b.espLo),
    espHi: Math.max(a.espHi, b.espHi),
    undef: a.undef | b.undef,
    undefRegs: a.undefRegs | b.undefRegs,
    espBad: a.espBad || b.espBad,
    dirty: a.dirty || b.dirty,
    overlay,
  };
}

/** One instruction being built (see emitForm). */
export interface Build {
  f: Form;
  ri: RowInfo;
  o16: boolean;
  mem: boolean;
  regField: number;
  rmReg: number;
  /** Immediate values by operand index (J operands take labels instead). */
  imm: Map<number, number>;
  jLabel: number;
  /** Absolute-label immediates (far pointers are not generated). */
  memSize: number;
  memTarget: number | undefined;
  memWrite: boolean;
  noAccess: boolean;
  noEspBase: boolean;
  seg: number;
  rep: number;
  lock: boolean;
  a16: boolean;
  rd: number;
  wr: number;
  udyn: number;
  knownAfter: Map<number, number>;
  espDelta: number;
  espSet: number | null;
  espHandled: boolean;
  stackWrite: boolean;
  /** Registers that must not be chosen for r/m or reg (and must not be base/index). */
  avoid: number;
  after: (() => void)[];
  text: string | null;
}

/** Hooks whose instructions may go in a CALL body (no stack use, no control transfer). */
export const BODY_HOOKS: readonly string[] = ['plain', 'shift', 'bt', 'bsf', 'movimm', 'div', 'aam', 'selector'];

const COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 255];

export class Gen {
  readonly rng: Rng;
  readonly asm = new Asm();
  st!: State;
  readonly image = new Uint8Array(2 * REGION);
  readonly patches: [number, number][] = [];
  private readonly pending = new Map<number, State>();
  private readonly slotLabels = new Map<number, number>();
  nslots = 0;
  slot = 0;
  private hot: number[] = [];
  /** Rows whose `undef` lacks flags the SDM leaves undefined for an operand generated here. */
  readonly undefGaps = new Map<string, number>();
  /** Inside a CALL body: no stack or control-flow instructions. */
  inBody = false;

  constructor(readonly table: RowTable, readonly env: GenEnv, seed: number, readonly simple: Form[]) {
    this.rng = new Rng(seed);
  }

  // ---- values ----

  value32(): number {
    const r = this.rng, k = r.int(20);
    if (k < 8) return r.pick(INTERESTING);
    if (k < 10) return (r.u32() & ~0xff | (r.pick(INTERESTING) & 0xff)) >>> 0;
    if (k < 12) return (r.u32() & ~0xffff | (r.pick(INTERESTING) & 0xffff)) >>> 0;
    if (k < 14) return r.int(40);
    if (k < 16) return DATA + r.int(REGION);
    return r.u32();
  }
  imm8(): number {
    return this.rng.chance(0.6) ? this.rng.pick([0, 1, 2, 0x7f, 0x80, 0x81, 0xff, 0xfe, 0x10, 0x0f]) : this.rng.int(256);
  }
  imm16(): number {
    return this.rng.chance(0.6) ? this.value32() & 0xffff : this.rng.int(65536);
  }
  count(): number {
    return this.rng.chance(0.8) ? this.rng.pick(COUNTS) : this.rng.int(256);
  }
  /** A stack pointer well inside the stack region, now and then misaligned. */
  validEsp(): number {
    return STACK + 0x800 + 4 * this.rng.int(0x200) + (this.rng.chance(0.1) ? 1 + this.rng.int(3) : 0);
  }

  // ---- memory knowledge ----

  memByte(a: number): number | null {
    const o = this.st.overlay.get(a);
    if (o !== undefined) return o;
    if (this.st.dirty) return null;
    if (a >= DATA && a < DATA + REGION) return this.image[a - DATA];
    if (a >= STACK && a < STACK + REGION) return this.image[REGION + a - STACK];
    return null;
  }
  memKnown(a: number, size: number): number | null {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = this.memByte(a + i);
      if (b === null) return null;
      v += b * 2 ** (8 * i);
    }
    return v >>> 0;
  }
  /** Make `size` bytes at `a` hold v: patch the initial image when nothing was written yet, else store with a fix-up. */
  setMem(a: number, v: number, size: number): void {
    if (!this.st.dirty && this.st.overlay.size === 0 && this.asm.insns.length === 0) {
      const off = a >= STACK ? REGION + a - STACK : a - DATA;
      for (let i = 0; i < size; i++) this.image[off + i] = (v >>> (8 * i)) & 0xff;
      const base = a & ~3;
      this.patches.push([base, this.imageDword(base)]);
      if ((a + size - 1) >>> 2 !== base >>> 2) this.patches.push([base + 4, this.imageDword(base + 4)]);
      return;
    }
    this.fixStore(a, v, size);
  }
  private imageDword(a: number): number {
    const off = a >= STACK ? REGION + a - STACK : a - DATA;
    return (this.image[off] | (this.image[off + 1] << 8) | (this.image[off + 2] << 16) | (this.image[off + 3] << 24)) >>> 0;
  }
  wroteMemory(addr: number | null, size: number, value: number | null = null): void {
    if (addr === null || value === null) { this.st.dirty = true; this.st.overlay.clear(); return; }
    for (let i = 0; i < size; i++) this.st.overlay.set(addr + i, (value >>> (8 * i)) & 0xff);
  }

  pickTarget(size: number, lo = DATA, hi = DATA + REGION): number {
    const r = this.rng;
    const k = r.int(20);
    let t: number;
    if (k < 3 && size > 1) t = DATA + 0x1000 - 1 - r.int(size - 1);
    else if (k < 12) t = this.hot[r.int(this.hot.length)] + r.int(4);
    else t = lo + r.int(hi - lo - size + 1);
    if (t < lo || t + size > hi) t = lo + r.int(hi - lo - size + 1);
    return t;
  }

  // ---- fix-ups ----

  private fixInsn(name: string, bytes: number[], text: string, fix: Fix[] = [], o16 = false, mem = false): void {
    const ri = this.table.byName.get(name);
    this.asm.emit({
      bytes, fix, form: ri ? formKey(ri, o16, mem) : name, text, fixup: true,
      undefBefore: this.st.undef, undefRegsBefore: this.st.undefRegs,
    });
  }
  fixMovReg(r: number, v: number, label = -1): void {
    const fix: Fix[] = label >= 0 ? [{ at: 1, kind: 'abs32', label }] : [];
    this.fixInsn(`mov_${['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'][r]}_Iz`, [0xb8 + r, ...le(v, 4)],
      `mov ${REG32[r]}, ${label >= 0 ? `L${label}` : hex(v)}`, fix);
    this.st.known[r] = label >= 0 ? null : v >>> 0;
    this.st.undefRegs &= ~(1 << r);
    if (r === ESP) { this.st.espLo = this.st.espHi = v; }
  }
  fixMovR8(r8: number, v: number): void {
    this.fixInsn(`mov_${['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'][r8]}_Ib`, [0xb0 + r8, v & 0xff], `mov ${REG8[r8]}, ${hex(v & 0xff)}`);
    const r = r8 & 3, sh = r8 & 4 ? 8 : 0, k = this.st.known[r];
    this.st.known[r] = k === null ? null : ((k & ~(0xff << sh)) | ((v & 0xff) << sh)) >>> 0;
  }
  fixStore(a: number, v: number, size: number, label = -1): void {
    if (size === 1) {
      this.fixInsn('mov_Eb_Ib', [0xc6, 0x05, ...le(a, 4), v & 0xff], `mov byte [${hex(a)}], ${hex(v & 0xff)}`, [], false, true);
    } else if (size === 2) {
      this.fixInsn('mov_Ev_Iz', [0x66, 0xc7, 0x05, ...le(a, 4), ...le(v, 2)], `mov word [${hex(a)}], ${hex(v & 0xffff)}`, [], true, true);
    } else {
      const fix: Fix[] = label >= 0 ? [{ at: 6, kind: 'abs32', label }] : [];
      this.fixInsn('mov_Ev_Iz', [0xc7, 0x05, ...le(a, 4), ...le(v, 4)], `mov dword [${hex(a)}], ${label >= 0 ? `L${label}` : hex(v)}`, fix, false, true);
    }
    if (label >= 0) this.wroteMemory(a, 4, 0); // the value is an address known only at layout
    else this.wroteMemory(a, size, v);
    if (label >= 0) for (let i = 0; i < 4; i++) this.st.overlay.delete(a + i);
  }
  fixPush(v: number, label = -1): boolean {
    if (this.st.espBad || this.st.espLo - 4 < ESP_MIN) return false;
    const fix: Fix[] = label >= 0 ? [{ at: 1, kind: 'abs32', label }] : [];
    this.fixInsn('push_Iz', [0x68, ...le(v, 4)], `push ${label >= 0 ? `L${label}` : hex(v)}`, fix);
    this.st.espLo -= 4; this.st.espHi -= 4;
    this.wroteMemory(null, 4);
    return true;
  }
  /** CMP reg, reg: defines all six arithmetic flags and changes nothing else. */
  fixDefineFlags(): void {
    const a = this.rng.int(8), b = this.rng.int(8);
    this.fixInsn('cmp_Ev_Gv', [0x39, 0xc0 | (b << 3) | a], `cmp ${REG32[a]}, ${REG32[b]}`, [], false, false);
    this.st.undef &= ~ARITH;
  }
  fixJmp(label: number): void {
    this.fixInsn('jmp_Jz', [0xe9, 0, 0, 0, 0], `jmp L${label}`, [{ at: 1, kind: 'rel32', label }]);
  }
  fixRet(n: number): void {
    if (n) this.fixInsn('ret_Iw', [0xc2, ...le(n, 2)], `ret ${n}`);
    else this.fixInsn('ret', [0xc3], 'ret');
  }

  /** A register that holds a known value (not ESP), or -1. */
  knownReg(pred: (v: number) => boolean = () => true, avoid = 0): number {
    const c: number[] = [];
    for (let r = 0; r < 8; r++) if (r !== ESP && !(avoid >> r & 1) && this.st.known[r] !== null && pred(this.st.known[r]!)) c.push(r);
    return c.length ? this.rng.pick(c) : -1;
  }

  // ---- branches ----

  /** A later slot (or the end) for a forward branch, within `maxAhead` slots. */
  targetSlot(maxAhead = 3): number {
    const room = Math.min(maxAhead, this.nslots - this.slot);
    return this.slot + 1 + this.rng.int(room);
  }
  slotLabel(t: number): number {
    let l = this.slotLabels.get(t);
    if (l === undefined) { l = this.asm.newLabel(); this.slotLabels.set(t, l); }
    return l;
  }
  /** The current state also reaches slot t (a taken branch). */
  branchTo(t: number, s: State = this.st): void {
    const p = this.pending.get(t);
    this.pending.set(t, p ? mergeState(p, s) : cloneState(s));
  }
  snapshot(): State {
    return cloneState(this.st);
  }

  private startSlot(k: number): void {
    this.slot = k;
    const l = this.slotLabels.get(k);
    if (l !== undefined) this.asm.place(l);
    const p = this.pending.get(k);
    if (p) { this.st = mergeState(this.st, p); this.pending.delete(k); }
  }

  // ---- the sequence ----

  generate(index: number, seed: number): Case | null {
    const r = this.rng;
    const regs: number[] = [];
    for (let i = 0; i < 8; i++) regs.push(this.value32());
    regs[ESP] = this.validEsp();
    const eflags = (r.u32() & ARITH) | (r.chance(0.3) ? 0x400 : 0) | (r.chance(0.15) ? 0x200000 : 0) |
      (r.chance(0.1) ? 0x4000 : 0) | 0x202;
    const dataSeed = r.u32(), stackSeed = r.u32();
    fill(this.image, 0, dataSeed);
    fill(this.image, REGION, stackSeed);
    this.hot = [0, 1, 2].map(() => DATA + 0x40 + r.int(REGION - 0x80));
    this.st = {
      known: regs.slice(), espLo: regs[ESP], espHi: regs[ESP], undef: 0, undefRegs: 0, espBad: false, dirty: false, overlay: new Map(),
    };
    this.nslots = 1 + r.int(12);
    const forms = this.table.forms;
    for (let k = 0; k < this.nslots; k++) {
      this.startSlot(k);
      for (let tries = 0; tries < 12; tries++) {
        if (this.emitForm(r.pick(forms))) break;
      }
    }
    this.startSlot(this.nslots);
    this.asm.emit({ bytes: [0xcc], fix: [], form: null, text: 'int3 (end)', fixup: true, undefBefore: this.st.undef, undefRegsBefore: this.st.undefRegs });
    let lay = this.asm.layout();
    if (!lay || lay.code.length > 0xf00) return null;
    // Now and then the sequence straddles the boundary between the two code pages.
    const codeOff = r.chance(0.15) ? 0x1000 - 1 - r.int(Math.min(lay.code.length, 48)) : 0;
    lay = this.asm.layout(CODE + codeOff)!;
    return {
      index, seed, code: lay.code, codeOff, regs: regs.map((v) => v >>> 0), eflags, dataSeed, stackSeed,
      patches: this.patches.slice(), insns: lay.placed, undefEnd: this.st.undef, undefRegsEnd: this.st.undefRegs,
    };
  }

  /** One call body: a few plain instructions (no stack, no branches). */
  emitBody(): void {
    const was = this.inBody;
    this.inBody = true;
    const n = 1 + this.rng.int(2);
    for (let k = 0; k < n; k++) {
      for (let tries = 0; tries < 8; tries++) if (this.emitForm(this.rng.pick(this.simple))) break;
    }
    this.inBody = was;
  }

  chooseReg(size: string, written: boolean, avoid: number): number {
    const c: number[] = [];
    for (let r = 0; r < 8; r++) {
      if (avoid >> r & 1) continue;
      // ESP as a destination makes it unusable as a stack pointer; allowed now and then, never in a CALL body.
      if (size !== 'b' && r === ESP && written && (this.inBody || !this.rng.chance(0.03))) continue;
      c.push(r);
    }
    return this.rng.pick(c);
  }

  /** Build and emit one instruction of form f (with its fix-ups). False: not possible here; nothing was emitted for it. */
  emitForm(f: Form): boolean {
    const ri = f.ri, sem = ri.sem, r = this.rng;
    if (this.inBody && (sem.near || !BODY_HOOKS.includes(sem.hook))) return false;
    const B: Build = {
      f, ri, o16: f.o16, mem: f.mem, regField: -1, rmReg: -1, imm: new Map(), jLabel: -1,
      // In a CALL body nothing may address the stack: the return address is there.
      memSize: 0, memTarget: undefined, memWrite: false, noAccess: ri.mn === 'lea' || ri.mn === 'nop', noEspBase: this.inBody,
      seg: -1, rep: 0, lock: false, a16: false,
      rd: sem.rd, wr: sem.wr, udyn: sem.sdm ?? ri.row.undef ?? 0,
      knownAfter: new Map(), espDelta: 0, espSet: null, espHandled: false, stackWrite: false, avoid: 0, after: [], text: null,
    };
    const ops = ri.ops;
    const writtenOp = (j: number): boolean => (sem.dst === 'w' && j === 0) || (sem.dst === 'ww' && j <= 1);
    // Operand registers and immediates.
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j];
      if (o.kind === 'I') B.imm.set(j, o.size === 'b' ? this.imm8() : o.size === 'w' ? this.imm16() : f.o16 ? this.imm16() : this.value32());
      if (o.kind === 'E' || o.kind === 'M' || o.kind === 'R') B.memSize = sizeBytes(o.size, f.o16);
      if ((o.kind === 'E' || o.kind === 'M') && f.mem && writtenOp(j)) B.memWrite = true;
      if (o.kind === 'O') B.memWrite = writtenOp(j);
    }
    if (!applyHook(this, B, 'pre')) return false;
    if (ri.modrm) {
      const g = ops.findIndex((o) => o.kind === 'G');
      if (B.regField < 0) {
        if (ri.row.reg !== undefined) B.regField = ri.row.reg;
        else if (g >= 0) B.regField = this.chooseReg(ops[g].size, writtenOp(g), B.avoid);
        else B.regField = r.int(8);
      }
      if (!f.mem && B.rmReg < 0) {
        const e = ri.rm;
        B.rmReg = e >= 0 ? this.chooseReg(ops[e].size, writtenOp(e), B.avoid) : r.int(8);
      }
    }
    if (!applyHook(this, B, 'operands')) return false;
    if (ri.sem.sdm !== null || ri.sem.hook === 'shift') {
      const miss = B.udyn & ~(ri.row.undef ?? 0);
      if (miss) this.undefGaps.set(ri.name, (this.undefGaps.get(ri.name) ?? 0) | miss);
    }
    // Registers written, and ESP.
    const written = this.writtenRegs(B);
    const espWild = (written >> ESP & 1) === 1 && !B.espHandled;
    if (this.inBody && (espWild || B.espDelta !== 0 || B.espSet !== null)) return false;
    const lo = B.espSet ?? this.st.espLo + B.espDelta, hi = B.espSet ?? this.st.espHi + B.espDelta;
    if (!espWild && (B.espSet !== null || !this.st.espBad) &&
      (Math.min(lo, this.st.espLo) < ESP_MIN || Math.max(hi, this.st.espHi) > ESP_MAX)) return false;
    // Prefixes.
    const pfx: number[] = [];
    const memOp = f.mem || ops.some((o) => o.kind === 'O');
    // LOCK where it is legal, and now and then where it must raise #UD; never on MOV to/from CRn,
    // which AMD processors read as CR8 (AltMovCr8) when LOCK prefixes it, nor on the 0F 00 and
    // 0F 01 system groups (LOCK VERW executes on the AMD EPYC CI machine).
    const crMov = (ri.row.op >= 0x0f20 && ri.row.op <= 0x0f23) || ri.row.op === 0x0f00 || ri.row.op === 0x0f01;
    if (B.lock || (ri.row.lock && f.mem && r.chance(0.4)) || (!crMov && r.chance(0.005))) pfx.push(0xf0);
    if (B.rep) pfx.push(B.rep);
    if (memOp && B.seg < 0 && !B.noAccess) B.seg = this.pickSeg(B.memWrite);
    if (B.seg >= 0) pfx.push(SEG_PREFIX[B.seg]);
    else if (!memOp && r.chance(0.03)) pfx.push(r.pick([0x26, 0x2e, 0x36, 0x3e]));
    if (f.o16) pfx.push(0x66);
    const addrFree = !memOp && !ops.some((o) => 'XYM'.includes(o.kind)) && !['xlat', 'string', 'loop'].includes(sem.hook);
    if (B.a16 || (addrFree && r.chance(0.03))) pfx.push(0x67);
    if (pfx.length > 1 && r.chance(0.2)) pfx.reverse();
    // Flags it reads must be defined.
    if (B.rd & this.st.undef) this.fixDefineFlags();
    // Opcode, ModRM, SIB, displacement.
    const bytes = [...pfx];
    const op = ri.row.op;
    if (op >= 0x0f00) bytes.push(0x0f, op & 0xff); else bytes.push(op);
    let memText = '', memAddr: number | null = null;
    if (ri.modrm) {
      if (f.mem) {
        const m = this.memOperand(B);
        if (!m) return false;
        bytes.push((m.mod << 6) | (B.regField << 3) | m.rm);
        if (m.sib !== null) bytes.push(m.sib);
        bytes.push(...m.disp);
        memText = m.text; memAddr = m.addr;
      } else {
        bytes.push(0xc0 | (B.regField << 3) | B.rmReg);
      }
    }
    const fix: Fix[] = [];
    const immStart = bytes.length;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j];
      if (o.kind === 'I') bytes.push(...le(B.imm.get(j)!, o.size === 'b' ? 1 : o.size === 'w' ? 2 : f.o16 ? 2 : 4));
      else if (o.kind === 'J') {
        const rel8 = o.size === 'b';
        fix.push({ at: bytes.length, kind: rel8 ? 'rel8' : 'rel32', label: B.jLabel });
        bytes.push(...(rel8 ? [0] : [0, 0, 0, 0]));
      } else if (o.kind === 'O') {
        memAddr = B.memTarget ?? this.pickTarget(sizeBytes(o.size, f.o16));
        memText = `[${hex(memAddr)}]`;
        bytes.push(...le(memAddr, 4));
      }
    }
    if (bytes.length - immStart !== immBytes(ri.imm, f.o16) && !(ri.ops.some((o) => o.kind === 'J'))) {
      throw new Error(`difftest: immediate size of ${ri.name} disagrees with decodeInfoOf`);
    }
    // Now and then pad with redundant DS prefixes to exactly 15 bytes (legal) or past 15 (#GP).
    if (!memOp && B.seg < 0 && !fix.length && r.chance(0.004)) {
      const k = r.chance(0.5) ? 15 - bytes.length : 16 - bytes.length + r.int(3);
      if (k > 0) bytes.unshift(...new Array<number>(k).fill(0x3e));
    }
    this.asm.emit({
      bytes, fix, form: f.key, text: B.text ?? this.render(B, memText, pfx), fixup: false,
      undefBefore: this.st.undef, undefRegsBefore: this.st.undefRegs,
    });
    // State after it.
    for (let reg = 0; reg < 8; reg++) {
      if (!(written >> reg & 1) || reg === ESP) continue;
      this.st.known[reg] = B.knownAfter.get(reg) ?? null;
      this.st.undefRegs &= ~(1 << reg);
    }
    if (espWild) this.st.espBad = true;
    else {
      this.st.espLo = lo; this.st.espHi = hi;
      if (B.espSet !== null) this.st.espBad = false;
    }
    if (B.memWrite) this.wroteMemory(memAddr, B.memSize, null);
    if (B.stackWrite || B.espDelta < 0) this.wroteMemory(null, 0);
    this.st.undef = (this.st.undef & ~B.wr) | B.udyn;
    for (const a of B.after) a();
    return true;
  }

  private writtenRegs(B: Build): number {
    const ops = B.ri.ops, sem = B.ri.sem;
    let w = sem.imp;
    for (let j = 0; j < ops.length; j++) {
      if (!((sem.dst === 'w' && j === 0) || (sem.dst === 'ww' && j <= 1))) continue;
      const o = ops[j];
      const fold = (r: number): number => (o.size === 'b' ? r & 3 : r);
      if ((o.kind === 'E' || o.kind === 'R') && !B.mem) w |= 1 << fold(B.rmReg);
      else if (o.kind === 'G') w |= 1 << fold(B.regField);
      else if (o.kind === 'reg') w |= 1 << fold(o.reg);
    }
    return w;
  }

  pickSeg(write: boolean): number {
    const r = this.rng, k = r.int(100);
    if (k < 70) return -1;
    if (k < 78) return 3;
    if (k < 86) return 0;
    if (k < 94) return 2;
    if (k < 98) return write ? -1 : 1;
    if (k === 98 && (this.env.fsNull || this.env.gsNull)) return this.env.fsNull ? 4 : 5; // null segment: #GP(0)
    return write ? 1 : -1; // a write through CS: #GP(0)
  }

  /** The ModRM memory operand for B (32-bit addressing), reaching B.memTarget or a fresh target. */
  memOperand(B: Build): { mod: number; rm: number; sib: number | null; disp: number[]; text: string; addr: number | null } | null {
    const r = this.rng, size = Math.max(B.memSize, 1);
    const avoid = B.avoid;
    if (B.noAccess) {
      const base = r.int(8), mod = r.int(3);
      const disp = mod === 1 ? [r.int(256)] : mod === 2 || (mod === 0 && base === 5) ? le(r.u32(), 4) : [];
      if (base === 4) return { mod, rm: 4, sib: (r.int(4) << 6) | (r.int(8) << 3) | 4, disp, text: '[sib]', addr: null };
      return { mod, rm: base, sib: null, disp, text: `[${REG32[base]}+...]`, addr: null };
    }
    const espExact = this.st.espLo === this.st.espHi && !this.st.espBad;
    const k = r.int(20);
    // [esp+disp]: the target is near the top of the stack.
    if (k < 2 && espExact && !B.noEspBase && B.memTarget === undefined) {
      const esp = this.st.espLo, d = r.int(120);
      const t = esp + d;
      if (t + size <= STACK + REGION) {
        const disp = d < 128 && r.chance(0.7) ? [d] : le(d, 4);
        return { mod: disp.length === 1 ? 1 : 2, rm: 4, sib: 0x24, disp, text: `[esp+${hex(d)}]`, addr: t };
      }
    }
    const t = B.memTarget ?? this.pickTarget(size);
    const dispFor = (v: number, allowNone: boolean): { mod: number; disp: number[] } => {
      const d = v | 0;
      if (d === 0 && allowNone) return { mod: 0, disp: [] };
      if (d >= -128 && d <= 127) return { mod: 1, disp: [d & 0xff] };
      return { mod: 2, disp: le(d, 4) };
    };
    if (k < 6) return { mod: 0, rm: 5, sib: null, disp: le(t, 4), text: `[${hex(t)}]`, addr: t };
    if (k < 12) {
      const b = this.knownReg(() => true, avoid);
      if (b >= 0) {
        const { mod, disp } = dispFor(t - this.st.known[b]!, b !== 5);
        return { mod, rm: b, sib: null, disp, text: `[${REG32[b]}${dispText(disp)}]`, addr: t };
      }
    }
    // SIB: base (or none) + index*scale + disp.
    const idx = this.knownReg(() => true, avoid);
    if (idx < 0) return { mod: 0, rm: 5, sib: null, disp: le(t, 4), text: `[${hex(t)}]`, addr: t };
    const scale = r.int(4);
    const iv = (this.st.known[idx]! << scale) | 0;
    const b = r.chance(0.8) ? this.knownReg(() => true, avoid) : -1;
    if (b < 0) {
      return { mod: 0, rm: 4, sib: (scale << 6) | (idx << 3) | 5, disp: le(t - iv, 4), text: `[${REG32[idx]}*${1 << scale}+${hex(t - iv)}]`, addr: t };
    }
    const { mod, disp } = dispFor(t - this.st.known[b]! - iv, b !== 5);
    return { mod, rm: 4, sib: (scale << 6) | (idx << 3) | b, disp, text: `[${REG32[b]}+${REG32[idx]}*${1 << scale}${dispText(disp)}]`, addr: t };
  }

  private render(B: Build, memText: string, pfx: number[]): string {
    const parts: string[] = [];
    const ops = B.ri.ops;
    const regName = (r: number, size: string): string =>
      size === 'b' ? REG8[r] : size === 'w' || ((size === 'v' || size === 'z') && B.o16) ? REG16[r] : REG32[r];
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j];
      switch (o.kind) {
        case 'E': case 'M': case 'R': parts.push(B.mem ? `${B.seg >= 0 ? SEGS[B.seg] + ':' : ''}${memText}` : regName(B.rmReg, o.size)); break;
        case 'G': parts.push(regName(B.regField, o.size)); break;
        case 'S': parts.push(SEGS[B.regField] ?? `seg${B.regField}`); break;
        case 'I': parts.push(hex(B.imm.get(j)!)); break;
        case 'J': parts.push(`L${B.jLabel}`); break;
        case 'O': parts.push(memText); break;
        case 'reg': parts.push(o.size === 'b' ? REG8[o.reg] : regName(o.reg, o.size === 'w' ? 'w' : 'v')); break;
        default: parts.push(o.text);
      }
    }
    const p = pfx.map((b) => ({ 0xf0: 'lock ', 0xf3: 'rep ', 0xf2: 'repne ', 0x66: 'o16 ', 0x67: 'a16 ' } as Record<number, string>)[b] ?? '').join('');
    return `${p}${B.ri.mn} ${parts.join(', ')}`.trim();
  }
}

function dispText(disp: number[]): string {
  if (!disp.length) return '';
  const v = disp.length === 1 ? (disp[0] << 24) >> 24 : (disp[0] | (disp[1] << 8) | (disp[2] << 16) | (disp[3] << 24));
  return v < 0 ? `-${hex(-v)}` : `+${hex(v)}`;
}

export { CODE, EAX, ECX, EDX };
