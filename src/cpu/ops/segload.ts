// Segment-register moves: MOV Sreg,r/m and r/m,Sreg, PUSH/POP of segment
// registers, and the far-pointer loads LDS/LES/LFS/LGS/LSS. Every load goes
// through the checks in segments.ts (checkDataSeg for ES/DS/FS/GS,
// checkStackSeg for SS) before anything changes, so a faulting load leaves the
// registers as they were. CS is loaded only by far transfers (far.ts).
//
// MOV SS and POP SS inhibit interrupts until the next instruction completes.
// They do not end the block: the run loop takes interrupts only between
// blocks, so the instruction after them (normally the matching ESP load) runs
// first, except when the block happens to end right there (64 instructions or
// a page end) — a window the shadow closes on hardware and we do not model.
// Handlers read c.ss32 / c.flatR / c.flatW at run time, so nothing decoded
// depends on SS or the data segments.
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { peek16, peek32, push16, rd16, rd32, spAdd, wr16 } from '../access';
import { raiseUD } from '../exceptions';
import { checkDataSeg, checkStackSeg, commitDataSeg, loadDataSeg, loadSegFromDesc, loadStackSeg } from '../segments';
import type { Handler, OpRow } from '../table';
import { ea, readE16, regField, setR16 } from './helpers';

function selOf(c: Cpu, s: number): number {
  return c.r[R.SEG + s * 4] & 0xffff;
}

/** Check `sel` for segment register `s` (not CS), leaving its descriptor ready to commit. */
function checkSeg(c: Cpu, s: number, sel: number): boolean {
  return s === SEG_SS ? checkStackSeg(c, sel) : checkDataSeg(c, sel);
}
function commitSeg(c: Cpu, s: number, sel: number): void {
  if (s === SEG_SS) loadSegFromDesc(c, SEG_SS, sel);
  else commitDataSeg(c, s, sel);
}

// MOV Sreg,Ew (8E): the reg field names ES CS SS DS FS GS; CS and 6-7 are #UD.
// The source is 16 bits whatever the operand size.
const mov_Sw_Ew: Handler = (c, i) => {
  const s = regField(c, i);
  if (s === SEG_CS || s > SEG_GS) return raiseUD(c);
  const sel = readE16(c, i); if (c.fault) return;
  if (s === SEG_SS) loadStackSeg(c, sel);
  else loadDataSeg(c, s, sel);
};

// MOV Ew,Sreg (8C): a memory destination always takes 16 bits; a register
// destination with 32-bit operand size is zero-extended (P6 and later).
const mov_Ev_Sw: Handler = (c, i) => {
  const s = regField(c, i), m = c.dModrm[i];
  if (s > SEG_GS) return raiseUD(c);
  if (m >= 0xc0) c.r[m & 7] = selOf(c, s);
  else wr16(c, c.dSeg[i], ea(c, i), selOf(c, s));
};
const mov_Ew_Sw: Handler = (c, i) => {
  const s = regField(c, i), m = c.dModrm[i];
  if (s > SEG_GS) return raiseUD(c);
  if (m >= 0xc0) setR16(c, m & 7, selOf(c, s));
  else wr16(c, c.dSeg[i], ea(c, i), selOf(c, s));
};

/**
 * PUSH Sreg with 32-bit operand size: ESP goes down by 4 but only the low 16
 * bits of the slot are written, the upper two bytes keep their old contents
 * (the SDM's PUSH: "all recent Core and Atom processors perform a 16-bit move";
 * the other permitted behaviour, zero-extending, is not what we do).
 */
function pushSeg32(c: Cpu, s: number): void {
  const sp = spAdd(c, c.r[R.ESP], -4);
  wr16(c, SEG_SS, c.ss32 ? sp : sp & 0xffff, selOf(c, s));
  if (!c.fault) c.r[R.ESP] = sp;
}

/** POP Sreg: read, check the selector, then move ESP (by the old SS's size) and load. */
function popSeg(c: Cpu, s: number, o16: boolean): void {
  const sel = o16 ? peek16(c, 0) : peek32(c, 0) & 0xffff; if (c.fault) return;
  if (!checkSeg(c, s, sel)) return;
  c.r[R.ESP] = spAdd(c, c.r[R.ESP], o16 ? 2 : 4);
  commitSeg(c, s, sel);
}

/** LDS/LES/LFS/LGS/LSS Gv,Mp: offset then selector from memory; the register form is #UD. */
function loadFar(c: Cpu, i: number, s: number, o16: boolean): void {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  const seg = c.dSeg[i], a = ea(c, i);
  const off = o16 ? rd16(c, seg, a) : rd32(c, seg, a); if (c.fault) return;
  const sel = rd16(c, seg, (a + (o16 ? 2 : 4)) | 0); if (c.fault) return;
  if (!checkSeg(c, s, sel)) return;
  if (o16) setR16(c, regField(c, i), off); else c.r[regField(c, i)] = off;
  commitSeg(c, s, sel);
}

const pushRows: OpRow[] = [];
const SEG_ROWS: [number, number, number, string][] = [
  // [segment, push opcode, pop opcode (-1: none), name]
  [SEG_ES, 0x06, 0x07, 'ES'], [SEG_CS, 0x0e, -1, 'CS'], [SEG_SS, 0x16, 0x17, 'SS'],
  [SEG_DS, 0x1e, 0x1f, 'DS'], [SEG_FS, 0x0fa0, 0x0fa1, 'FS'], [SEG_GS, 0x0fa8, 0x0fa9, 'GS'],
];
for (const [s, push, pop, name] of SEG_ROWS) {
  pushRows.push({ op: push, name: `push_${name}`, h: (c) => pushSeg32(c, s), h16: (c) => push16(c, selOf(c, s)) });
  // POP CS does not exist (0F is the two-byte escape). Pops load segments Linux
  // would refuse at random, so the differential test skips them.
  if (pop >= 0) {
    pushRows.push({
      op: pop, name: `pop_${name}`, h: (c) => popSeg(c, s, false), h16: (c) => popSeg(c, s, true), diff: 'skip',
    });
  }
}

const farLoad = (s: number): [Handler, Handler] => [(c, i) => loadFar(c, i, s, false), (c, i) => loadFar(c, i, s, true)];
const [lds, lds16] = farLoad(SEG_DS), [les, les16] = farLoad(SEG_ES), [lfs, lfs16] = farLoad(SEG_FS);
const [lgs, lgs16] = farLoad(SEG_GS), [lss, lss16] = farLoad(SEG_SS);

export const rows: OpRow[] = [
  ...pushRows,
  { op: 0x8c, name: 'mov_Ew_Sw', h: mov_Ev_Sw, h16: mov_Ew_Sw },
  { op: 0x8e, name: 'mov_Sw_Ew', h: mov_Sw_Ew, diff: 'skip' },
  { op: 0xc4, name: 'les_Gv_Mp', h: les, h16: les16, diff: 'skip' },
  { op: 0xc5, name: 'lds_Gv_Mp', h: lds, h16: lds16, diff: 'skip' },
  // LSS changes SS but has no interrupt shadow: it ends the block like other SS changes.
  { op: 0x0fb2, name: 'lss_Gv_Mp', h: lss, h16: lss16, ends: true, diff: 'skip' },
  { op: 0x0fb4, name: 'lfs_Gv_Mp', h: lfs, h16: lfs16, diff: 'skip' },
  { op: 0x0fb5, name: 'lgs_Gv_Mp', h: lgs, h16: lgs16, diff: 'skip' },
];
