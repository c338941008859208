// Every fast form of the block compiler (blockemit.ts) against its handler:
// the same short program runs interpreted (compile threshold 0) and compiled
// (threshold 1) from the same state, over edge values of the operands and of
// the flags, after each kind of flag producer (fused conditions, CF saving),
// and in environments that force each slow path: unaligned and page-crossing
// operands, a segment limit (#GP), paging with a missing page and a read-only
// page (#PF), and a clean page (the dirty bit). After every run the register
// files (lazy-flag slots, EFLAGS, counts included) and memory must be equal,
// and in the plain environment the instruction's handler must not have been
// called by the compiled code once the TLB was filled: the fast path itself
// was tested.
import { describe, expect, it } from 'vitest';
import { R, SEG_DS } from '../shared/layout';
import { CR0_PG, CR0_WP } from './defs';
import { decodeOne, HANDLER_NAMES, HANDLERS } from './decode';
import { testMachine, type TestMachine } from './testing';

const CODE = 0x3000, HLT = 0x1100, STACK = 0x7000, DATA = 0x8000, TABLES = 0x20000;
/** Compared after each run: stack, data and page tables. */
const WINDOWS: [number, number][] = [[0x6000, 0xa000], [TABLES, TABLES + 0x2000]];

interface Case {
  asm: string;
  /** Instruction bytes, given the address they are placed at (for relative targets). */
  bytes: number[] | ((at: number) => number[]);
  /** Has a memory operand: also run in the slow-path environments. */
  mem?: boolean;
  /** Reads the flags: run after every producer. */
  flags?: boolean;
  /** The compiled code may call the handler even in the plain environment. */
  slow?: boolean;
}

const I32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const CC = ['o', 'no', 'b', 'nb', 'z', 'nz', 'be', 'nbe', 's', 'ns', 'p', 'np', 'l', 'nl', 'le', 'nle'];

function cases(): Case[] {
  const list: Case[] = [
    { asm: 'mov eax,0x12345678', bytes: [0xb8, ...I32(0x12345678)] },
    { asm: 'mov ah,0x9a', bytes: [0xb4, 0x9a] },
    { asm: 'mov ecx,eax', bytes: [0x8b, 0xc8] },
    { asm: 'mov ecx,[ebx]', bytes: [0x8b, 0x0b], mem: true },
    { asm: 'mov ecx,[ebx+esi*4+8]', bytes: [0x8b, 0x4c, 0xb3, 0x08], mem: true },
    { asm: 'mov eax,ecx (89)', bytes: [0x89, 0xc8] },
    { asm: 'mov [ebx],ecx', bytes: [0x89, 0x0b], mem: true },
    { asm: 'mov cl,ah', bytes: [0x8a, 0xcc] },
    { asm: 'mov ch,[ebx]', bytes: [0x8a, 0x2b], mem: true },
    { asm: 'mov ah,cl (88)', bytes: [0x88, 0xcc] },
    { asm: 'mov [ebx],ch', bytes: [0x88, 0x2b], mem: true },
    { asm: 'mov eax,0x80000000 (c7)', bytes: [0xc7, 0xc0, ...I32(0x80000000)] },
    { asm: 'mov dword [ebx],0xfffffffe', bytes: [0xc7, 0x03, ...I32(0xfffffffe)], mem: true },
    { asm: 'mov ah,0x80 (c6)', bytes: [0xc6, 0xc4, 0x80] },
    { asm: 'mov byte [ebx],0xff', bytes: [0xc6, 0x03, 0xff], mem: true },
    { asm: 'mov eax,[0x8000]', bytes: [0xa1, ...I32(DATA)], mem: true },
    { asm: 'mov [0x8004],eax', bytes: [0xa3, ...I32(DATA + 4)], mem: true },
    { asm: 'mov eax,[0x8ffe]', bytes: [0xa1, ...I32(DATA + 0xffe)], mem: true, slow: true },
    { asm: 'lea ecx,[ebx+esi*4+8]', bytes: [0x8d, 0x4c, 0xb3, 0x08] },
    { asm: 'movzx ecx,ah', bytes: [0x0f, 0xb6, 0xcc] },
    { asm: 'movzx ecx,byte [ebx]', bytes: [0x0f, 0xb6, 0x0b], mem: true },
    { asm: 'movzx ecx,ax', bytes: [0x0f, 0xb7, 0xc8] },
    { asm: 'movzx ecx,word [ebx]', bytes: [0x0f, 0xb7, 0x0b], mem: true },
    { asm: 'movsx ecx,ah', bytes: [0x0f, 0xbe, 0xcc] },
    { asm: 'movsx ecx,byte [ebx]', bytes: [0x0f, 0xbe, 0x0b], mem: true },
    { asm: 'movsx ecx,ax', bytes: [0x0f, 0xbf, 0xc8] },
    { asm: 'movsx ecx,word [ebx+esi*4+8]', bytes: [0x0f, 0xbf, 0x4c, 0xb3, 0x08], mem: true },
    { asm: 'cwde', bytes: [0x98] },
    { asm: 'cdq', bytes: [0x99] },
    { asm: 'nop', bytes: [0x90] },
    { asm: 'not eax', bytes: [0xf7, 0xd0] },
    { asm: 'not dword [ebx]', bytes: [0xf7, 0x13], mem: true },
    { asm: 'neg eax', bytes: [0xf7, 0xd8] },
    { asm: 'neg dword [ebx]', bytes: [0xf7, 0x1b], mem: true },
    { asm: 'inc eax', bytes: [0x40], flags: true },
    { asm: 'dec ecx', bytes: [0x49], flags: true },
    { asm: 'inc eax (ff /0)', bytes: [0xff, 0xc0], flags: true },
    { asm: 'inc dword [ebx]', bytes: [0xff, 0x03], mem: true, flags: true },
    { asm: 'dec dword [ebx]', bytes: [0xff, 0x0b], mem: true, flags: true },
    { asm: 'imul ecx,eax', bytes: [0x0f, 0xaf, 0xc8], flags: true },
    { asm: 'imul ecx,[ebx]', bytes: [0x0f, 0xaf, 0x0b], mem: true },
    { asm: 'imul ecx,eax,0x7fffffff', bytes: [0x69, 0xc8, ...I32(0x7fffffff)] },
    { asm: 'imul ecx,[ebx],-3', bytes: [0x6b, 0x0b, 0xfd], mem: true },
    { asm: 'push eax', bytes: [0x50] },
    { asm: 'push esp', bytes: [0x54] },
    { asm: 'pop ecx', bytes: [0x59] },
    { asm: 'pop esp', bytes: [0x5c] },
    { asm: 'push 0x12345678', bytes: [0x68, ...I32(0x12345678)] },
    { asm: 'push -2', bytes: [0x6a, 0xfe] },
    { asm: 'call HLT', bytes: (at) => [0xe8, ...I32(HLT - (at + 5))] },
    { asm: 'ret', bytes: [0xc3] },
    { asm: 'rep ret', bytes: [0xf3, 0xc3] },
    { asm: 'jmp $+3', bytes: [0xeb, 0x01] },
    { asm: 'movsb', bytes: [0xa4], mem: true },
    { asm: 'movsd', bytes: [0xa5], mem: true },
    { asm: 'es movsb', bytes: [0x26, 0xa4], mem: true },
    { asm: 'stosb', bytes: [0xaa], mem: true },
    { asm: 'stosd', bytes: [0xab], mem: true },
    { asm: 'lodsb', bytes: [0xac], mem: true },
    { asm: 'lodsd', bytes: [0xad], mem: true },
    { asm: 'rep movsb', bytes: [0xf3, 0xa4], mem: true, slow: true },
    { asm: 'mul ecx', bytes: [0xf7, 0xe1], flags: true },
    { asm: 'mul dword [ebx]', bytes: [0xf7, 0x23], mem: true },
    { asm: 'bsf ecx,eax', bytes: [0x0f, 0xbc, 0xc8], flags: true },
    { asm: 'bsf ecx,[ebx]', bytes: [0x0f, 0xbc, 0x0b], mem: true },
    { asm: 'bsr ecx,eax', bytes: [0x0f, 0xbd, 0xc8] },
    { asm: 'bsr ecx,[ebx]', bytes: [0x0f, 0xbd, 0x0b], mem: true },
    { asm: 'mov ax,cx', bytes: [0x66, 0x89, 0xc8] },
    { asm: 'mov [ebx],cx', bytes: [0x66, 0x89, 0x0b], mem: true },
    { asm: 'mov cx,ax', bytes: [0x66, 0x8b, 0xc8] },
    { asm: 'mov cx,[ebx]', bytes: [0x66, 0x8b, 0x0b], mem: true },
    { asm: 'mov ax,0x8001', bytes: [0x66, 0xc7, 0xc0, 0x01, 0x80] },
    { asm: 'mov word [ebx],0xfffe', bytes: [0x66, 0xc7, 0x03, 0xfe, 0xff], mem: true },
    { asm: 'nopw [eax+eax+0]', bytes: [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00] },
    { asm: 'xchg ax,ax (66 90)', bytes: [0x66, 0x90] },
  ];
  // ALU: ADD OR AND SUB XOR CMP (op << 3) in every encoding, and TEST.
  for (const [name, op] of [['add', 0], ['or', 1], ['and', 4], ['sub', 5], ['xor', 6], ['cmp', 7]] as const) {
    const b = op << 3;
    list.push(
      { asm: `${name} eax,ecx`, bytes: [b + 1, 0xc8] },
      { asm: `${name} [ebx],ecx`, bytes: [b + 1, 0x0b], mem: true },
      { asm: `${name} ecx,eax`, bytes: [b + 3, 0xc8] },
      { asm: `${name} ecx,[ebx+esi*4+8]`, bytes: [b + 3, 0x4c, 0xb3, 0x08], mem: true },
      { asm: `${name} eax,0x80000000`, bytes: [b + 5, ...I32(0x80000000)] },
      { asm: `${name} eax,0x7fffffff (81)`, bytes: [0x81, 0xc0 | (op << 3), ...I32(0x7fffffff)] },
      { asm: `${name} dword [ebx],1 (81)`, bytes: [0x81, 0x03 | (op << 3), ...I32(1)], mem: true },
      { asm: `${name} eax,-128 (83)`, bytes: [0x83, 0xc0 | (op << 3), 0x80] },
      { asm: `${name} dword [ebx],-1 (83)`, bytes: [0x83, 0x03 | (op << 3), 0xff], mem: true },
      { asm: `${name} ah,cl`, bytes: [b, 0xcc] },
      { asm: `${name} [ebx],cl`, bytes: [b, 0x0b], mem: true },
      { asm: `${name} cl,ah`, bytes: [b + 2, 0xcc] },
      { asm: `${name} cl,[ebx]`, bytes: [b + 2, 0x0b], mem: true },
      { asm: `${name} al,0x80`, bytes: [b + 4, 0x80] },
      { asm: `${name} ah,0x7f`, bytes: [0x80, 0xc4 | (op << 3), 0x7f] },
      { asm: `${name} byte [ebx],0xff`, bytes: [0x80, 0x03 | (op << 3), 0xff], mem: true },
    );
  }
  list.push(
    { asm: 'test eax,ecx', bytes: [0x85, 0xc8] },
    { asm: 'test [ebx],ecx', bytes: [0x85, 0x0b], mem: true },
    { asm: 'test ah,cl', bytes: [0x84, 0xcc] },
    { asm: 'test [ebx],cl', bytes: [0x84, 0x0b], mem: true },
    { asm: 'test eax,0x80000001', bytes: [0xa9, ...I32(0x80000001)] },
    { asm: 'test al,0x81', bytes: [0xa8, 0x81] },
    { asm: 'test eax,0xff (f7)', bytes: [0xf7, 0xc0, ...I32(0xff)] },
    { asm: 'test ah,0x80 (f6)', bytes: [0xf6, 0xc4, 0x80] },
  );
  // Shifts and rotates: SHL SHR SAR SAL ROL ROR by immediates (0, 1, 5, 31, 33), by 1 and by CL.
  for (const [name, n] of [['rol', 0], ['ror', 1], ['shl', 4], ['shr', 5], ['sal', 6], ['sar', 7]] as const) {
    for (const k of [0, 1, 5, 31, 33]) {
      list.push({ asm: `${name} eax,${k}`, bytes: [0xc1, 0xc0 | (n << 3), k], slow: k === 0 });
    }
    list.push(
      { asm: `${name} dword [ebx],7`, bytes: [0xc1, 0x03 | (n << 3), 7], mem: true },
      { asm: `${name} eax,1 (d1)`, bytes: [0xd1, 0xc0 | (n << 3)] },
      { asm: `${name} dword [ebx],1 (d1)`, bytes: [0xd1, 0x03 | (n << 3)], mem: true },
      { asm: `${name} eax,cl`, bytes: [0xd3, 0xc0 | (n << 3)], slow: n < 2 },
      { asm: `${name} dword [ebx],cl`, bytes: [0xd3, 0x03 | (n << 3)], mem: true, slow: n < 2 },
    );
  }
  // Condition consumers, every condition.
  for (let cc = 0; cc < 16; cc++) {
    list.push(
      { asm: `j${CC[cc]} $+3`, bytes: [0x70 + cc, 0x01], flags: true },
      { asm: `j${CC[cc]} near $+6`, bytes: [0x0f, 0x80 + cc, ...I32(1)], flags: true },
      { asm: `set${CC[cc]} ah`, bytes: [0x0f, 0x90 + cc, 0xc4], flags: true },
      { asm: `set${CC[cc]} [ebx]`, bytes: [0x0f, 0x90 + cc, 0x03], flags: true, mem: true },
      { asm: `cmov${CC[cc]} ecx,eax`, bytes: [0x0f, 0x40 + cc, 0xc8], flags: true },
      { asm: `cmov${CC[cc]} ecx,[ebx]`, bytes: [0x0f, 0x40 + cc, 0x0b], flags: true, mem: true },
    );
  }
  return list;
}

/** Flag producers run just before the instruction, in the same block. */
const PRODUCERS: { asm: string; bytes: number[] }[] = [
  { asm: '(none)', bytes: [] },
  { asm: 'cmp eax,ecx', bytes: [0x39, 0xc8] },
  { asm: 'cmp ah,cl', bytes: [0x38, 0xcc] },
  { asm: 'sub eax,ecx', bytes: [0x29, 0xc8] },
  { asm: 'add eax,ecx', bytes: [0x01, 0xc8] },
  { asm: 'add ah,cl', bytes: [0x00, 0xcc] },
  { asm: 'test eax,ecx', bytes: [0x85, 0xc8] },
  { asm: 'test cl,ah', bytes: [0x84, 0xe1] },
  { asm: 'xor ah,cl', bytes: [0x30, 0xcc] },
  { asm: 'inc eax', bytes: [0x40] },
  { asm: 'dec ecx', bytes: [0x49] },
  { asm: 'shl eax,3', bytes: [0xc1, 0xe0, 0x03] },
  { asm: 'shr ecx,1', bytes: [0xd1, 0xe9] },
  { asm: 'sar eax,cl', bytes: [0xd3, 0xf8] },
  { asm: 'neg eax', bytes: [0xf7, 0xd8] },
  { asm: 'imul eax,ecx', bytes: [0x0f, 0xaf, 0xc1] },
  { asm: 'cmp ecx,[ebx]', bytes: [0x3b, 0x0b] },
];

const VALUES = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000 | 0, -1, 0x12345678, 0x100];
/** EFLAGS before the program (with LF_OP = 0, or a lazy SUB of EAX and ECX). */
const EFLAGS = [0x2, 0x2 | 0x8d5, 0x2 | 0x400 | 0x1];

interface Env {
  name: string;
  /** Run the memory forms only. */
  mem: boolean;
  /** EBX (the memory operand's base), ESI/EDI (string operands). */
  ebx: number;
  esi: number;
  edi: number;
  setup?: (m: TestMachine) => void;
}

const PTE_P = 1, PTE_RW = 2, PTE_D = 0x40, PTE_A = 0x20;
/** Identity-map the first 1 MiB with 4 KiB pages; `flags(page)` gives each PTE's flags. */
function paging(m: TestMachine, flags: (page: number) => number, wp: boolean): void {
  const u8 = m.mem.u8, i32 = m.mem.i32;
  u8.fill(0, TABLES, TABLES + 0x2000);
  i32[TABLES >> 2] = (TABLES + 0x1000) | PTE_P | PTE_RW;
  for (let p = 0; p < 256; p++) i32[(TABLES + 0x1000 + p * 4) >> 2] = (p << 12) | flags(p);
  const r = m.cpu.r;
  r[R.CR3] = TABLES;
  r[R.CR0] |= CR0_PG | (wp ? CR0_WP : 0);
  m.cpu.tlbFlush(true);
}

const ENVS: Env[] = [
  { name: 'flat', mem: false, ebx: DATA, esi: DATA + 0x100, edi: DATA + 0x200 },
  { name: 'unaligned', mem: true, ebx: DATA + 1, esi: DATA + 0x101, edi: DATA + 0x203 },
  { name: 'page-crossing', mem: true, ebx: DATA + 0xffe, esi: DATA + 0xffd, edi: DATA + 0xffe },
  {
    name: 'DS limit (#GP)', mem: true, ebx: DATA + 0x10, esi: DATA + 0x10, edi: DATA + 0x200,
    setup: (m) => m.cpu.setSeg(SEG_DS, 0x10, 0, DATA + 0x11, 0x93 | 0x4000),
  },
  {
    name: 'paging, data page missing (#PF)', mem: true, ebx: DATA, esi: DATA, edi: DATA + 0x200,
    setup: (m) => paging(m, (p) => (p === DATA >> 12 ? 0 : PTE_P | PTE_RW | PTE_A | PTE_D), false),
  },
  {
    name: 'paging, data page read-only with WP (#PF on writes)', mem: true, ebx: DATA, esi: DATA + 0x100, edi: DATA + 0x200,
    setup: (m) => paging(m, (p) => (p === DATA >> 12 ? PTE_P | PTE_A : PTE_P | PTE_RW | PTE_A | PTE_D), true),
  },
  {
    name: 'paging, clean pages (A and D set by the first accesses)', mem: true, ebx: DATA, esi: DATA + 0x100, edi: DATA + 0x200,
    setup: (m) => paging(m, (p) => (p < 6 ? PTE_P | PTE_RW | PTE_A | PTE_D : PTE_P | PTE_RW), false),
  },
];

const PATTERN = Uint8Array.from({ length: 0x4000 }, (_, i) => ((0x6000 + i) * 73 + 5) & 0xff);

function fillData(m: TestMachine, a: number, b: number, ebx: number): void {
  const u8 = m.mem.u8;
  u8.set(PATTERN, 0x6000);
  const put = (at: number, v: number): void => { for (let k = 0; k < 4; k++) u8[at + k] = v >>> (8 * k); };
  put(ebx, b);
  put(ebx + 4 + 8, a); // [ebx+esi*4+8] with ESI = 1
  put(STACK, HLT); // what RET and POP take
}

function setState(m: TestMachine, env: Env, at: number, a: number, b: number, fl: number, lazy: boolean): void {
  const r = m.cpu.r;
  r[R.EAX] = a; r[R.ECX] = b; r[R.EDX] = 0x55aa55aa; r[R.EBX] = env.ebx;
  r[R.ESP] = STACK; r[R.EBP] = 0x77; r[R.ESI] = env.esi; r[R.EDI] = env.edi;
  r[R.EFLAGS] = fl;
  // A lazy SUB of the operands as left by an earlier block, or nothing lazy.
  r[R.LF_A] = lazy ? a : 0; r[R.LF_B] = lazy ? b : 0; r[R.LF_R] = lazy ? (a - b) | 0 : 0; r[R.LF_OP] = lazy ? (3 << 2) | 2 : 0;
  r[R.EIP] = at;
  r[R.HALTED] = 0;
}

function machine(threshold: number, env: Env): TestMachine {
  const m = testMachine({ cpl: 0, ramMiB: 1 });
  m.cpu.interceptExc = -1;
  m.code.compileThreshold = threshold;
  m.load(HLT, [0xf4]);
  env.setup?.(m);
  return m;
}

/** The first difference between two machines after a run, or null. */
function difference(a: TestMachine, wa: number, b: TestMachine, wb: number): string | null {
  if (wa !== wb) return `exit ${wa} vs ${wb}`;
  const ra = a.cpu.r, rb = b.cpu.r;
  for (let i = 0; i < 81; i++) if (ra[i] !== rb[i]) return `register slot ${i}: ${ra[i]} vs ${rb[i]}`;
  for (const [lo, hi] of WINDOWS) {
    if (Buffer.compare(a.mem.u8.subarray(lo, hi), b.mem.u8.subarray(lo, hi)) === 0) continue;
    for (let i = lo; i < hi; i++) if (a.mem.u8[i] !== b.mem.u8[i]) return `memory ${i.toString(16)}: ${a.mem.u8[i]} vs ${b.mem.u8[i]}`;
  }
  return null;
}

/**
 * Run case c after each producer (one program per producer, CODE + 64 * n),
 * interpreted and compiled, from every pair of operand values and flag
 * state, twice each (the second run finds the TLB filled by the first).
 */
function runCase(c: Case, prods: readonly (typeof PRODUCERS)[number][], env: Env, pairs: readonly [number, number][]): void {
  const interp = machine(0, env), comp = machine(1, env);
  const starts = prods.map((prod, n) => {
    const start = CODE + 64 * n, at = start + prod.bytes.length;
    const insn = typeof c.bytes === 'function' ? c.bytes(at) : c.bytes;
    // The instruction, then HLT; a taken short jump lands on a later HLT.
    const program = [...prod.bytes, ...insn, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4];
    interp.load(start, program);
    comp.load(start, program);
    return { start, at, prod };
  });
  // Count the compiled code's calls of this instruction's handler.
  decodeOne(comp.code, comp.code.scratch, comp.mem.u8, starts[0].at, 15, true);
  const id = comp.code.dOp[comp.code.scratch];
  const original = HANDLERS[id];
  let counting = false, calls = 0;
  HANDLERS[id] = (cpu, i) => { if (counting) calls++; original(cpu, i); };
  try {
    for (const { start, prod } of starts) {
      let k = 0;
      for (const [a, b] of pairs) {
        for (const fl of EFLAGS) {
          const lazy = (k++ & 1) === 1;
          for (let rep = 0; rep < 2; rep++) {
            fillData(interp, a, b, env.ebx); fillData(comp, a, b, env.ebx);
            setState(interp, env, start, a, b, fl, lazy); setState(comp, env, start, a, b, fl, lazy);
            const w0 = interp.run(16);
            counting = rep === 1;
            const w1 = comp.run(16);
            counting = false;
            const diff = difference(interp, w0, comp, w1);
            if (diff !== null) {
              expect.fail(`${c.asm} after ${prod.asm}, ${env.name}, eax ${a >>> 0} ecx ${b >>> 0} eflags ${fl} lazy ${lazy} run ${rep}: interpreted vs compiled: ${diff}`);
            }
          }
        }
      }
    }
  } finally {
    HANDLERS[id] = original;
  }
  expect(comp.code.compiled, c.asm).toBeGreaterThanOrEqual(prods.length);
  if (env.name === 'flat' && !c.slow) expect({ form: `${c.asm} (${HANDLER_NAMES[id]})`, handlerCalls: calls }).toEqual({ form: `${c.asm} (${HANDLER_NAMES[id]})`, handlerCalls: 0 });
}

describe('block compiler fast forms equal their handlers', () => {
  const all = cases();
  const pairsAll: [number, number][] = VALUES.flatMap((a) => VALUES.map((b): [number, number] => [a, b]));
  const pairsFew: [number, number][] = [[0, 0], [1, -1], [0x80, 0x7f], [0x7fffffff, 1], [0x80000000 | 0, 0x80000000 | 0], [-1, 0x12345678]];
  for (const c of all) {
    it(c.asm, () => {
      for (const env of ENVS) {
        if (env.mem && !c.mem) continue;
        // Flag readers run after every producer; the slow-path environments test the memory access.
        const prods = c.flags && !env.mem ? PRODUCERS : PRODUCERS.slice(0, 2);
        runCase(c, prods, env, env.mem || c.flags ? pairsFew : pairsAll);
      }
    });
  }
});
