// The block compiler. A block that has run compileThreshold times is turned
// into one JavaScript function. Hot instruction forms become inline code
// (blockemit.ts); every other instruction becomes a direct call of its
// handler with its slot as a constant, so each call site has a single target
// that V8 can inline, and the interpreter's per-instruction dispatch and
// bookkeeping disappear.
//
// Contract with exec.ts: the function runs only when the whole block fits in
// the instruction budget and EIP equals the EIP it was compiled for. Before
// each handler call it sets EIP, c.nextEip and c.icount exactly as the
// interpreter would, so handlers see the same state either way and the count
// stays exact (RDTSC, REP budgets). When c.exit is set the function returns at
// once with EIP on that instruction and icount counting the instructions
// before it; exec.ts finishes the instruction as usual. On normal completion
// EIP is the block's successor and icount includes the whole block.
import { R } from '../shared/layout';
import type { BlockFn, CodeCache } from './codecache';
import { HANDLER_NAMES, HANDLERS } from './decode';
import { emitFast, prep, type EmitCtx, type Emitted, type KnownFlags } from './blockemit';
import { cond, saveCF } from './flags';

export function compileBlock(cc: CodeCache, b: number, eip: number, code16: boolean): BlockFn {
  const start = cc.bStart[b], n = cc.bCount[b];
  const params: string[] = ['cond', 'saveCF'];
  const args: unknown[] = [cond, saveCF];
  const seen = new Map<number, string>();
  const lines: string[] = ['const r = c.r, ic = c.icount, tlb = c.tlb, m32 = c.m32, needR = c.needR, needW = c.needW;'];
  let e = eip, flags: KnownFlags | null = null, branched = false, next = eip, lastGeneric = false;
  for (let k = 0; k < n; k++) {
    const s = start + k, id = cc.dOp[s];
    next = code16 ? (e + cc.dLen[s]) & 0xffff : (e + cc.dLen[s]) | 0;
    let h = seen.get(id);
    if (h === undefined) {
      h = `h${id}`;
      seen.set(id, h);
      params.push(h);
      args.push(HANDLERS[id]);
    }
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
  lines.push(`${lastGeneric ? 'c.icount += 1' : `c.icount = ic + ${n}`}; r[${R.EIP}] = ${branched ? 'c.nextEip' : next};`);
  const factory = new Function(...params, `return function block(c) {\n${lines.join('\n')}\n};`) as (...h: unknown[]) => BlockFn;
  cc.compiled++;
  return factory(...args);
}
