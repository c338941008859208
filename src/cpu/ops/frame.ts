// Stack frames and register blocks: ENTER (with nesting levels), LEAVE,
// PUSHA/PUSHAD and POPA/POPAD. The operand size picks 16- or 32-bit values;
// the stack size (SS.B, c.ss32) picks SP or ESP, as the SDM's pseudo-code does.
//
// Every form works on a local copy of the stack pointer and commits ESP/EBP
// (and the popped registers) only after its last access: a fault in the
// middle leaves the registers as they were, so the instruction restarts.
// Stack memory below ESP may already have been written; that is not state the
// instruction promises to keep.
import { R, SEG_SS } from '../../shared/layout';
import { linW, rd16, rd32, spAdd, wr16, wr32 } from '../access';
import type { Cpu } from '../cpu';
import type { Handler, OpRow } from '../table';

function off(c: Cpu, sp: number): number {
  return c.ss32 ? sp : sp & 0xffff;
}

/** ENTER alloc, level: push eBP, copy level-1 frame pointers, push the new frame pointer, reserve alloc bytes. */
function enter(c: Cpu, i: number, o16: boolean): void {
  const r = c.r, w = o16 ? 2 : 4;
  const alloc = c.dImm[i] & 0xffff, level = c.dImm2[i] & 31;
  let sp = spAdd(c, r[R.ESP], -w);
  if (o16) wr16(c, SEG_SS, off(c, sp), r[R.EBP]); else wr32(c, SEG_SS, off(c, sp), r[R.EBP]);
  if (c.fault) return;
  const frameTemp = sp;
  if (level > 0) {
    // The enclosing frames' pointers, read through SS:eBP (a temporary copy of it).
    let bp = r[R.EBP];
    for (let k = 1; k < level; k++) {
      bp = spAdd(c, bp, -w);
      const v = o16 ? rd16(c, SEG_SS, off(c, bp)) : rd32(c, SEG_SS, off(c, bp));
      if (c.fault) return;
      sp = spAdd(c, sp, -w);
      if (o16) wr16(c, SEG_SS, off(c, sp), v); else wr32(c, SEG_SS, off(c, sp), v);
      if (c.fault) return;
    }
    sp = spAdd(c, sp, -w);
    if (o16) wr16(c, SEG_SS, off(c, sp), frameTemp); else wr32(c, SEG_SS, off(c, sp), frameTemp);
    if (c.fault) return;
  }
  const newSp = spAdd(c, sp, -alloc);
  // #SS(0) when the final stack pointer lies outside the stack segment
  // (the limit check only: the reserved area is not touched).
  if (alloc !== 0) { linW(c, SEG_SS, off(c, newSp), 1); if (c.fault) return; }
  // The operand size decides how much of eBP changes (SDM: BP <- FrameTemp[15:0] at 16 bits).
  if (o16 || !c.ss32) c.r16[R.EBP << 1] = frameTemp; else r[R.EBP] = frameTemp;
  r[R.ESP] = newSp;
}

/** LEAVE: eSP = eBP, then pop eBP. */
function leave(c: Cpu, o16: boolean): void {
  const r = c.r;
  const sp = c.ss32 ? r[R.EBP] : (r[R.ESP] & ~0xffff) | (r[R.EBP] & 0xffff);
  const v = o16 ? rd16(c, SEG_SS, off(c, sp)) : rd32(c, SEG_SS, off(c, sp));
  if (c.fault) return;
  r[R.ESP] = spAdd(c, sp, o16 ? 2 : 4);
  if (o16) c.r16[R.EBP << 1] = v; else r[R.EBP] = v;
}

// PUSHA: EAX ECX EDX EBX, the original ESP, EBP ESI EDI (EDI at the lowest address).
const pusha: Handler = (c) => {
  const r = c.r;
  let sp = r[R.ESP];
  for (let n = 0; n < 8; n++) {
    sp = spAdd(c, sp, -4);
    wr32(c, SEG_SS, off(c, sp), r[n]); if (c.fault) return;
  }
  r[R.ESP] = sp;
};
const pusha16: Handler = (c) => {
  const r = c.r;
  let sp = r[R.ESP];
  for (let n = 0; n < 8; n++) {
    sp = spAdd(c, sp, -2);
    wr16(c, SEG_SS, off(c, sp), r[n]); if (c.fault) return;
  }
  r[R.ESP] = sp;
};

// POPA: EDI ESI EBP, skip the saved ESP, EBX EDX ECX EAX. All eight slots are
// read before any register changes.
const popa: Handler = (c) => {
  const r = c.r, sp = r[R.ESP];
  const di = rd32(c, SEG_SS, off(c, sp)); if (c.fault) return;
  const si = rd32(c, SEG_SS, off(c, spAdd(c, sp, 4))); if (c.fault) return;
  const bp = rd32(c, SEG_SS, off(c, spAdd(c, sp, 8))); if (c.fault) return;
  // The ESP slot is skipped, but it is still part of the stack area that must be readable.
  rd32(c, SEG_SS, off(c, spAdd(c, sp, 12))); if (c.fault) return;
  const bx = rd32(c, SEG_SS, off(c, spAdd(c, sp, 16))); if (c.fault) return;
  const dx = rd32(c, SEG_SS, off(c, spAdd(c, sp, 20))); if (c.fault) return;
  const cx = rd32(c, SEG_SS, off(c, spAdd(c, sp, 24))); if (c.fault) return;
  const ax = rd32(c, SEG_SS, off(c, spAdd(c, sp, 28))); if (c.fault) return;
  r[R.EDI] = di; r[R.ESI] = si; r[R.EBP] = bp; r[R.EBX] = bx;
  r[R.EDX] = dx; r[R.ECX] = cx; r[R.EAX] = ax;
  r[R.ESP] = spAdd(c, sp, 32);
};
const popa16: Handler = (c) => {
  const r = c.r, r16 = c.r16, sp = r[R.ESP];
  const di = rd16(c, SEG_SS, off(c, sp)); if (c.fault) return;
  const si = rd16(c, SEG_SS, off(c, spAdd(c, sp, 2))); if (c.fault) return;
  const bp = rd16(c, SEG_SS, off(c, spAdd(c, sp, 4))); if (c.fault) return;
  rd16(c, SEG_SS, off(c, spAdd(c, sp, 6))); if (c.fault) return;
  const bx = rd16(c, SEG_SS, off(c, spAdd(c, sp, 8))); if (c.fault) return;
  const dx = rd16(c, SEG_SS, off(c, spAdd(c, sp, 10))); if (c.fault) return;
  const cx = rd16(c, SEG_SS, off(c, spAdd(c, sp, 12))); if (c.fault) return;
  const ax = rd16(c, SEG_SS, off(c, spAdd(c, sp, 14))); if (c.fault) return;
  r16[R.EDI << 1] = di; r16[R.ESI << 1] = si; r16[R.EBP << 1] = bp; r16[R.EBX << 1] = bx;
  r16[R.EDX << 1] = dx; r16[R.ECX << 1] = cx; r16[R.EAX << 1] = ax;
  r[R.ESP] = spAdd(c, sp, 16);
};

export const rows: OpRow[] = [
  { op: 0xc8, name: 'enter_Iw_Ib', h: (c, i) => enter(c, i, false), h16: (c, i) => enter(c, i, true) },
  { op: 0xc9, name: 'leave', h: (c) => leave(c, false), h16: (c) => leave(c, true) },
  { op: 0x60, name: 'pusha', h: pusha, h16: pusha16 },
  { op: 0x61, name: 'popa', h: popa, h16: popa16 },
];
