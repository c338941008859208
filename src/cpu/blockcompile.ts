// The region compiler. When a block has run compileThreshold times, the hot
// blocks of its code page are compiled together into one JavaScript function:
// a loop around `switch (eip)` with one case per block. Branches between blocks
// of the page (nearly every loop) stay inside the function instead of going
// back to the run loop. Within a block, hot instruction forms become inline
// code (blockemit.ts); every other instruction is a direct call of its handler
// with its slot as a constant, so each call site has a single target that V8
// can inline.
//
// Contract with exec.ts: the function is entered with EIP at one of its
// blocks. Before each block it checks that the whole block fits in the
// instruction budget (else it returns, and the interpreter finishes the
// budget exactly) and that no external interrupt is pending. Before each
// handler call it sets EIP, c.nextEip and c.icount exactly as the interpreter
// would, so handlers see the same state either way and the count stays exact
// (RDTSC, REP budgets). When a handler sets c.exit the function returns at
// once with EIP on that instruction and icount counting the instructions
// before it; exec.ts finishes the instruction as usual. When EIP leaves the
// region the function returns with EIP and icount up to date.
import { R } from '../shared/layout';
import type { BlockFn, CodeCache } from './codecache';
import { HANDLER_NAMES, HANDLERS } from './decode';
import { emitFast, prep, type EmitCtx, type Emitted, type KnownFlags } from './blockemit';
import { cond, saveCF } from './flags';

/** Source-size budget for one region, so V8 still optimizes the function. */
const MAX_REGION_SOURCE = 40_000;

interface Gen {
  params: string[];
  args: unknown[];
  seen: Map<number, string>;
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

/** The code of one block as a `case`, leaving the next EIP in `pc`. */
function blockCase(cc: CodeCache, g: Gen, b: number, code16: boolean): string {
  const start = cc.bStart[b], n = cc.bCount[b], eip = cc.bEip[b];
  const lines: string[] = [
    `case ${eip}: {`,
    `if (ic + ${n} > lim || r[${R.PENDING_IRQ}] >= 0) { c.icount = ic; r[${R.EIP}] = pc; return; }`,
  ];
  let e = eip, flags: KnownFlags | null = null, branched = false, next = eip, lastGeneric = false;
  for (let k = 0; k < n; k++) {
    const s = start + k, id = cc.dOp[s];
    next = code16 ? (e + cc.dLen[s]) & 0xffff : (e + cc.dLen[s]) | 0;
    const h = handlerVar(g, id);
    const x: EmitCtx = { cc, s, k, eip: e, next, last: k === n - 1, h, flags };
    const fast: Emitted | null = code16 ? null : emitFast(x, HANDLER_NAMES[id]);
    if (fast) {
      lines.push(fast.code);
      if (fast.flags !== undefined) flags = fast.flags;
      branched = !!fast.branch;
      lastGeneric = false;
    } else {
      lines.push(`${prep(x)} ${h}(c, ${s}); if (c.exit !== 0) return;`);
      flags = null;
      branched = true; // the handler left c.nextEip right, whatever it did
      lastGeneric = true;
    }
    e = next;
  }
  // After a handler, c.icount is ic + k plus whatever the handler added itself
  // (REP iterations beyond the first), so the last instruction counts relatively.
  // Only the last instruction can add: repeating instructions end their block.
  lines.push(`${lastGeneric ? 'ic = c.icount + 1' : `ic += ${n}`}; pc = ${branched ? 'c.nextEip' : next}; break; }`);
  return lines.join('\n');
}

/**
 * Compile blocks `members` (all of one physical page, one decode mode, EIPs in
 * one linear page) into a region function. Blocks past the source budget are
 * left out; the caller records which made it (returned list).
 */
export function compileRegion(cc: CodeCache, members: readonly number[], code16: boolean): { fn: BlockFn; included: number[] } {
  const g: Gen = { params: ['cond', 'saveCF'], args: [cond, saveCF], seen: new Map() };
  const cases: string[] = [];
  const included: number[] = [];
  let size = 0;
  for (const b of members) {
    const text = blockCase(cc, g, b, code16);
    if (included.length > 0 && size + text.length > MAX_REGION_SOURCE) continue;
    cases.push(text);
    included.push(b);
    size += text.length;
  }
  const body = [
    'const r = c.r, tlb = c.tlb, m32 = c.m32, needR = c.needR, needW = c.needW, lim = c.limit;',
    `let ic = c.icount, pc = r[${R.EIP}];`,
    'for (;;) {',
    'switch (pc) {',
    ...cases,
    `default: c.icount = ic; r[${R.EIP}] = pc; return;`,
    '}',
    '}',
  ].join('\n');
  const factory = new Function(...g.params, `return function region(c) {\n${body}\n};`) as (...h: unknown[]) => BlockFn;
  cc.compiled++;
  return { fn: factory(...g.args), included };
}
