// The eight classic ALU operations (ADD OR ADC SBB AND SUB XOR CMP) in all
// their encodings, TEST, INC/DEC, NOT/NEG. Flags are lazy (flags.ts): each
// operation records operands, result and kind; ADC/SBB use the carry-in-1
// kinds when CF was set.
import { R } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { getCF, K_ADC, K_ADD, K_DEC, K_INC, K_LOGIC, K_SBB, K_SUB, saveCF, setLazy } from '../flags';
import type { Handler, OpRow } from '../table';
import {
  commitE16, commitE32, commitE8, getR16, getR8, readE16, readE32, readE8, regField, rmwE16, rmwE32,
  rmwE8, setR16, setR8,
} from './helpers';

export const ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;
const NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

/**
 * Compute `a op b` at size sz (0/1/2 = 8/16/32 bits), record the lazy flags and
 * return the result (unmasked for 8/16 bits: callers store the low part).
 */
export function alu(r: Int32Array, op: number, sz: number, a: number, b: number): number {
  let res: number;
  switch (op) {
    case ADD: res = (a + b) | 0; setLazy(r, (K_ADD << 2) | sz, a, b, res); return res;
    case OR: res = a | b; setLazy(r, (K_LOGIC << 2) | sz, a, b, res); return res;
    case ADC: {
      const cin = getCF(r);
      res = (a + b + cin) | 0;
      setLazy(r, ((cin ? K_ADC : K_ADD) << 2) | sz, a, b, res);
      return res;
    }
    case SBB: {
      const cin = getCF(r);
      res = (a - b - cin) | 0;
      setLazy(r, ((cin ? K_SBB : K_SUB) << 2) | sz, a, b, res);
      return res;
    }
    case AND: res = a & b; setLazy(r, (K_LOGIC << 2) | sz, a, b, res); return res;
    case SUB: case CMP: res = (a - b) | 0; setLazy(r, (K_SUB << 2) | sz, a, b, res); return res;
    default: res = a ^ b; setLazy(r, (K_LOGIC << 2) | sz, a, b, res); return res;
  }
}

function formsFor(op: number): OpRow[] {
  const n = NAMES[op], base = op << 3, store = op !== CMP;
  // CMP only reads its destination: a read access (no write fault, no dirty bit, no code invalidation).
  const Eb_Gb: Handler = (c, i) => {
    const a = store ? rmwE8(c, i) : readE8(c, i); if (c.fault) return;
    const res = alu(c.r, op, 0, a, getR8(c, regField(c, i)));
    if (store) commitE8(c, res);
  };
  const Ev_Gv: Handler = (c, i) => {
    const a = store ? rmwE32(c, i) : readE32(c, i); if (c.fault) return;
    const res = alu(c.r, op, 2, a, c.r[regField(c, i)]);
    if (store) commitE32(c, res);
  };
  const Ew_Gw: Handler = (c, i) => {
    const a = store ? rmwE16(c, i) : readE16(c, i); if (c.fault) return;
    const res = alu(c.r, op, 1, a, getR16(c, regField(c, i)));
    if (store) commitE16(c, res);
  };
  const Gb_Eb: Handler = (c, i) => {
    const b = readE8(c, i); if (c.fault) return;
    const g = regField(c, i);
    const res = alu(c.r, op, 0, getR8(c, g), b);
    if (store) setR8(c, g, res);
  };
  const Gv_Ev: Handler = (c, i) => {
    const b = readE32(c, i); if (c.fault) return;
    const g = regField(c, i);
    const res = alu(c.r, op, 2, c.r[g], b);
    if (store) c.r[g] = res;
  };
  const Gw_Ew: Handler = (c, i) => {
    const b = readE16(c, i); if (c.fault) return;
    const g = regField(c, i);
    const res = alu(c.r, op, 1, getR16(c, g), b);
    if (store) setR16(c, g, res);
  };
  const AL_Ib: Handler = (c, i) => {
    const res = alu(c.r, op, 0, c.r8[0], c.dImm[i] & 0xff);
    if (store) c.r8[0] = res;
  };
  const eAX_Iz: Handler = (c, i) => {
    const res = alu(c.r, op, 2, c.r[R.EAX], c.dImm[i]);
    if (store) c.r[R.EAX] = res;
  };
  const AX_Iw: Handler = (c, i) => {
    const res = alu(c.r, op, 1, c.r16[0], c.dImm[i] & 0xffff);
    if (store) c.r16[0] = res;
  };
  // Group 1 (80, 81, 83 with ModRM reg = op).
  const Eb_Ib: Handler = (c, i) => {
    const a = store ? rmwE8(c, i) : readE8(c, i); if (c.fault) return;
    const res = alu(c.r, op, 0, a, c.dImm[i] & 0xff);
    if (store) commitE8(c, res);
  };
  const Ev_I: Handler = (c, i) => {
    const a = store ? rmwE32(c, i) : readE32(c, i); if (c.fault) return;
    const res = alu(c.r, op, 2, a, c.dImm[i]);
    if (store) commitE32(c, res);
  };
  const Ew_I: Handler = (c, i) => {
    const a = store ? rmwE16(c, i) : readE16(c, i); if (c.fault) return;
    const res = alu(c.r, op, 1, a, c.dImm[i] & 0xffff);
    if (store) commitE16(c, res);
  };
  const lock = store;
  return [
    { op: base + 0, name: `${n}_Eb_Gb`, h: Eb_Gb, lock },
    { op: base + 1, name: `${n}_Ev_Gv`, h: Ev_Gv, h16: Ew_Gw, lock },
    { op: base + 2, name: `${n}_Gb_Eb`, h: Gb_Eb },
    { op: base + 3, name: `${n}_Gv_Ev`, h: Gv_Ev, h16: Gw_Ew },
    { op: base + 4, name: `${n}_AL_Ib`, h: AL_Ib },
    { op: base + 5, name: `${n}_eAX_Iz`, h: eAX_Iz, h16: AX_Iw },
    { op: 0x80, reg: op, name: `${n}_Eb_Ib`, h: Eb_Ib, lock },
    { op: 0x81, reg: op, name: `${n}_Ev_Iz`, h: Ev_I, h16: Ew_I, lock },
    // 83 /op sign-extends its byte immediate; the decoder already did.
    { op: 0x83, reg: op, name: `${n}_Ev_Ib`, h: Ev_I, h16: Ew_I, lock },
  ];
}

// TEST: AND without storing.
const test_Eb_Gb: Handler = (c, i) => {
  const a = readE8(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 0, a, 0, a & getR8(c, regField(c, i)));
};
const test_Ev_Gv: Handler = (c, i) => {
  const a = readE32(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 2, a, 0, a & c.r[regField(c, i)]);
};
const test_Ew_Gw: Handler = (c, i) => {
  const a = readE16(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 1, a, 0, a & getR16(c, regField(c, i)));
};
const test_Eb_Ib: Handler = (c, i) => {
  const a = readE8(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 0, a, 0, a & c.dImm[i]);
};
const test_Ev_Iz: Handler = (c, i) => {
  const a = readE32(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 2, a, 0, a & c.dImm[i]);
};
const test_Ew_Iw: Handler = (c, i) => {
  const a = readE16(c, i); if (c.fault) return;
  setLazy(c.r, (K_LOGIC << 2) | 1, a, 0, a & c.dImm[i]);
};

// INC / DEC keep CF: it is saved into EFLAGS before the lazy state is replaced.
function incdec(c: Cpu, sz: number, a: number, dec: boolean): number {
  saveCF(c.r);
  const res = dec ? (a - 1) | 0 : (a + 1) | 0;
  setLazy(c.r, ((dec ? K_DEC : K_INC) << 2) | sz, a, 1, res);
  return res;
}
function incReg(n: number, dec: boolean): [Handler, Handler] {
  return [
    (c) => { c.r[n] = incdec(c, 2, c.r[n], dec); },
    (c) => { setR16(c, n, incdec(c, 1, getR16(c, n), dec)); },
  ];
}
const incdecE = (dec: boolean): [Handler, Handler, Handler] => [
  (c, i) => { const a = rmwE8(c, i); if (c.fault) return; commitE8(c, incdec(c, 0, a, dec)); },
  (c, i) => { const a = rmwE32(c, i); if (c.fault) return; commitE32(c, incdec(c, 2, a, dec)); },
  (c, i) => { const a = rmwE16(c, i); if (c.fault) return; commitE16(c, incdec(c, 1, a, dec)); },
];
const [inc_Eb, inc_Ev, inc_Ew] = incdecE(false);
const [dec_Eb, dec_Ev, dec_Ew] = incdecE(true);

// NOT (no flags) and NEG (0 - x, as SUB).
const not_Eb: Handler = (c, i) => { const a = rmwE8(c, i); if (c.fault) return; commitE8(c, ~a); };
const not_Ev: Handler = (c, i) => { const a = rmwE32(c, i); if (c.fault) return; commitE32(c, ~a); };
const not_Ew: Handler = (c, i) => { const a = rmwE16(c, i); if (c.fault) return; commitE16(c, ~a); };
const neg_Eb: Handler = (c, i) => { const a = rmwE8(c, i); if (c.fault) return; commitE8(c, alu(c.r, SUB, 0, 0, a)); };
const neg_Ev: Handler = (c, i) => { const a = rmwE32(c, i); if (c.fault) return; commitE32(c, alu(c.r, SUB, 2, 0, a)); };
const neg_Ew: Handler = (c, i) => { const a = rmwE16(c, i); if (c.fault) return; commitE16(c, alu(c.r, SUB, 1, 0, a)); };

const incdecRows: OpRow[] = [];
for (let n = 0; n < 8; n++) {
  const [i32, i16] = incReg(n, false), [d32, d16] = incReg(n, true);
  incdecRows.push({ op: 0x40 + n, name: `inc_${['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'][n]}`, h: i32, h16: i16 });
  incdecRows.push({ op: 0x48 + n, name: `dec_${['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'][n]}`, h: d32, h16: d16 });
}

export const rows: OpRow[] = [
  ...[ADD, OR, ADC, SBB, AND, SUB, XOR, CMP].flatMap(formsFor),
  { op: 0x84, name: 'test_Eb_Gb', h: test_Eb_Gb },
  { op: 0x85, name: 'test_Ev_Gv', h: test_Ev_Gv, h16: test_Ew_Gw },
  { op: 0xa8, name: 'test_AL_Ib', h: (c, i) => setLazy(c.r, K_LOGIC << 2, c.r8[0], 0, c.r8[0] & c.dImm[i]) },
  { op: 0xa9, name: 'test_eAX_Iz', h: (c, i) => setLazy(c.r, (K_LOGIC << 2) | 2, c.r[0], 0, c.r[0] & c.dImm[i]),
    h16: (c, i) => setLazy(c.r, (K_LOGIC << 2) | 1, c.r16[0], 0, c.r16[0] & c.dImm[i]) },
  { op: 0xf6, reg: 0, name: 'test_Eb_Ib', h: test_Eb_Ib },
  { op: 0xf6, reg: 1, name: 'test_Eb_Ib', h: test_Eb_Ib },
  { op: 0xf7, reg: 0, name: 'test_Ev_Iz', h: test_Ev_Iz, h16: test_Ew_Iw },
  { op: 0xf7, reg: 1, name: 'test_Ev_Iz', h: test_Ev_Iz, h16: test_Ew_Iw },
  { op: 0xf6, reg: 2, name: 'not_Eb', h: not_Eb, lock: true },
  { op: 0xf7, reg: 2, name: 'not_Ev', h: not_Ev, h16: not_Ew, lock: true },
  { op: 0xf6, reg: 3, name: 'neg_Eb', h: neg_Eb, lock: true },
  { op: 0xf7, reg: 3, name: 'neg_Ev', h: neg_Ev, h16: neg_Ew, lock: true },
  ...incdecRows,
  { op: 0xfe, reg: 0, name: 'inc_Eb', h: inc_Eb, lock: true },
  { op: 0xfe, reg: 1, name: 'dec_Eb', h: dec_Eb, lock: true },
  { op: 0xff, reg: 0, name: 'inc_Ev', h: inc_Ev, h16: inc_Ew, lock: true },
  { op: 0xff, reg: 1, name: 'dec_Ev', h: dec_Ev, h16: dec_Ew, lock: true },
];
