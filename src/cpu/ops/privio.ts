// Port I/O (IN, OUT, INS, OUTS) and the interrupt flag (CLI, STI).
//
// - With INT_IO every I/O instruction leaves run() before any check, not
//   retired, with R.EXIT_INFO = port | size << 16 | IO_OUT | IO_STRING | IO_REP
//   (size in bytes): a PV hypervisor sees every port access its guest makes and
//   applies its own policy; it emulates the instruction and resumes at
//   R.EXIT_NEXT_EIP.
// - Otherwise, when CPL > IOPL, the TSS I/O permission bitmap decides (32-bit
//   TSS only: map base at offset 66H, the two bytes holding the port's bits are
//   read, and every bit of the accessed range must be clear; bytes beyond the
//   TSS limit count as set). A refusal is #GP(0).
// - There are no devices behind the built-in ports: IN reads all ones, OUT is
//   dropped (but both are checked, and INS/OUTS still access memory).
// - REP INS/OUTS count once per iteration (see exec.ts): a call runs at most
//   the remaining instruction budget of iterations, adds n - 1 to c.icount for
//   n iterations, and leaves EIP on the instruction while the count is not done.
// - CLI/STI at CPL > IOPL raise #GP(0): there is no VME/PVI. STI's one-
//   instruction interrupt shadow is not modelled (see the row).
import { R, SEG_ES } from '../../shared/layout';
import type { Cpu } from '../cpu';
import { rd16, rd32, rd8, sysRd16, wr16, wr32, wr8 } from '../access';
import { DF, EXIT_IO, IF, INT_IO, P_A16, P_REP, P_REPNE } from '../defs';
import { exitWith, raiseGP } from '../exceptions';
import type { Handler, OpRow } from '../table';

/** EXIT_INFO bits of an EXIT_IO besides port and size: OUT/OUTS, a string instruction, REP-prefixed. */
export const IO_OUT = 1 << 20, IO_STRING = 1 << 21, IO_REP = 1 << 22;

/** The interrupt-flag and I/O privilege test: CPL <= IOPL. */
function iopl(c: Cpu): boolean {
  return c.r[R.CPL] <= ((c.r[R.EFLAGS] >> 12) & 3);
}

/**
 * May the current code access `size` ports from `port`? True, or false after
 * raising #GP(0) (or a #PF reading the TSS).
 */
export function ioAllowed(c: Cpu, port: number, size: number): boolean {
  if (iopl(c)) return true;
  const r = c.r, attr = r[R.TR + 3];
  // Present 32-bit TSS (type 9 or 11, S = 0): a 16-bit TSS has no I/O bitmap.
  if ((attr & 0x9d) !== 0x89) { raiseGP(c, 0); return false; }
  const base = r[R.TR + 1], limit = r[R.TR + 2] >>> 0;
  if (limit < 0x67) { raiseGP(c, 0); return false; }
  const mapBase = sysRd16(c, (base + 0x66) | 0); if (c.fault) return false;
  const off = mapBase + (port >>> 3);
  if (off + 1 > limit) { raiseGP(c, 0); return false; }
  const bits = sysRd16(c, (base + off) | 0); if (c.fault) return false;
  if (bits & (((1 << size) - 1) << (port & 7))) { raiseGP(c, 0); return false; }
  return true;
}

function intercepted(c: Cpu, port: number, size: number, flags: number): boolean {
  if (!(c.intercept & INT_IO)) return false;
  exitWith(c, EXIT_IO, port | (size << 16) | flags);
  return true;
}

// ---- IN / OUT ----

function inAcc(c: Cpu, port: number, size: number): void {
  if (intercepted(c, port, size, 0) || !ioAllowed(c, port, size)) return;
  // No device: the bus reads all ones.
  if (size === 1) c.r8[0] = 0xff;
  else if (size === 2) c.r16[0] = 0xffff;
  else c.r[R.EAX] = -1;
}

function outAcc(c: Cpu, port: number, size: number): void {
  if (intercepted(c, port, size, IO_OUT)) return;
  ioAllowed(c, port, size); // no device: the write goes nowhere
}

// Ib ports are decoded sign-extended: mask back to 8 bits. DX ports are 16 bits.
const ibPort = (c: Cpu, i: number): number => c.dImm[i] & 0xff;
const dxPort = (c: Cpu): number => c.r16[R.EDX << 1];

// ---- INS / OUTS ----

/**
 * One INS/OUTS, REP-prefixed or not. INS stores to ES:eDI (no override),
 * OUTS reads from the source segment (override allowed) at eSI.
 */
function strIo(c: Cpu, i: number, size: number, out: boolean): void {
  const port = dxPort(c), pfx = c.dPfx[i];
  const rep = (pfx & (P_REP | P_REPNE)) !== 0;
  if (intercepted(c, port, size, (out ? IO_OUT : 0) | IO_STRING | (rep ? IO_REP : 0))) return;
  if (!ioAllowed(c, port, size)) return;
  const r = c.r, a16 = (pfx & P_A16) !== 0;
  const step = r[R.EFLAGS] & DF ? -size : size;
  const seg = c.dSeg[i];
  let count = rep ? (a16 ? c.r16[R.ECX << 1] : r[R.ECX] >>> 0) : 1;
  if (count === 0) return;
  const budget = c.limit - c.icount;
  let n = 0;
  while (count > 0 && n < budget) {
    const ptr = out ? R.ESI : R.EDI;
    const off = a16 ? c.r16[ptr << 1] : r[ptr];
    if (out) {
      if (size === 1) rd8(c, seg, off); else if (size === 2) rd16(c, seg, off); else rd32(c, seg, off);
    } else {
      if (size === 1) wr8(c, SEG_ES, off, 0xff); else if (size === 2) wr16(c, SEG_ES, off, 0xffff); else wr32(c, SEG_ES, off, -1);
    }
    if (c.fault) { c.icount += n; return; } // the completed iterations retired
    if (a16) c.r16[ptr << 1] = off + step; else r[ptr] = (off + step) | 0;
    count--;
    if (rep) { if (a16) c.r16[R.ECX << 1] = count; else r[R.ECX] = count | 0; }
    n++;
  }
  if (count > 0) c.nextEip = r[R.EIP];
  c.icount += n - 1;
}

// ---- CLI / STI ----

const cli: Handler = (c) => {
  if (!iopl(c)) return raiseGP(c, 0);
  c.r[R.EFLAGS] &= ~IF;
};
const sti: Handler = (c) => {
  if (!iopl(c)) return raiseGP(c, 0);
  c.r[R.EFLAGS] |= IF;
};

export const rows: OpRow[] = [
  { op: 0xe4, name: 'in_AL_Ib', h: (c, i) => inAcc(c, ibPort(c, i), 1), diff: 'skip' },
  { op: 0xe5, name: 'in_eAX_Ib', h: (c, i) => inAcc(c, ibPort(c, i), 4), h16: (c, i) => inAcc(c, ibPort(c, i), 2), diff: 'skip' },
  { op: 0xe6, name: 'out_Ib_AL', h: (c, i) => outAcc(c, ibPort(c, i), 1), diff: 'skip' },
  { op: 0xe7, name: 'out_Ib_eAX', h: (c, i) => outAcc(c, ibPort(c, i), 4), h16: (c, i) => outAcc(c, ibPort(c, i), 2), diff: 'skip' },
  { op: 0xec, name: 'in_AL_DX', h: (c) => inAcc(c, dxPort(c), 1), diff: 'skip' },
  { op: 0xed, name: 'in_eAX_DX', h: (c) => inAcc(c, dxPort(c), 4), h16: (c) => inAcc(c, dxPort(c), 2), diff: 'skip' },
  { op: 0xee, name: 'out_DX_AL', h: (c) => outAcc(c, dxPort(c), 1), diff: 'skip' },
  { op: 0xef, name: 'out_DX_eAX', h: (c) => outAcc(c, dxPort(c), 4), h16: (c) => outAcc(c, dxPort(c), 2), diff: 'skip' },
  { op: 0x6c, name: 'insb_Yb_DX', h: (c, i) => strIo(c, i, 1, false), ends: true, diff: 'skip' },
  { op: 0x6d, name: 'insd_Yv_DX', h: (c, i) => strIo(c, i, 4, false), h16: (c, i) => strIo(c, i, 2, false), ends: true, diff: 'skip' },
  { op: 0x6e, name: 'outsb_DX_Xb', h: (c, i) => strIo(c, i, 1, true), ends: true, diff: 'skip' },
  { op: 0x6f, name: 'outsd_DX_Xv', h: (c, i) => strIo(c, i, 4, true), h16: (c, i) => strIo(c, i, 2, true), ends: true, diff: 'skip' },
  // Both end the block so that a pending interrupt is seen right after STI.
  // Real processors hold interrupts off until after the next instruction (the
  // STI shadow that `sti; hlt` relies on); the run loop has no shadow yet.
  { op: 0xfa, name: 'cli', h: cli, ends: true, diff: 'skip' },
  { op: 0xfb, name: 'sti', h: sti, ends: true, diff: 'skip' },
];
