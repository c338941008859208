// Stack instructions: PUSH/POP of registers, immediates and memory.
import { pop16, pop32, push16, push32, peek16, peek32, spAdd } from '../access';
import { R } from '../../shared/layout';
import type { Handler, OpRow } from '../table';
import { readE16, readE32, writeE16, writeE32 } from './helpers';

const regNames = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const regRows: OpRow[] = [];
for (let n = 0; n < 8; n++) {
  // PUSH ESP pushes the value before the decrement.
  regRows.push({ op: 0x50 + n, name: `push_${regNames[n]}`, h: (c) => push32(c, c.r[n]), h16: (c) => push16(c, c.r16[n << 1]) });
  regRows.push({
    op: 0x58 + n, name: `pop_${regNames[n]}`,
    h: (c) => { const v = pop32(c); if (!c.fault) c.r[n] = v; },
    h16: (c) => { const v = pop16(c); if (!c.fault) c.r16[n << 1] = v; },
  });
}

// POP Ev: ESP is incremented before the destination address is computed (so
// `pop [esp]` stores above the popped slot), and a faulting store leaves ESP unchanged.
const pop_Ev: Handler = (c, i) => {
  const v = peek32(c, 0); if (c.fault) return;
  const old = c.r[R.ESP];
  c.r[R.ESP] = spAdd(c, old, 4);
  writeE32(c, i, v);
  if (c.fault) c.r[R.ESP] = old;
};
const pop_Ew: Handler = (c, i) => {
  const v = peek16(c, 0); if (c.fault) return;
  const old = c.r[R.ESP];
  c.r[R.ESP] = spAdd(c, old, 2);
  writeE16(c, i, v);
  if (c.fault) c.r[R.ESP] = old;
};

export const rows: OpRow[] = [
  ...regRows,
  { op: 0x68, name: 'push_Iz', h: (c, i) => push32(c, c.dImm[i]), h16: (c, i) => push16(c, c.dImm[i]) },
  { op: 0x6a, name: 'push_Ib', h: (c, i) => push32(c, c.dImm[i]), h16: (c, i) => push16(c, c.dImm[i]) },
  { op: 0xff, reg: 6, name: 'push_Ev', h: (c, i) => { const v = readE32(c, i); if (!c.fault) push32(c, v); },
    h16: (c, i) => { const v = readE16(c, i); if (!c.fault) push16(c, v); } },
  { op: 0x8f, reg: 0, name: 'pop_Ev', h: pop_Ev, h16: pop_Ew },
];
