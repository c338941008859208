// The run loop. Blocks of decoded instructions are looked up by the physical
// address of EIP and run slot by slot through the handler table; handlers
// signal anything unusual through c.exit, which is tested once per instruction.
//
// Instruction counting (exact, and what run-until-N stops on): every
// instruction that completes counts once, including INT n / INT3 / INTO and
// HLT. A REP-prefixed string instruction counts once per iteration (an
// iteration is where a real processor may take an interrupt), and once when it
// starts with a zero count. An instruction that faults does not count, nor does
// the delivery of an exception or interrupt.
import { R } from '../shared/layout';
import type { Cpu } from './cpu';
import { MAX_BLOCK_INSNS } from './codecache';
import { decodeOne, handlerEndsBlock, HANDLERS } from './decode';
import { ACC_EXEC, EXIT_HLT, EXIT_LIMIT, GP, IF } from './defs';
import { raise, X_BLOCK, X_EXIT, X_FAULT, X_RETIRE } from './exceptions';
import { deliverExternal, deliverPending } from './deliver';
import { translateSlow, UNBACKED } from './paging';
import { compileRegion, regionMembers } from './blockcompile';
import './ops/index';

const SCRATCH_BLOCK = -2;
const fetchBuf = new Uint8Array(32);
const floatingBus = new Uint8Array(16).fill(0xff);

/**
 * Run until `maxInstructions` more have retired or something needs the
 * embedder. Returns an EXIT_* reason; details are in the register file.
 */
export function run(c: Cpu, maxInstructions: number): number {
  const r = c.r, cc = c.code;
  c.icount = c.instructions;
  c.limit = c.icount + maxInstructions;
  c.exit = 0;
  c.fault = 0;
  let reason = 0;
  outer: while (reason === 0) {
    if (c.icount >= c.limit) { reason = EXIT_LIMIT; break; }
    if (r[R.PENDING_IRQ] >= 0 && (r[R.EFLAGS] & IF)) {
      r[R.HALTED] = 0;
      reason = deliverExternal(c);
      continue;
    }
    if (r[R.HALTED]) { reason = EXIT_HLT; break; }
    let b = getBlock(c);
    if (b === -1) { reason = finish(c); continue; }
    if (b === SCRATCH_BLOCK) {
      c.curPage = -1;
      reason = interpret(c, cc.scratch, cc.scratch + 1);
      continue;
    }
    // Run b, then follow its cached successors for as long as nothing else needs
    // attention: the budget, an external interrupt, an exit.
    for (;;) {
      const start = cc.bStart[b], n = cc.bCount[b], eip = r[R.EIP];
      c.curPage = cc.bPhys[b] >>> 12;
      let reg = cc.bRegion[b];
      if (reg < 0 && cc.compileThreshold > 0 && ++cc.bHits[b] >= cc.compileThreshold) reg = buildRegion(c, b);
      // Compiled code only for the EIPs it was compiled for, and only when this
      // block fits in the budget (the region checks each further block itself).
      const rg = reg >= 0 ? cc.regions[reg] : null;
      if (rg !== null && rg.gen === cc.pageGen[rg.ppn] && cc.bEip[b] === eip && c.icount + n <= c.limit) {
        rg.fn(c);
        if (c.exit !== 0) { reason = finish(c); continue outer; }
      } else {
        reason = interpret(c, start, start + n);
        if (reason !== 0 || r[R.EIP] !== c.nextEip) continue outer;
      }
      if (c.icount >= c.limit || r[R.PENDING_IRQ] >= 0) continue outer;
      // Successor cache: two entries (a branch's two ways), valid while no TLB
      // flush, CPL or CS change, or cache flush has happened (cc.epoch).
      const to = r[R.EIP];
      let nb = -1;
      if (cc.bSuccEpoch[b] === cc.epoch) {
        if (cc.bSuccEip0[b] === to) nb = cc.bSucc0[b];
        else if (cc.bSuccEip1[b] === to) nb = cc.bSucc1[b];
        if (nb >= 0 && cc.bGen[nb] !== cc.pageGen[cc.bPhys[nb] >>> 12]) nb = -1;
      }
      if (nb < 0) {
        nb = getBlock(c);
        if (nb === -1) { reason = finish(c); continue outer; }
        if (nb < 0) continue outer;
        cc.link(b, to, nb);
      }
      b = nb;
    }
  }
  c.instructions = c.icount;
  r[R.EXIT_REASON] = reason;
  return reason;
}

/** Regions compiled for one page before its blocks are compiled one by one instead. */
const MAX_REGIONS_PER_PAGE = 64;

/**
 * Compile block b with the blocks of its page it leads to (same decode mode,
 * EIPs in the same linear page; see regionMembers) into a region. Returns the
 * region id.
 */
function buildRegion(c: Cpu, b: number): number {
  const cc = c.code, ppn = cc.bPhys[b] >>> 12;
  const tries = cc.pageRegions.get(ppn) ?? 0;
  // A block decoded under a non-flat CS is never looked up again (its length
  // depends on the limit): it is compiled alone.
  const shared = cc.blocksOfPage(ppn).includes(b);
  const members = tries < MAX_REGIONS_PER_PAGE && shared ? regionMembers(cc, b) : [b];
  cc.pageRegions.set(ppn, tries + 1);
  const { fn, included } = compileRegion(cc, members, cc.bMode[b] === 0);
  const id = cc.regions.length;
  cc.regions.push({ fn, gen: cc.pageGen[ppn], ppn, eipPage: cc.bEip[b] & ~0xfff });
  // Blocks compiled before keep their region (its function is warm); the new
  // one runs them only when entered through b or code compiled with it.
  for (const x of included) if (x === b || cc.bRegion[x] < 0) cc.bRegion[x] = id;
  return id;
}

/**
 * Interpret slots [i, end) one by one. Returns an exit reason (0 to go on).
 * Leaves c.nextEip === EIP when the block ran to its end normally.
 */
function interpret(c: Cpu, i: number, end: number): number {
  const r = c.r, H = HANDLERS, dOp = c.dOp, dLen = c.dLen;
  const mask16 = c.codeMode === 0;
  for (;;) {
    const next = r[R.EIP] + dLen[i];
    c.nextEip = mask16 ? next & 0xffff : next | 0;
    H[dOp[i]](c, i);
    if (c.exit !== 0) return finish(c);
    r[R.EIP] = c.nextEip;
    if (++c.icount >= c.limit || ++i >= end) return 0;
  }
}

/** Settle an instruction that set c.exit: retire it, deliver its exception, or report an exit. */
function finish(c: Cpu): number {
  const x = c.exit, r = c.r;
  c.exit = 0;
  if (x & X_FAULT) {
    c.fault = 0;
    if (c.pending.soft) { r[R.EXIT_EIP] = r[R.EIP]; r[R.EIP] = c.nextEip; c.icount++; }
    return deliverPending(c);
  }
  if (x & X_EXIT) {
    r[R.EXIT_EIP] = r[R.EIP];
    r[R.EXIT_NEXT_EIP] = c.nextEip;
    if (x & X_RETIRE) { r[R.EIP] = c.nextEip; c.icount++; }
    return r[R.EXIT_REASON];
  }
  if (x & (X_BLOCK | X_RETIRE)) { r[R.EIP] = c.nextEip; c.icount++; }
  return 0;
}

/**
 * The block at CS:EIP, decoding it on a miss. Returns a block id, SCRATCH_BLOCK
 * for a lone instruction that crosses a page or the CS limit (decoded into the
 * scratch slot, never cached), or -1 after raising a fault.
 */
function getBlock(c: Cpu): number {
  const r = c.r, cc = c.code;
  const eip = r[R.EIP], base = r[R.SEG + 4 + 1], limit = r[R.SEG + 4 + 2];
  const flat = base === 0 && limit === -1;
  if (!flat && (eip >>> 0) > (limit >>> 0)) { raise(c, GP, 0); return -1; }
  const lin = (base + eip) | 0;
  const e = c.tlb[lin >>> 12];
  let phys = (e & c.needX) === c.needX ? (e & ~0xfff) | (lin & 0xfff) : translateSlow(c, lin, ACC_EXEC, r[R.CPL] === 3);
  if (phys === -1) return -1;
  const def32 = c.codeMode === 1;
  if (phys === UNBACKED) {
    // No RAM behind this address: the bus reads all ones, as on a PC.
    decodeOne(cc, cc.scratch, floatingBus, 0, 16, def32);
    return SCRATCH_BLOCK;
  }
  const mode = def32 ? 1 : 0;
  if (flat) {
    const hit = cc.lookup(phys, mode);
    if (hit >= 0) return hit;
  }
  if (!cc.hasRoom()) cc.flush();
  let avail = 4096 - (phys & 0xfff);
  const toLimit = flat ? avail : (limit >>> 0) - (eip >>> 0) + 1;
  const limited = toLimit < avail;
  if (limited) avail = toLimit;
  const start = cc.used, src = c.m8;
  let n = 0, pos = phys;
  while (n < MAX_BLOCK_INSNS && avail > 0) {
    const len = decodeOne(cc, start + n, src, pos, avail, def32);
    if (len === 0) break;
    pos += len; avail -= len; n++;
    if (handlerEndsBlock(cc.dOp[start + n - 1])) break;
  }
  if (n > 0) {
    cc.used += n;
    return cc.addBlock(phys, mode, start, n, eip, flat);
  }
  // The first instruction crosses the page end (or the CS limit).
  const first = avail;
  fetchBuf.set(src.subarray(phys, phys + first), 0);
  let total = first;
  if (!limited) {
    const lin2 = (lin + first) | 0;
    const e2 = c.tlb[lin2 >>> 12];
    phys = (e2 & c.needX) === c.needX ? (e2 & ~0xfff) : translateSlow(c, lin2, ACC_EXEC, r[R.CPL] === 3);
    if (phys === -1) return -1;
    const more = Math.min(16 - first, flat ? 16 : (limit >>> 0) - ((eip + first) >>> 0) + 1);
    if (phys === UNBACKED) fetchBuf.fill(0xff, first, first + more);
    else fetchBuf.set(src.subarray(phys, phys + more), first);
    total += more;
  }
  if (decodeOne(cc, cc.scratch, fetchBuf, 0, total, def32) === 0) { raise(c, GP, 0); return -1; }
  return SCRATCH_BLOCK;
}
