// Decoded-instruction cache shared by all vcpus of a machine. Instructions are
// decoded once into struct-of-arrays slots and grouped into blocks keyed by the
// physical address of their first byte and the decode mode, so a page remapped
// elsewhere finds its code by physical address and code reached through two
// mappings is decoded once.
//
// Invalidation: every physical page that holds decoded code is marked; the TLBs
// never give a fast write path to a marked page, so the first write to it takes
// the slow path, which bumps the page's generation (orphaning its blocks) and
// unmarks it. A block whose generation differs from its page's is never run.
import { NOREG } from './defs';
import type { Cpu } from './cpu';

export const MAX_BLOCK_INSNS = 64;

/** A compiled block: runs it on the given CPU (see blockcompile.ts for the contract). */
export type BlockFn = (c: Cpu) => void;

/** A TLB that must lose its fast write path to pages that become code. */
export interface CodeWatcher {
  dropWriteFast(ppn: number): void;
}

export class CodeCache {
  readonly capacity: number;
  // Decoded instruction slots.
  readonly dOp: Uint16Array;
  readonly dLen: Uint8Array;
  readonly dModrm: Uint8Array;
  readonly dBase: Uint8Array;
  readonly dIndex: Uint8Array;
  readonly dScale: Uint8Array;
  readonly dSeg: Uint8Array;
  readonly dPfx: Uint8Array;
  readonly dDisp: Int32Array;
  readonly dImm: Int32Array;
  readonly dImm2: Int32Array;
  used = 0;

  // Blocks.
  readonly maxBlocks: number;
  readonly bStart: Int32Array;
  readonly bCount: Int32Array;
  readonly bPhys: Int32Array;
  readonly bMode: Int32Array;
  readonly bGen: Int32Array;
  /** EIP at which the block was first decoded: compiled code has its EIPs baked in. */
  readonly bEip: Int32Array;
  /** The region (compiled function) the block belongs to, or -1. */
  readonly bRegion: Int32Array;
  /** Runs so far, to decide when a block is hot enough to compile. */
  readonly bHits: Int32Array;
  /** Compiled regions (blockcompile.ts): function, page generation, linear page of their EIPs. */
  readonly regions: { fn: BlockFn; gen: number; ppn: number; eipPage: number }[] = [];
  /** Blocks decoded per physical page (this generation), for building regions. */
  private readonly pageBlocks = new Map<number, number[]>();
  /** Regions compiled per physical page (this generation), to bound recompiling. */
  readonly pageRegions = new Map<number, number>();
  /** Successor cache (exec.ts): up to two (EIP -> block) links per block, valid for one epoch. */
  readonly bSucc0: Int32Array;
  readonly bSucc1: Int32Array;
  readonly bSuccEip0: Int32Array;
  readonly bSuccEip1: Int32Array;
  readonly bSuccEpoch: Int32Array;
  /**
   * Bumped whenever a linear-to-physical mapping, the CPL or CS may have
   * changed on any vcpu, or blocks were dropped: every successor link dies.
   */
  epoch = 1;
  blocks = 0;
  /** Direct-mapped hash: (phys, mode) -> block id + 1. */
  readonly hash: Int32Array;
  readonly hashMask: number;

  // Per physical page.
  readonly pageGen: Int32Array;
  readonly codeMark: Uint8Array;
  private readonly watchers: CodeWatcher[] = [];
  /** Counters for the UI and benchmarks. */
  flushes = 0;
  invalidations = 0;
  compiled = 0;
  /** Runs of a block before it is compiled; 0 disables the compiler (everything interpreted). */
  compileThreshold = 8;

  constructor(ramBytes: number, capacity = 1 << 18) {
    this.capacity = capacity;
    this.dOp = new Uint16Array(capacity + 1);
    this.dLen = new Uint8Array(capacity + 1);
    this.dModrm = new Uint8Array(capacity + 1);
    this.dBase = new Uint8Array(capacity + 1).fill(NOREG);
    this.dIndex = new Uint8Array(capacity + 1).fill(NOREG);
    this.dScale = new Uint8Array(capacity + 1);
    this.dSeg = new Uint8Array(capacity + 1);
    this.dPfx = new Uint8Array(capacity + 1);
    this.dDisp = new Int32Array(capacity + 1);
    this.dImm = new Int32Array(capacity + 1);
    this.dImm2 = new Int32Array(capacity + 1);
    this.maxBlocks = capacity >> 2;
    this.bStart = new Int32Array(this.maxBlocks);
    this.bCount = new Int32Array(this.maxBlocks);
    this.bPhys = new Int32Array(this.maxBlocks);
    this.bMode = new Int32Array(this.maxBlocks);
    this.bGen = new Int32Array(this.maxBlocks);
    this.bEip = new Int32Array(this.maxBlocks);
    this.bRegion = new Int32Array(this.maxBlocks).fill(-1);
    this.bHits = new Int32Array(this.maxBlocks);
    this.bSucc0 = new Int32Array(this.maxBlocks);
    this.bSucc1 = new Int32Array(this.maxBlocks);
    this.bSuccEip0 = new Int32Array(this.maxBlocks);
    this.bSuccEip1 = new Int32Array(this.maxBlocks);
    this.bSuccEpoch = new Int32Array(this.maxBlocks);
    this.hash = new Int32Array(1 << 16);
    this.hashMask = (1 << 16) - 1;
    const pages = Math.ceil(ramBytes / 4096);
    this.pageGen = new Int32Array(pages);
    this.codeMark = new Uint8Array(pages);
  }

  watch(w: CodeWatcher): () => void {
    this.watchers.push(w);
    return () => {
      const i = this.watchers.indexOf(w);
      if (i >= 0) this.watchers.splice(i, 1);
    };
  }

  /** The slot reserved for decoding one instruction outside any block (page-crossing code). */
  get scratch(): number {
    return this.capacity;
  }

  hashOf(phys: number, mode: number): number {
    return ((phys >>> 0) ^ (phys >>> 13) ^ (mode * 0x9e3779b1)) & this.hashMask;
  }

  lookup(phys: number, mode: number): number {
    const b = this.hash[this.hashOf(phys, mode)] - 1;
    if (b >= 0 && this.bPhys[b] === phys && this.bMode[b] === mode && this.bGen[b] === this.pageGen[phys >>> 12]) {
      return b;
    }
    return -1;
  }

  /** True when a new block of up to MAX_BLOCK_INSNS fits; otherwise the caller flushes first. */
  hasRoom(): boolean {
    return this.used + MAX_BLOCK_INSNS <= this.capacity && this.blocks < this.maxBlocks;
  }

  /** Drop every block. Only between blocks: no vcpu may be inside one. */
  flush(): void {
    this.epoch++;
    this.used = 0;
    this.blocks = 0;
    this.regions.length = 0;
    this.pageBlocks.clear();
    this.pageRegions.clear();
    this.hash.fill(0);
    this.flushes++;
  }

  /** Register a finished block whose slots are [start, start + count). */
  addBlock(phys: number, mode: number, start: number, count: number, eip: number, cache = true): number {
    const b = this.blocks++;
    const ppn = phys >>> 12;
    this.bPhys[b] = phys;
    this.bMode[b] = mode;
    this.bStart[b] = start;
    this.bCount[b] = count;
    this.bGen[b] = this.pageGen[ppn];
    this.bHits[b] = 0;
    this.bEip[b] = eip;
    this.bRegion[b] = -1;
    this.bSuccEpoch[b] = 0;
    if (cache) {
      const list = this.pageBlocks.get(ppn);
      if (list) list.push(b);
      else this.pageBlocks.set(ppn, [b]);
    }
    // Blocks decoded under a non-flat CS depend on its limit: run once, never found again.
    if (cache) this.hash[this.hashOf(phys, mode)] = b + 1;
    if (!this.codeMark[ppn]) {
      this.codeMark[ppn] = 1;
      for (const w of this.watchers) w.dropWriteFast(ppn);
    }
    return b;
  }

  /** The current (same-generation) blocks of physical page ppn. */
  blocksOfPage(ppn: number): readonly number[] {
    return this.pageBlocks.get(ppn) ?? [];
  }

  /** Remember that block b was followed by block next at EIP eip (the newest two links are kept). */
  link(b: number, eip: number, next: number): void {
    if (this.bSuccEpoch[b] !== this.epoch) {
      this.bSuccEpoch[b] = this.epoch;
      this.bSuccEip1[b] = eip; this.bSucc1[b] = -1;
    } else {
      this.bSuccEip1[b] = this.bSuccEip0[b]; this.bSucc1[b] = this.bSucc0[b];
    }
    this.bSuccEip0[b] = eip;
    this.bSucc0[b] = next;
  }

  /** Something is about to write physical page ppn, which holds code: orphan its blocks. */
  invalidatePage(ppn: number): void {
    this.pageBlocks.delete(ppn);
    this.pageRegions.delete(ppn);
    this.pageGen[ppn]++;
    this.codeMark[ppn] = 0;
    this.invalidations++;
  }

  /** For writes that do not go through a CPU (the hypervisor, loaders): keep decoded code honest. */
  notifyWrite(phys: number, len: number): void {
    if (len <= 0) return;
    const first = phys >>> 12, last = (phys + len - 1) >>> 12;
    for (let p = first; p <= last && p < this.codeMark.length; p++) {
      if (this.codeMark[p]) this.invalidatePage(p);
    }
  }
}
