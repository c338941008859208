// The decoder: prefixes, opcode, ModRM/SIB, displacement and immediates, into
// one slot of the decode arrays. It runs once per instruction per block build,
// never per execution. Undefined opcodes decode to a handler that raises #UD
// when (and only if) executed, as on a real processor.
import { SEG_DS, SEG_SS } from '../shared/layout';
import { NOREG, P_A16, P_LOCK, P_O16, P_REP, P_REPNE, P_SEG } from './defs';
import type { CodeCache } from './codecache';
import { decodeInfoOf, IMM_AP, IMM_B, IMM_NONE, IMM_O, IMM_W, IMM_WB, IMM_Z, type Handler, type OpRow } from './table';

/** Handler ids: index into HANDLERS. Ids 0 and 1 are #UD and "instruction too long" (#GP). */
export const HANDLERS: Handler[] = [];
export const HANDLER_NAMES: string[] = [];
export const H_UD = 0, H_TOOLONG = 1;

// Per opcode (0..511; 0F xx at 256 + xx): decode info, then handler ids per [o16][reg].
const hasModrm = new Uint8Array(512);
const immKind = new Uint8Array(512);
const ids = new Uint16Array(512 * 2 * 8);
/** Per [opcode][reg]: the row accepts a LOCK prefix (with a memory destination). */
const lockable = new Uint8Array(512 * 8);
// 16-bit addressing: [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP]/disp16 [BX]
const B16 = [3, 3, 5, 5, NOREG, NOREG, 5, 3];
const I16 = [6, 7, 6, 7, 6, 7, NOREG, NOREG];
/** Handler ids that end a block. */
let endsBlock = new Uint8Array(0);

/** Build the tables from the opcode rows. Called once, by ops/index.ts. */
export function installRows(rows: readonly OpRow[], ud: Handler, tooLong: Handler): void {
  const idOf = new Map<Handler, number>();
  const ends: boolean[] = [];
  const add = (h: Handler, name: string, end: boolean): number => {
    let id = idOf.get(h);
    if (id === undefined) {
      id = HANDLERS.length;
      HANDLERS.push(h);
      HANDLER_NAMES.push(name);
      idOf.set(h, id);
      ends[id] = false;
    }
    if (end) ends[id] = true;
    return id;
  };
  add(ud, 'ud', true);
  add(tooLong, 'toolong', true);
  const seen = new Set<string>();
  for (const row of rows) {
    const o = row.op >= 0x0f00 ? 256 + (row.op & 0xff) : row.op;
    const key = `${o}/${row.reg ?? '*'}`;
    if (seen.has(key)) throw new Error(`opcode table: two rows for ${row.name} (${key})`);
    seen.add(key);
    const info = decodeInfoOf(row.name);
    hasModrm[o] = info.modrm || row.reg !== undefined ? 1 : 0;
    // Group rows share one opcode: the immediate comes from whichever row has one
    // (F6/F7, whose TEST rows alone take one, are special-cased in groupImm).
    if (info.imm !== IMM_NONE) immKind[o] = info.imm;
    const h32 = add(row.h, row.name, !!row.ends);
    const h16 = row.h16 ? add(row.h16, row.name + '@16', !!row.ends) : h32;
    for (let reg = 0; reg < 8; reg++) {
      if (row.reg !== undefined && row.reg !== reg) continue;
      ids[(o * 2 + 0) * 8 + reg] = h32;
      ids[(o * 2 + 1) * 8 + reg] = h16;
      if (row.lock) lockable[o * 8 + reg] = 1;
    }
  }
  endsBlock = Uint8Array.from(ends, (e) => (e ? 1 : 0));
}

export function handlerEndsBlock(id: number): boolean {
  return endsBlock[id] === 1;
}

/** Group opcodes whose immediate depends on the ModRM reg field (TEST in F6/F7 /0 and /1). */
function groupImm(o: number, reg: number, imm: number): number {
  if ((o === 0xf6 || o === 0xf7) && reg > 1) return IMM_NONE;
  return imm;
}

/**
 * Decode one instruction from bytes src[pos .. pos+avail) into slot `s`.
 * `def32` is the code segment's default size. Returns the length, or 0 when the
 * instruction needs bytes beyond `avail` (it crosses a page or the CS limit).
 */
export function decodeOne(cc: CodeCache, s: number, src: Uint8Array, pos: number, avail: number, def32: boolean): number {
  let k = 0, pfx = def32 ? 0 : P_O16 | P_A16, seg = -1, b = 0;
  const max = avail < 15 ? avail : 15;
  // Prefixes.
  for (;;) {
    if (k >= max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
    b = src[pos + k++];
    switch (b) {
      case 0x66: pfx = def32 ? pfx | P_O16 : pfx & ~P_O16; continue;
      case 0x67: pfx = def32 ? pfx | P_A16 : pfx & ~P_A16; continue;
      case 0xf0: pfx |= P_LOCK; continue;
      case 0xf2: pfx = (pfx | P_REPNE) & ~P_REP; continue;
      case 0xf3: pfx = (pfx | P_REP) & ~P_REPNE; continue;
      case 0x26: seg = 0; pfx |= P_SEG; continue;
      case 0x2e: seg = 1; pfx |= P_SEG; continue;
      case 0x36: seg = 2; pfx |= P_SEG; continue;
      case 0x3e: seg = 3; pfx |= P_SEG; continue;
      case 0x64: seg = 4; pfx |= P_SEG; continue;
      case 0x65: seg = 5; pfx |= P_SEG; continue;
    }
    break;
  }
  let o = b;
  if (b === 0x0f) {
    if (k >= max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
    o = 256 + src[pos + k++];
  }
  const o16 = pfx & P_O16 ? 1 : 0, a16 = (pfx & P_A16) !== 0;
  let modrm = 0, base = NOREG, index = NOREG, scale = 0, disp = 0, defSeg = SEG_DS;
  if (hasModrm[o]) {
    if (k >= max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
    modrm = src[pos + k++];
    const mod = modrm >> 6, rm = modrm & 7;
    if (mod !== 3) {
      if (a16) {
        base = B16[rm]; index = I16[rm];
        if (mod === 0 && rm === 6) base = NOREG;
        if (base === 5) defSeg = SEG_SS;
        const dsz = mod === 1 ? 1 : mod === 2 || (mod === 0 && rm === 6) ? 2 : 0;
        if (k + dsz > max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
        if (dsz === 1) disp = (src[pos + k] << 24) >> 24;
        else if (dsz === 2) disp = src[pos + k] | (src[pos + k + 1] << 8);
        k += dsz;
      } else {
        if (rm === 4) {
          if (k >= max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
          const sib = src[pos + k++];
          scale = sib >> 6;
          index = (sib >> 3) & 7;
          if (index === 4) index = NOREG;
          base = sib & 7;
          if (base === 5 && mod === 0) base = NOREG;
        } else {
          base = rm;
          if (mod === 0 && rm === 5) base = NOREG;
        }
        if (base === 4 || base === 5) defSeg = SEG_SS;
        const dsz = mod === 1 ? 1 : mod === 2 || base === NOREG ? 4 : 0;
        if (k + dsz > max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
        if (dsz === 1) disp = (src[pos + k] << 24) >> 24;
        else if (dsz === 4) disp = src[pos + k] | (src[pos + k + 1] << 8) | (src[pos + k + 2] << 16) | (src[pos + k + 3] << 24);
        k += dsz;
      }
    }
  }
  const reg = (modrm >> 3) & 7;
  let imm = 0, imm2 = 0;
  const kind = groupImm(o, reg, immKind[o]);
  if (kind !== IMM_NONE) {
    const zs = o16 ? 2 : 4;
    const need = kind === IMM_B ? 1 : kind === IMM_W ? 2 : kind === IMM_Z ? zs : kind === IMM_AP ? zs + 2 : kind === IMM_O ? (a16 ? 2 : 4) : 3;
    if (k + need > max) return avail < 15 ? 0 : tooLong(cc, s, 15, pfx);
    const p = pos + k;
    switch (kind) {
      case IMM_B: imm = (src[p] << 24) >> 24; break;
      case IMM_W: imm = src[p] | (src[p + 1] << 8); break;
      case IMM_Z: imm = zs === 2 ? (src[p] | (src[p + 1] << 8)) << 16 >> 16 : rd32(src, p); break;
      case IMM_AP:
        imm = zs === 2 ? src[p] | (src[p + 1] << 8) : rd32(src, p);
        imm2 = src[p + zs] | (src[p + zs + 1] << 8);
        break;
      case IMM_O: disp = a16 ? src[p] | (src[p + 1] << 8) : rd32(src, p); break;
      case IMM_WB: imm = src[p] | (src[p + 1] << 8); imm2 = src[p + 2]; break;
    }
    k += need;
  }
  // LOCK is #UD unless the instruction is one of the lockable read-modify-writes with a memory operand.
  const lockBad = (pfx & P_LOCK) !== 0 && (!lockable[o * 8 + reg] || modrm >= 0xc0);
  cc.dOp[s] = lockBad ? H_UD : ids[(o * 2 + o16) * 8 + reg];
  cc.dLen[s] = k;
  cc.dModrm[s] = modrm;
  cc.dBase[s] = base;
  cc.dIndex[s] = index;
  cc.dScale[s] = scale;
  cc.dSeg[s] = seg >= 0 ? seg : defSeg;
  cc.dPfx[s] = pfx;
  cc.dDisp[s] = disp;
  cc.dImm[s] = imm;
  cc.dImm2[s] = imm2;
  return k;
}

function rd32(src: Uint8Array, p: number): number {
  return src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
}

function tooLong(cc: CodeCache, s: number, len: number, pfx: number): number {
  cc.dOp[s] = H_TOOLONG;
  cc.dLen[s] = len;
  cc.dPfx[s] = pfx;
  cc.dModrm[s] = 0;
  return len;
}
