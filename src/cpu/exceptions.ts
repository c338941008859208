// Raising exceptions. A faulting access or instruction calls raise(); that only
// records the exception and sets c.fault / c.exit so every caller up the chain
// returns at once (no throw per instruction). The run loop then delivers it out
// of line: to the embedder when intercepted, otherwise through the IDT
// (see deliver.ts).
import { R } from '../shared/layout';
import type { Cpu } from './cpu';

/**
 * Exit-flag bits (Cpu.exit). X_FAULT: an exception was raised. X_EXIT: leave
 * run() for the embedder. X_BLOCK: the instruction completed but the block may
 * be stale (code written, mode changed). X_RETIRE: with X_EXIT, the instruction
 * completed, so EIP advances and it counts.
 */
export const X_FAULT = 1, X_EXIT = 2, X_BLOCK = 4, X_RETIRE = 8;

/** No error code. */
export const NOERR = -1;

export class PendingException {
  vector = -1;
  error = NOERR;
  /** True for INT n / INT3 / INTO: delivered with EIP after the instruction, software-interrupt privilege checks apply. */
  soft = false;
  /**
   * With soft: INT1 (ICEBP, F1), a #DB trap without the gate-DPL check and with
   * EXT set in delivery error codes. Set by ops/interrupt.ts after raiseSoft;
   * deliver.ts clears it when it takes the exception.
   */
  int1 = false;
}

/** Record exception `vector` (error code `error`, or NOERR) for delivery after this instruction. */
export function raise(c: Cpu, vector: number, error: number): void {
  // The first exception of an instruction wins; nested faults during delivery
  // are handled by deliver.ts (double fault).
  if (c.fault) return;
  c.fault = 1;
  c.exit |= X_FAULT;
  c.pending.vector = vector;
  c.pending.error = error;
  c.pending.soft = false;
}

export function raiseGP(c: Cpu, error = 0): void {
  raise(c, 13, error);
}

export function raiseUD(c: Cpu): void {
  raise(c, 6, NOERR);
}

/** INT n, INT3, INTO: a trap that completes the instruction first. */
export function raiseSoft(c: Cpu, vector: number): void {
  raise(c, vector, NOERR);
  c.pending.soft = true;
}

/**
 * Leave run() with `reason` (an EXIT_* code) and `info` for the embedder.
 * `retire`: the instruction completed (HLT) rather than being left for the
 * embedder to emulate (CPUID, I/O, MSR, privileged instructions), in which case
 * EIP stays on it and the embedder advances EIP by c.nextEip when it is done.
 */
export function exitWith(c: Cpu, reason: number, info = 0, retire = false): void {
  c.r[R.EXIT_REASON] = reason;
  c.r[R.EXIT_INFO] = info;
  c.r[R.EXIT_VECTOR] = 0;
  c.r[R.EXIT_ERROR] = 0;
  c.exit |= X_EXIT | (retire ? X_RETIRE : 0);
}
