// Software interrupts: INT n, INT3, INTO and INT1 (ICEBP). Each completes as
// an instruction and raises a trap (raiseSoft); the run loop retires it, then
// deliver.ts either exits to the embedder (an intercepted vector, EXIT_SOFTINT
// with EIP on the next instruction and EXIT_EIP on the INT) or goes through
// the IDT, where INT n / INT3 / INTO need a gate with DPL >= CPL (else #GP with
// error code vector * 8 + 2, as a fault of the INT instruction).
import type { Cpu } from '../cpu';
import { BP, DB, OFV } from '../defs';
import { raiseSoft } from '../exceptions';
import { getOF } from '../flags';
import type { Handler, OpRow } from '../table';

const int_Ib: Handler = (c, i) => raiseSoft(c, c.dImm[i] & 0xff);
const int3: Handler = (c) => raiseSoft(c, BP);
/** INTO: a trap to vector 4 when OF is set, otherwise nothing. */
const into: Handler = (c) => { if (getOF(c.r)) raiseSoft(c, OFV); };
/**
 * INT1 (ICEBP): a #DB trap, delivered like a hardware exception rather than a
 * software interrupt: no gate-DPL check, EXT set in delivery error codes, and
 * intercepted through interceptExc (as EXIT_EXCEPTION, vector 1) rather than
 * interceptInt.
 */
const int1: Handler = (c: Cpu) => {
  raiseSoft(c, DB);
  c.pending.int1 = true;
};

// Software interrupts leave the instruction sequence, so the differential test skips them.
export const rows: OpRow[] = [
  { op: 0xcd, name: 'int_Ib', h: int_Ib, ends: true, diff: 'skip' },
  { op: 0xcc, name: 'int3', h: int3, ends: true, diff: 'skip' },
  { op: 0xce, name: 'into', h: into, ends: true, diff: 'skip' },
  { op: 0xf1, name: 'int1', h: int1, ends: true, diff: 'skip' },
];
