// The x87 escape opcodes D8-DF and WAIT/FWAIT, on a processor without an FPU
// (CPUID leaf 1 reports FPU = 0, and resetFlat sets CR0.EM).
//
// - An escape raises #NM when CR0.EM or CR0.TS is set, which is the SDM's rule
//   and what a kernel emulating the FPU (EM = 1) or switching its context
//   lazily (TS = 1) expects. With EM = 0 and TS = 0 there is still no FPU to
//   run it: we raise #NM as well (our choice; a real FPU-less processor in that
//   state would wait for a coprocessor that never answers), so the kernel's
//   device-not-available handler sees every x87 instruction.
// - WAIT/FWAIT raises #NM only when CR0.MP and CR0.TS are both set; otherwise
//   there is no pending x87 exception to report and it does nothing.
// - MMX/SSE opcodes (0F 6x/7x, 0F 1x, 0F 28-2F, ...) have no rows and decode to
//   #UD, as on a processor without them.
import { CR0_EM, CR0_MP, CR0_TS, NM } from '../defs';
import { NOERR, raise } from '../exceptions';
import type { Handler, OpRow } from '../table';
import { R } from './helpers';

const esc: Handler = (c) => {
  if (c.r[R.CR0] & (CR0_EM | CR0_TS)) return raise(c, NM, NOERR);
  // EM = 0, TS = 0: no FPU either way (see above).
  raise(c, NM, NOERR);
};

const fwait: Handler = (c) => {
  if ((c.r[R.CR0] & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) raise(c, NM, NOERR);
};

const escRows: OpRow[] = [];
for (let k = 0; k < 8; k++) {
  // The ModRM byte (and any displacement) is part of every escape, register or memory form.
  escRows.push({ op: 0xd8 + k, name: `esc${k}_Ev`, h: esc, diff: 'skip' });
}

export const rows: OpRow[] = [
  ...escRows,
  { op: 0x9b, name: 'fwait', h: fwait },
];
