// The region compiler. When a block has run compileThreshold times, it is
// compiled into one JavaScript function together with the blocks of its code
// page that it leads to (regionMembers): a loop around `switch (eip)` with one
// case per block, laid out so that fallthrough successors follow each other.
// Branches between blocks of the region (nearly every loop) stay inside the
// function instead of going back to the run loop. Within a block, hot
// instruction forms become inline code (blockemit.ts); every other
// instruction is a direct call of its handler with its slot as a constant, so
// each call site has a single target that V8 can inline. The general
// registers and flag slots the inline code uses live in locals while the
// function runs, stored back before any handler call and any return.
//
// Contract with exec.ts: the function is entered with EIP at one of its
// blocks, with no external interrupt deliverable (none pending, or IF clear).
// Before each block it checks that the whole block fits in the instruction
// budget (else it returns, and the interpreter finishes the budget exactly).
// After a block in which a handler ran it returns if an interrupt has become
// deliverable (only a handler can post one or set IF). Before each handler
// call it sets EIP, c.nextEip and c.icount exactly as the interpreter would,
// and stores the register locals, so handlers see the same state either way
// and the count stays exact (RDTSC, REP budgets). When a handler sets c.exit
// the function returns at once with EIP on that instruction and icount
// counting the instructions before it; exec.ts finishes the instruction as
// usual. When EIP leaves the region the function returns with EIP, icount
// and the register file up to date.
import { R } from '../shared/layout';
import type { BlockFn, CodeCache } from './codecache';
import { HANDLER_NAMES, HANDLERS, handlerEndsBlock } from './decode';
import { emitFast, generic, HANDLED, LOAD, SYNC, type EmitCtx, type Emitted, type KnownFlags } from './blockemit';
import { cfOf, condOf, eflagsOf } from './flags';
import { IF } from './defs';
import { lastMulHi, mulU32 } from './ops/muldiv';

/** Source-size budget for one region, so V8 still optimizes the function. */
const MAX_REGION_SOURCE = 60_000;

interface Gen {
  params: string[];
  args: unknown[];
  seen: Map<number, string>;
  /** General registers held in locals (G0..G7) by the region. */
  regs: Set<number>;
}

function handlerVar(g: Gen, id: number): string {
  let h = g.seen.get(id);
  if (h === undefined) {
    h = `h${id}`;
    g.seen.set(id, h);
    g.params.push(h);
    g.args.push(HANDLERS[id]);
  }
  return h;
}

/** How a block ends: a known next EIP, a two-way branch, or whatever the code left in c.nextEip. */
type BlockEnd =
  | { kind: 'const'; next: number }
  | { kind: 'cond'; test: string; taken: number; fall: number }
  | { kind: 'dyn'; generic: boolean; recheck: boolean };

interface BlockCode {
  eip: number;
  n: number;
  body: string;
  end: BlockEnd;
  /** The block may call a handler. */
  handled: boolean;
}

/** The code of one block, up to its end (see blockTail). */
function blockCode(cc: CodeCache, g: Gen, b: number, code16: boolean): BlockCode {
  const start = cc.bStart[b], n = cc.bCount[b], eip = cc.bEip[b];
  const lines: string[] = [
    `if (ic + ${n} > lim) { c.icount = ic; r[${R.EIP}] = pc; ${SYNC} return; }`,
  ];
  let e = eip, flags: KnownFlags | null = null, next = eip, end: BlockEnd = { kind: 'const', next: eip };
  for (let k = 0; k < n; k++) {
    const s = start + k, id = cc.dOp[s];
    next = code16 ? (e + cc.dLen[s]) & 0xffff : (e + cc.dLen[s]) | 0;
    const h = handlerVar(g, id);
    const x: EmitCtx = { cc, s, k, eip: e, next, last: k === n - 1, h, flags, regs: g.regs };
    const fast: Emitted | null = code16 ? null : emitFast(x, HANDLER_NAMES[id]);
    if (fast) {
      lines.push(fast.code);
      if (fast.flags !== undefined) flags = fast.flags;
      if (fast.cond) end = { kind: 'cond', ...fast.cond };
      else if (fast.target !== undefined) end = { kind: 'const', next: fast.target };
      else if (fast.branch) end = { kind: 'dyn', generic: false, recheck: false };
      else end = { kind: 'const', next };
    } else {
      lines.push(generic(x));
      flags = null;
      // The handler left c.nextEip right, whatever it did. One that ends its
      // block may have changed the CPL (needR/needW above) or the paging (the
      // region's EIPs may map elsewhere): the epoch says so.
      end = { kind: 'dyn', generic: true, recheck: handlerEndsBlock(id) };
    }
    e = next;
  }
  const body = lines.join('\n');
  return { eip, n, body, end, handled: body.includes(HANDLED) };
}

/**
 * The end of a block: count its instructions, set pc, and go to the next
 * block, by falling through into the case that follows when that is the next
 * block's (`fall`), else through the switch.
 */
function blockTail(x: BlockCode, fall: number | null, idx: (eip: number) => number): string {
  const end = x.end;
  // Only a handler can make an external interrupt deliverable (post one, set
  // IF): after one ran, leave at the block's end if there is one.
  const irq = x.handled ? ` if (hc !== 0) { hc = 0; if (r[${R.PENDING_IRQ}] >= 0 && (r[${R.EFLAGS}] & ${IF}) !== 0) { c.icount = ic; r[${R.EIP}] = pc; ${SYNC} return; } }` : '';
  // To a known EIP: set the case to run next (0: not in the region, leave).
  const to = (eip: number): string => `pc = ${eip}; bi = ${idx(eip)};`;
  const go = (next: number): string => (next === fall ? '' : ' break;');
  switch (end.kind) {
    case 'const':
      return `ic += ${x.n}; ${to(end.next)}${irq}${go(end.next)} }`;
    case 'cond':
      if (!irq && end.fall === fall) return `ic += ${x.n}; if (${end.test}) { ${to(end.taken)} break; } pc = ${end.fall}; }`;
      if (!irq && end.taken === fall) return `ic += ${x.n}; if (!(${end.test})) { ${to(end.fall)} break; } pc = ${end.taken}; }`;
      return `ic += ${x.n}; if (${end.test}) { ${to(end.taken)} } else { ${to(end.fall)} }${irq} break; }`;
    default: {
      // After a handler, c.icount is ic + k plus whatever the handler added itself
      // (REP iterations beyond the first), so the last instruction counts relatively.
      // Only the last instruction can add: repeating instructions end their block.
      const recheck = end.recheck ? ` if (cc.epoch !== epoch) { c.icount = ic; r[${R.EIP}] = pc; ${SYNC} return; }` : '';
      return `${end.generic ? 'ic = c.icount + 1' : `ic += ${x.n}`}; pc = c.nextEip; bi = CASE(pc);${recheck}${irq} break; }`;
    }
  }
}

/** The EIP a block most likely continues at without a jump, for laying blocks out. */
function fallOf(x: BlockCode): number | null {
  return x.end.kind === 'const' ? x.end.next : x.end.kind === 'cond' ? x.end.fall : null;
}

/** Where block b may go next: its branch or call target, its fallthrough, and the EIPs the run loop saw it go to. */
function successors(cc: CodeCache, b: number, out: number[]): void {
  const start = cc.bStart[b], n = cc.bCount[b], code16 = cc.bMode[b] === 0;
  let end = cc.bEip[b];
  for (let k = 0; k < n; k++) end += cc.dLen[start + k];
  end = code16 ? end & 0xffff : end | 0;
  const last = start + n - 1, name = HANDLER_NAMES[cc.dOp[last]].split('@')[0];
  const rel = name.endsWith('_Jb') || name.endsWith('_Jz');
  if (rel) out.push(code16 ? (end + cc.dImm[last]) & 0xffff : (end + cc.dImm[last]) | 0);
  if (!name.startsWith('jmp') && !name.startsWith('ret')) out.push(end);
  if (cc.bSuccEpoch[b] !== 0) {
    out.push(cc.bSuccEip0[b]);
    if (cc.bSucc1[b] >= 0) out.push(cc.bSuccEip1[b]);
  }
}

/**
 * The blocks to compile with block b (all of its page, generation and decode
 * mode, EIPs in its linear page), b first, then breadth first over
 * successors(): every block on a cycle through b (so a loop stays in one
 * function, whichever of its blocks became hot last), and every block not yet
 * compiled that those lead to. Blocks already compiled elsewhere are not
 * followed further: their own region runs them, and a block that becomes hot
 * late (a loop's exit, a function's caller) does not recompile the code
 * around it.
 */
export function regionMembers(cc: CodeCache, b: number): number[] {
  const ppn = cc.bPhys[b] >>> 12, mode = cc.bMode[b], eipPage = cc.bEip[b] & ~0xfff, gen = cc.pageGen[ppn];
  const byEip = new Map<number, number>();
  for (const x of cc.blocksOfPage(ppn)) {
    if (cc.bMode[x] !== mode || cc.bGen[x] !== gen || (cc.bEip[x] & ~0xfff) !== eipPage) continue;
    byEip.set(cc.bEip[x], x);
  }
  // The successor graph of what b reaches, and which of it reaches b back.
  const succ = new Map<number, number[]>(), order = [b], tmp: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const x = order[k], out: number[] = [];
    tmp.length = 0;
    successors(cc, x, tmp);
    for (const eip of tmp) {
      const y = byEip.get(eip);
      if (y === undefined || out.includes(y)) continue;
      out.push(y);
      if (!succ.has(y) && !order.includes(y)) order.push(y);
    }
    succ.set(x, out);
  }
  const pred = new Map<number, number[]>();
  for (const [x, out] of succ) for (const y of out) { const l = pred.get(y); if (l) l.push(x); else pred.set(y, [x]); }
  const onCycle = new Set<number>([b]), back = [b];
  for (let k = 0; k < back.length; k++) {
    for (const x of pred.get(back[k]) ?? []) if (!onCycle.has(x)) { onCycle.add(x); back.push(x); }
  }
  const members = [b], seen = new Set(members);
  for (let k = 0; k < members.length; k++) {
    const x = members[k];
    if (x !== b && cc.bRegion[x] >= 0 && !onCycle.has(x)) continue;
    for (const y of succ.get(x) ?? []) {
      if (seen.has(y) || (cc.bRegion[y] >= 0 && !onCycle.has(y))) continue;
      seen.add(y);
      members.push(y);
    }
  }
  return members;
}

/**
 * Compile blocks `members` (all of one physical page, one decode mode, EIPs in
 * one linear page) into a region function. Blocks past the source budget are
 * left out; the caller records which made it (returned list).
 */
export function compileRegion(cc: CodeCache, members: readonly number[], code16: boolean): { fn: BlockFn; included: number[] } {
  const g: Gen = { params: ['cfOf', 'condOf', 'eflagsOf', 'mulU32', 'lastMulHi'], args: [cfOf, condOf, eflagsOf, mulU32, lastMulHi], seen: new Map(), regs: new Set() };
  const codes: BlockCode[] = [];
  const included: number[] = [];
  let size = 0;
  for (const b of members) {
    const x = blockCode(cc, g, b, code16);
    // Each handler call stores and reloads the register locals (up to 13 of each).
    const len = x.body.length + 100 + (x.body.split(SYNC).length - 1) * 300;
    if (included.length > 0 && size + len > MAX_REGION_SOURCE) continue;
    codes.push(x);
    included.push(b);
    size += len;
  }
  // Lay blocks out in chains of fallthrough successors, so that most block
  // transitions fall through to the next case instead of going round the switch.
  const byEip = new Map(codes.map((x) => [x.eip, x]));
  const placed = new Set<BlockCode>(), order: BlockCode[] = [];
  for (const first of codes) {
    for (let x: BlockCode | undefined = first; x && !placed.has(x); x = byEip.get(fallOf(x) ?? NaN)) {
      placed.add(x);
      order.push(x);
    }
  }
  // Cases are numbered 1.. in layout order; `map` gives the case of each EIP of
  // the region's linear page (0: none), so the switch dispatches on a dense
  // number (a jump table) and known targets need no lookup at all.
  const eipPage = order[0].eip & ~0xfff;
  const map = order.length < 256 ? new Uint8Array(4096) : new Uint16Array(4096);
  const caseOf = new Map(order.map((x, k) => [x.eip, k + 1]));
  for (const [eip, k] of caseOf) map[eip - eipPage] = k;
  const idx = (eip: number): number => caseOf.get(eip) ?? 0;
  const cases = order.map((x, k) => `case ${k + 1}: {\n${x.body}\n${blockTail(x, k + 1 < order.length ? order[k + 1].eip : null, idx)}`);
  // The general registers and flag slots the fast code uses live in locals (see
  // blockemit.ts), as do the flat-segment bits and SS's size, which only a handler changes.
  const regs = [...g.regs].sort((x, y) => x - y);
  const sync = regs.map((n) => `r[${n}] = G${n};`).join(' ');
  const load = [...regs.map((n) => `G${n} = r[${n}];`), 'fr = c.flatR; fw = c.flatW; ss32 = c.ss32;'].join(' ');
  const body = [
    'const r = c.r, tlb = c.tlb, m8 = c.m8, m32 = c.m32, needR = c.needR, needW = c.needW, lim = c.limit, cc = c.code, epoch = cc.epoch;',
    `let ic = c.icount, pc = r[${R.EIP}], bi = CASE(pc), hc = 0, fr = c.flatR, fw = c.flatW, ss32 = c.ss32${regs.map((n) => `, G${n} = r[${n}]`).join('')};`,
    'for (;;) {',
    'switch (bi) {',
    ...cases,
    `default: c.icount = ic; r[${R.EIP}] = pc; ${SYNC} return;`,
    '}',
    '}',
  ].join('\n').replaceAll(SYNC, sync).replaceAll(LOAD, load).replaceAll('CASE(pc)', `((pc - ${eipPage}) >>> 0 < 4096 ? map[pc - ${eipPage}] : 0)`);
  g.params.push('map');
  g.args.push(map);
  const factory = new Function(...g.params, `return function region_${(order[0].eip >>> 0).toString(16)}_${cc.compiled}(c) {\n${body}\n};`) as (...h: unknown[]) => BlockFn;
  cc.compiled++;
  return { fn: factory(...g.args), included };
}
