// What a Cpu keeps outside its register file, saved for snapshots: the
// embedder's configuration (intercepts, PAE walk mode) and an exception raised
// but not yet delivered. Everything else host-side (TLB, flat-segment bits,
// permission masks, decoded blocks) is derived and rebuilt by Cpu.refresh();
// the architectural state is in the register file, saved with machine memory.
import { toBase64 } from '../shared/base64';
import type { Rec } from '../shared/record';
import type { Cpu } from './cpu';

export interface CpuHostState {
  pdpteLong: boolean;
  intercept: number;
  interceptExc: number;
  /** interceptInt, one byte per vector, base64. */
  interceptInt: string;
  pending: { vector: number; error: number; soft: boolean; int1: boolean };
}

export function saveCpu(c: Cpu): CpuHostState {
  const p = c.pending;
  return {
    pdpteLong: c.pdpteLong, intercept: c.intercept, interceptExc: c.interceptExc,
    interceptInt: toBase64(c.interceptInt),
    pending: { vector: p.vector, error: p.error, soft: p.soft, int1: p.int1 },
  };
}

/** Read a saved CpuHostState (checked); apply() puts it on a Cpu and rebuilds its caches. */
export function readCpu(r: Rec): (c: Cpu) => void {
  const pdpteLong = r.get('pdpteLong').bool();
  const intercept = r.get('intercept').i32();
  const interceptExc = r.get('interceptExc').i32();
  const ints = r.get('interceptInt').bytes(256);
  if (ints.length !== 256) r.get('interceptInt').fail(`${ints.length} bytes, not 256`);
  const p = r.get('pending');
  const vector = p.get('vector').int(-1, 255), error = p.get('error').int(-1, 0xffffffff);
  const soft = p.get('soft').bool(), int1 = p.get('int1').bool();
  return (c) => {
    c.pdpteLong = pdpteLong;
    c.intercept = intercept;
    c.interceptExc = interceptExc;
    c.interceptInt.set(ints);
    c.pending.vector = vector;
    c.pending.error = error;
    c.pending.soft = soft;
    c.pending.int1 = int1;
    c.refresh();
  };
}
