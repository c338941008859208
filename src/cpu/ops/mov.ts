// Data movement: MOV in its general forms, LEA, XCHG, MOVZX/MOVSX, the
// accumulator sign extensions (CBW/CWDE, CWD/CDQ) and NOP. No flags change.
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { rd16, rd32, rd8, wr16, wr32, wr8, rmw, prd8, prd16, prd32, pwr8, pwr16, pwr32 } from '../access';
import { raiseUD } from '../exceptions';
import type { Handler, OpRow } from '../table';
import { ea, getR16, getR8, readE16, readE32, readE8, regField, setR16, setR8, writeE16, writeE32, writeE8 } from './helpers';

const mov_Eb_Gb: Handler = (c, i) => writeE8(c, i, getR8(c, regField(c, i)));
const mov_Ev_Gv: Handler = (c, i) => writeE32(c, i, c.r[regField(c, i)]);
const mov_Ew_Gw: Handler = (c, i) => writeE16(c, i, getR16(c, regField(c, i)));
const mov_Gb_Eb: Handler = (c, i) => { const v = readE8(c, i); if (!c.fault) setR8(c, regField(c, i), v); };
const mov_Gv_Ev: Handler = (c, i) => { const v = readE32(c, i); if (!c.fault) c.r[regField(c, i)] = v; };
const mov_Gw_Ew: Handler = (c, i) => { const v = readE16(c, i); if (!c.fault) setR16(c, regField(c, i), v); };
const mov_Eb_Ib: Handler = (c, i) => writeE8(c, i, c.dImm[i]);
const mov_Ev_Iz: Handler = (c, i) => writeE32(c, i, c.dImm[i]);
const mov_Ew_Iw: Handler = (c, i) => writeE16(c, i, c.dImm[i]);
// moffs forms: the offset was decoded into dDisp.
const mov_AL_Ob: Handler = (c, i) => { const v = rd8(c, c.dSeg[i], c.dDisp[i]); if (!c.fault) c.r8[0] = v; };
const mov_eAX_Ov: Handler = (c, i) => { const v = rd32(c, c.dSeg[i], c.dDisp[i]); if (!c.fault) c.r[R.EAX] = v; };
const mov_AX_Ow: Handler = (c, i) => { const v = rd16(c, c.dSeg[i], c.dDisp[i]); if (!c.fault) c.r16[0] = v; };
const mov_Ob_AL: Handler = (c, i) => wr8(c, c.dSeg[i], c.dDisp[i], c.r8[0]);
const mov_Ov_eAX: Handler = (c, i) => wr32(c, c.dSeg[i], c.dDisp[i], c.r[R.EAX]);
const mov_Ow_AX: Handler = (c, i) => wr16(c, c.dSeg[i], c.dDisp[i], c.r16[0]);

const lea_Gv_M: Handler = (c, i) => {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  c.r[regField(c, i)] = ea(c, i);
};
const lea_Gw_M: Handler = (c, i) => {
  if (c.dModrm[i] >= 0xc0) return raiseUD(c);
  setR16(c, regField(c, i), ea(c, i));
};

// XCHG with memory is a locked read-modify-write on real hardware; here it is one RMW.
const xchg_Eb_Gb: Handler = (c, i) => {
  const g = regField(c, i), m = c.dModrm[i];
  if (m >= 0xc0) { const t = getR8(c, m & 7); setR8(c, m & 7, getR8(c, g)); setR8(c, g, t); return; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 1); if (p === -1) return;
  const t = prd8(c, p); pwr8(c, p, getR8(c, g)); setR8(c, g, t);
};
const xchg_Ev_Gv: Handler = (c, i) => {
  const g = regField(c, i), m = c.dModrm[i];
  if (m >= 0xc0) { const t = c.r[m & 7]; c.r[m & 7] = c.r[g]; c.r[g] = t; return; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 4); if (p === -1) return;
  const t = prd32(c, p); pwr32(c, p, c.r[g]); c.r[g] = t;
};
const xchg_Ew_Gw: Handler = (c, i) => {
  const g = regField(c, i), m = c.dModrm[i];
  if (m >= 0xc0) { const t = getR16(c, m & 7); setR16(c, m & 7, getR16(c, g)); setR16(c, g, t); return; }
  const p = rmw(c, c.dSeg[i], ea(c, i), 2); if (p === -1) return;
  const t = prd16(c, p); pwr16(c, p, getR16(c, g)); setR16(c, g, t);
};
function xchgAx(n: number): [Handler, Handler] {
  return [
    (c) => { const t = c.r[0]; c.r[0] = c.r[n]; c.r[n] = t; },
    (c) => { const t = c.r16[0]; c.r16[0] = c.r16[n << 1]; c.r16[n << 1] = t; },
  ];
}

const movzx_Gv_Eb: Handler = (c, i) => { const v = readE8(c, i); if (!c.fault) c.r[regField(c, i)] = v; };
const movzx_Gw_Eb: Handler = (c, i) => { const v = readE8(c, i); if (!c.fault) setR16(c, regField(c, i), v); };
const movzx_Gv_Ew: Handler = (c, i) => { const v = readE16(c, i); if (!c.fault) c.r[regField(c, i)] = v; };
const movsx_Gv_Eb: Handler = (c, i) => { const v = readE8(c, i); if (!c.fault) c.r[regField(c, i)] = (v << 24) >> 24; };
const movsx_Gw_Eb: Handler = (c, i) => { const v = readE8(c, i); if (!c.fault) setR16(c, regField(c, i), (v << 24) >> 24); };
const movsx_Gv_Ew: Handler = (c, i) => { const v = readE16(c, i); if (!c.fault) c.r[regField(c, i)] = (v << 16) >> 16; };

const nop: Handler = () => {};

const regNames = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const r8Names = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];
const movImmRows: OpRow[] = [];
for (let n = 0; n < 8; n++) {
  movImmRows.push({ op: 0xb0 + n, name: `mov_${r8Names[n]}_Ib`, h: (c: Cpu, i) => setR8(c, n, c.dImm[i]) });
  movImmRows.push({
    op: 0xb8 + n, name: `mov_${regNames[n]}_Iz`,
    h: (c: Cpu, i) => { c.r[n] = c.dImm[i]; }, h16: (c: Cpu, i) => setR16(c, n, c.dImm[i]),
  });
  if (n > 0) {
    const [x32, x16] = xchgAx(n);
    movImmRows.push({ op: 0x90 + n, name: `xchg_eAX_${regNames[n]}`, h: x32, h16: x16 });
  }
}

export const rows: OpRow[] = [
  ...movImmRows,
  { op: 0x88, name: 'mov_Eb_Gb', h: mov_Eb_Gb },
  { op: 0x89, name: 'mov_Ev_Gv', h: mov_Ev_Gv, h16: mov_Ew_Gw },
  { op: 0x8a, name: 'mov_Gb_Eb', h: mov_Gb_Eb },
  { op: 0x8b, name: 'mov_Gv_Ev', h: mov_Gv_Ev, h16: mov_Gw_Ew },
  { op: 0xc6, reg: 0, name: 'mov_Eb_Ib', h: mov_Eb_Ib },
  { op: 0xc7, reg: 0, name: 'mov_Ev_Iz', h: mov_Ev_Iz, h16: mov_Ew_Iw },
  { op: 0xa0, name: 'mov_AL_Ob', h: mov_AL_Ob },
  { op: 0xa1, name: 'mov_eAX_Ov', h: mov_eAX_Ov, h16: mov_AX_Ow },
  { op: 0xa2, name: 'mov_Ob_AL', h: mov_Ob_AL },
  { op: 0xa3, name: 'mov_Ov_eAX', h: mov_Ov_eAX, h16: mov_Ow_AX },
  { op: 0x8d, name: 'lea_Gv_M', h: lea_Gv_M, h16: lea_Gw_M },
  { op: 0x86, name: 'xchg_Eb_Gb', h: xchg_Eb_Gb, lock: true },
  { op: 0x87, name: 'xchg_Ev_Gv', h: xchg_Ev_Gv, h16: xchg_Ew_Gw, lock: true },
  { op: 0x0fb6, name: 'movzx_Gv_Eb', h: movzx_Gv_Eb, h16: movzx_Gw_Eb },
  { op: 0x0fb7, name: 'movzx_Gv_Ew', h: movzx_Gv_Ew, h16: (c, i) => { const v = readE16(c, i); if (!c.fault) setR16(c, regField(c, i), v); } },
  { op: 0x0fbe, name: 'movsx_Gv_Eb', h: movsx_Gv_Eb, h16: movsx_Gw_Eb },
  { op: 0x0fbf, name: 'movsx_Gv_Ew', h: movsx_Gv_Ew, h16: (c, i) => { const v = readE16(c, i); if (!c.fault) setR16(c, regField(c, i), v); } },
  { op: 0x98, name: 'cwde', h: (c) => { c.r[0] = (c.r[0] << 16) >> 16; }, h16: (c) => { c.r16[0] = (c.r[0] << 24) >> 24; } },
  { op: 0x99, name: 'cdq', h: (c) => { c.r[2] = c.r[0] >> 31; }, h16: (c) => { c.r16[4] = (c.r[0] << 16) >> 31; } },
  // 90 is NOP (XCHG eAX,eAX; with F3 it is PAUSE); 0F 1F /0 is the multi-byte NOP.
  { op: 0x90, name: 'nop', h: nop },
  { op: 0x0f1f, name: 'nop_Ev', h: nop },
];
