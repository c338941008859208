// Decimal adjustments: DAA DAS (packed BCD), AAA AAS AAM AAD (unpacked),
// written from the operation sections of the Intel SDM. Flags are computed
// eagerly; those the SDM leaves undefined are given a fixed value here and
// masked by `undef`:
//   DAA, DAS: OF undefined (cleared).      AAA, AAS: OF SF ZF PF undefined (from AL).
//   AAM, AAD: OF AF CF undefined (cleared); SF ZF PF from AL.
// AAA/AAS follow the current SDM: AX +/- 106h/6 as one 16-bit operation
// (older processors added to AL and AH separately; they differ when AL+6 carries).
//
// SALC (D6, "set AL from carry") is undocumented: it is left out and raises
// #UD, as the decoder does for any opcode without a row.
import type { Cpu } from '../cpu';
import { AF, CF, DE, OF, PF, SF, ZF, ARITH } from '../defs';
import { NOERR, raise } from '../exceptions';
import { getAF, getCF, PARITY, setArith } from '../flags';
import type { Handler, OpRow } from '../table';

/** SF, ZF, PF of an 8-bit result. */
function szp8(v: number): number {
  return (v === 0 ? ZF : 0) | (v & 0x80 ? SF : 0) | PARITY[v];
}

const daa: Handler = (c: Cpu) => {
  const r = c.r, old = c.r8[0], oldCF = getCF(r);
  let al = old, cf = 0, af = 0;
  if ((al & 0x0f) > 9 || getAF(r)) {
    al = (al + 6) & 0xff;
    cf = oldCF | (old + 6 > 0xff ? 1 : 0);
    af = AF;
  }
  if (old > 0x99 || oldCF) {
    al = (al + 0x60) & 0xff;
    cf = 1;
  } else {
    cf = 0;
  }
  c.r8[0] = al;
  setArith(r, ARITH, cf | af | szp8(al));
};

const das: Handler = (c: Cpu) => {
  const r = c.r, old = c.r8[0], oldCF = getCF(r);
  let al = old, cf = 0, af = 0;
  if ((al & 0x0f) > 9 || getAF(r)) {
    al = (al - 6) & 0xff;
    cf = oldCF | (old < 6 ? 1 : 0);
    af = AF;
  }
  if (old > 0x99 || oldCF) {
    al = (al - 0x60) & 0xff;
    cf = 1;
  }
  c.r8[0] = al;
  setArith(r, ARITH, cf | af | szp8(al));
};

const aaa: Handler = (c: Cpu) => {
  const r = c.r;
  let fl = 0;
  if ((c.r8[0] & 0x0f) > 9 || getAF(r)) {
    c.r16[0] = c.r16[0] + 0x106;
    fl = AF | CF;
  }
  c.r8[0] &= 0x0f;
  setArith(r, ARITH, fl | szp8(c.r8[0]));
};

const aas: Handler = (c: Cpu) => {
  const r = c.r;
  let fl = 0;
  if ((c.r8[0] & 0x0f) > 9 || getAF(r)) {
    c.r16[0] = c.r16[0] - 6;
    c.r8[1] = c.r8[1] - 1;
    fl = AF | CF;
  }
  c.r8[0] &= 0x0f;
  setArith(r, ARITH, fl | szp8(c.r8[0]));
};

// AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE when imm8 is 0 (D4 0A is the documented form).
const aam_Ib: Handler = (c: Cpu, i) => {
  const base = c.dImm[i] & 0xff;
  if (base === 0) return raise(c, DE, NOERR);
  const al = c.r8[0];
  c.r8[1] = Math.floor(al / base);
  c.r8[0] = al % base;
  setArith(c.r, ARITH, szp8(c.r8[0]));
};

// AAD imm8: AL = (AL + AH * imm8) & FFh, AH = 0.
const aad_Ib: Handler = (c: Cpu, i) => {
  const base = c.dImm[i] & 0xff;
  const al = (c.r8[0] + c.r8[1] * base) & 0xff;
  c.r16[0] = al;
  setArith(c.r, ARITH, szp8(al));
};

export const rows: OpRow[] = [
  { op: 0x27, name: 'daa', h: daa, undef: OF },
  { op: 0x2f, name: 'das', h: das, undef: OF },
  { op: 0x37, name: 'aaa', h: aaa, undef: OF | SF | ZF | PF },
  { op: 0x3f, name: 'aas', h: aas, undef: OF | SF | ZF | PF },
  { op: 0xd4, name: 'aam_Ib', h: aam_Ib, undef: OF | AF | CF },
  { op: 0xd5, name: 'aad_Ib', h: aad_Ib, undef: OF | AF | CF },
];
