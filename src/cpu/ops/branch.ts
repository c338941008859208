// Near control transfers: Jcc, JMP, CALL, RET, LOOP/JCXZ, and the
// condition-code consumers SETcc and CMOVcc. Far transfers live in far.ts.
import { R } from '../../shared/layout';
import { pop16, pop32, push16, push32 } from '../access';
import { cond } from '../flags';
import type { Handler, OpRow } from '../table';
import { jumpRel, readE16, readE32, regField, setR16, writeE8 } from './helpers';
import { P_A16 } from '../defs';

const CC = ['o', 'no', 'b', 'nb', 'z', 'nz', 'be', 'nbe', 's', 'ns', 'p', 'np', 'l', 'nl', 'le', 'nle'];

const jmp_J: Handler = (c, i) => jumpRel(c, i, false);
const jmp_J16: Handler = (c, i) => jumpRel(c, i, true);

const call_Jz: Handler = (c, i) => {
  push32(c, c.nextEip); if (c.fault) return;
  jumpRel(c, i, false);
};
const call_Jw: Handler = (c, i) => {
  push16(c, c.nextEip); if (c.fault) return;
  jumpRel(c, i, true);
};
const call_Ev: Handler = (c, i) => {
  const t = readE32(c, i); if (c.fault) return;
  push32(c, c.nextEip); if (c.fault) return;
  c.nextEip = t;
};
const call_Ew: Handler = (c, i) => {
  const t = readE16(c, i); if (c.fault) return;
  push16(c, c.nextEip); if (c.fault) return;
  c.nextEip = t;
};
const jmp_Ev: Handler = (c, i) => { const t = readE32(c, i); if (!c.fault) c.nextEip = t; };
const jmp_Ew: Handler = (c, i) => { const t = readE16(c, i); if (!c.fault) c.nextEip = t; };

const ret: Handler = (c) => { const t = pop32(c); if (!c.fault) c.nextEip = t; };
const ret16: Handler = (c) => { const t = pop16(c); if (!c.fault) c.nextEip = t; };
const ret_Iw: Handler = (c, i) => {
  const t = pop32(c); if (c.fault) return;
  c.nextEip = t;
  c.r[R.ESP] = c.ss32 ? (c.r[R.ESP] + c.dImm[i]) | 0 : (c.r[R.ESP] & ~0xffff) | ((c.r[R.ESP] + c.dImm[i]) & 0xffff);
};
const ret16_Iw: Handler = (c, i) => {
  const t = pop16(c); if (c.fault) return;
  c.nextEip = t;
  c.r[R.ESP] = c.ss32 ? (c.r[R.ESP] + c.dImm[i]) | 0 : (c.r[R.ESP] & ~0xffff) | ((c.r[R.ESP] + c.dImm[i]) & 0xffff);
};

/** LOOP/LOOPE/LOOPNE/JECXZ count with ECX or CX by address size. */
function counter(c: Parameters<Handler>[0], i: number, dec: boolean): number {
  if (c.dPfx[i] & P_A16) {
    if (dec) c.r16[2] = c.r16[2] - 1;
    return c.r16[2];
  }
  if (dec) c.r[R.ECX] = (c.r[R.ECX] - 1) | 0;
  return c.r[R.ECX];
}
const loopRows: OpRow[] = [
  { op: 0xe0, name: 'loopne_Jb', h: (c, i) => { if (counter(c, i, true) !== 0 && !cond(c.r, 4)) jumpRel(c, i, false); },
    h16: (c, i) => { if (counter(c, i, true) !== 0 && !cond(c.r, 4)) jumpRel(c, i, true); }, ends: true },
  { op: 0xe1, name: 'loope_Jb', h: (c, i) => { if (counter(c, i, true) !== 0 && cond(c.r, 4)) jumpRel(c, i, false); },
    h16: (c, i) => { if (counter(c, i, true) !== 0 && cond(c.r, 4)) jumpRel(c, i, true); }, ends: true },
  { op: 0xe2, name: 'loop_Jb', h: (c, i) => { if (counter(c, i, true) !== 0) jumpRel(c, i, false); },
    h16: (c, i) => { if (counter(c, i, true) !== 0) jumpRel(c, i, true); }, ends: true },
  { op: 0xe3, name: 'jecxz_Jb', h: (c, i) => { if (counter(c, i, false) === 0) jumpRel(c, i, false); },
    h16: (c, i) => { if (counter(c, i, false) === 0) jumpRel(c, i, true); }, ends: true },
];

const ccRows: OpRow[] = [];
for (let cc = 0; cc < 16; cc++) {
  const j: Handler = (c, i) => { if (cond(c.r, cc)) jumpRel(c, i, false); };
  const j16: Handler = (c, i) => { if (cond(c.r, cc)) jumpRel(c, i, true); };
  ccRows.push({ op: 0x70 + cc, name: `j${CC[cc]}_Jb`, h: j, h16: j16, ends: true });
  ccRows.push({ op: 0x0f80 + cc, name: `j${CC[cc]}_Jz`, h: j, h16: j16, ends: true });
  ccRows.push({ op: 0x0f90 + cc, name: `set${CC[cc]}_Eb`, h: (c, i) => writeE8(c, i, cond(c.r, cc) ? 1 : 0) });
  // CMOVcc reads its source (and can fault) even when the condition is false; the
  // 32-bit form zero-extends nothing when false: the destination is left unchanged.
  ccRows.push({
    op: 0x0f40 + cc, name: `cmov${CC[cc]}_Gv_Ev`,
    h: (c, i) => { const v = readE32(c, i); if (!c.fault && cond(c.r, cc)) c.r[regField(c, i)] = v; },
    h16: (c, i) => { const v = readE16(c, i); if (!c.fault && cond(c.r, cc)) setR16(c, regField(c, i), v); },
  });
}

export const rows: OpRow[] = [
  ...ccRows,
  ...loopRows,
  { op: 0xeb, name: 'jmp_Jb', h: jmp_J, h16: jmp_J16, ends: true },
  { op: 0xe9, name: 'jmp_Jz', h: jmp_J, h16: jmp_J16, ends: true },
  { op: 0xe8, name: 'call_Jz', h: call_Jz, h16: call_Jw, ends: true },
  { op: 0xff, reg: 2, name: 'call_Ev', h: call_Ev, h16: call_Ew, ends: true },
  { op: 0xff, reg: 4, name: 'jmp_Ev', h: jmp_Ev, h16: jmp_Ew, ends: true },
  { op: 0xc3, name: 'ret', h: ret, h16: ret16, ends: true },
  { op: 0xc2, name: 'ret_Iw', h: ret_Iw, h16: ret16_Iw, ends: true },
];
