// CPUID, RDTSC, RDMSR/WRMSR and SYSENTER/SYSEXIT: the instructions through
// which software learns what machine it is on, and the fast system call.
//
// - CPUID (unless INT_CPUID hands it to the embedder) describes a P6-family
//   "GenuineIntel" with TSC MSR PAE CX8 SEP PGE CMOV PSE and DE, and NX in
//   leaf 80000001H. No FPU, MMX, FXSR/SSE, APIC, MTRR, MCE or PAT: none is
//   implemented. Basic leaves 0-1 and extended leaves 80000000H-80000001H
//   exist; any other leaf returns the highest basic leaf's data, as the SDM
//   says a processor does for a leaf above its maximum.
// - RDTSC reads virtual time (retired instructions + the TSC offset), so it is
//   deterministic. CR4.TSD at CPL > 0 is #GP(0), checked before INT_RDTSC
//   hands it to the embedder (EXIT_RDTSC, not retired; VMX orders the two so).
// - Built-in MSRs: TSC (10H; a write sets the offset), the microcode signature
//   (8BH; reads 0, writes ignored, because Linux reads it unguarded on every
//   family-6 Intel CPU), SYSENTER_CS/ESP/EIP (174H-176H), and EFER (C0000080H:
//   only NXE is writable). Anything else is #GP(0). With INT_MSR both
//   instructions exit (not retired) after the privilege check.
import { R, SEG_CS, SEG_SS } from '../../shared/layout';
import { CR4_TSD, EFER_NXE, EXIT_CPUID, EXIT_MSR, EXIT_RDTSC, INT_CPUID, INT_MSR, INT_RDTSC, IF, RF, VM } from '../defs';
import { exitWith, raiseGP } from '../exceptions';
import type { Handler, OpRow } from '../table';
import { privileged } from './system';

const MAX_BASIC = 1, MAX_EXT = 0x80000001;
// "GenuineIntel" in EBX, EDX, ECX.
const VENDOR_EBX = 0x756e6547, VENDOR_EDX = 0x49656e69, VENDOR_ECX = 0x6c65746e;
/** Family 6, model 5, stepping 2 (a P6 core; model >= 3 so that SEP is believed). */
const SIGNATURE = (6 << 8) | (5 << 4) | 2;
// Leaf 1 EDX: DE(2) PSE(3) TSC(4) MSR(5) PAE(6) CX8(8) SEP(11) PGE(13) CMOV(15).
export const FEATURES_EDX = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 13) | (1 << 15);
/** Leaf 80000001H EDX: XD (NX), bit 20. */
export const EXT_FEATURES_EDX = 1 << 20;

export const MSR_TSC = 0x10, MSR_BIOS_SIGN = 0x8b, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
  MSR_SYSENTER_EIP = 0x176, MSR_EFER = 0xc0000080 | 0;

function setRegs(r: Int32Array, a: number, b: number, c: number, d: number): void {
  r[R.EAX] = a; r[R.EBX] = b; r[R.ECX] = c; r[R.EDX] = d;
}

const cpuid: Handler = (c) => {
  if (c.intercept & INT_CPUID) return exitWith(c, EXIT_CPUID);
  const r = c.r;
  let leaf = r[R.EAX] >>> 0;
  if (leaf > MAX_EXT || (leaf > MAX_BASIC && leaf < 0x80000000)) leaf = MAX_BASIC;
  switch (leaf) {
    case 0: setRegs(r, MAX_BASIC, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX); break;
    case 1: setRegs(r, SIGNATURE, 0, 0, FEATURES_EDX); break;
    case 0x80000000: setRegs(r, MAX_EXT, 0, 0, 0); break;
    default: setRegs(r, 0, 0, 0, EXT_FEATURES_EDX); break; // 80000001H
  }
};

const rdtsc: Handler = (c) => {
  if ((c.r[R.CR4] & CR4_TSD) && c.r[R.CPL] > 0) return raiseGP(c, 0);
  if (c.intercept & INT_RDTSC) return exitWith(c, EXIT_RDTSC);
  const t = c.tsc();
  c.r[R.EAX] = t % 4294967296;
  c.r[R.EDX] = Math.floor(t / 4294967296);
};

const rdmsr: Handler = (c) => {
  if (!privileged(c)) return;
  if (c.intercept & INT_MSR) return exitWith(c, EXIT_MSR, 0);
  const r = c.r;
  let lo: number, hi = 0;
  switch (r[R.ECX]) {
    case MSR_TSC: { const t = c.tsc(); lo = t % 4294967296; hi = Math.floor(t / 4294967296); break; }
    case MSR_BIOS_SIGN: lo = 0; break;
    case MSR_SYSENTER_CS: lo = r[R.SYSENTER_CS]; break;
    case MSR_SYSENTER_ESP: lo = r[R.SYSENTER_ESP]; break;
    case MSR_SYSENTER_EIP: lo = r[R.SYSENTER_EIP]; break;
    case MSR_EFER: lo = r[R.EFER]; break;
    default: return raiseGP(c, 0);
  }
  r[R.EAX] = lo;
  r[R.EDX] = hi;
};

const wrmsr: Handler = (c) => {
  if (!privileged(c)) return;
  if (c.intercept & INT_MSR) return exitWith(c, EXIT_MSR, 1);
  const r = c.r, lo = r[R.EAX], hi = r[R.EDX];
  switch (r[R.ECX]) {
    case MSR_TSC:
      // The TSC reads `value` now: tsc() = icount + offset.
      c.tscOffset = (hi >>> 0) * 4294967296 + (lo >>> 0) - c.icount;
      return;
    case MSR_BIOS_SIGN: return;
    // SYSENTER MSRs are 32 bits wide on a 32-bit processor: EDX is ignored.
    case MSR_SYSENTER_CS: r[R.SYSENTER_CS] = lo; return;
    case MSR_SYSENTER_ESP: r[R.SYSENTER_ESP] = lo; return;
    case MSR_SYSENTER_EIP: r[R.SYSENTER_EIP] = lo; return;
    case MSR_EFER: {
      if ((lo & ~EFER_NXE) !== 0 || hi !== 0) return raiseGP(c, 0);
      const old = r[R.EFER];
      r[R.EFER] = lo;
      // NXE changes what the TLB's execute bits mean.
      if ((old ^ lo) & EFER_NXE) c.tlbFlush(true);
      return;
    }
    default: return raiseGP(c, 0);
  }
};

// SYSENTER/SYSEXIT load flat segments described by SYSENTER_CS, not from the GDT.
// Attributes: code = execute/read accessed (type 11), data = read/write accessed
// (type 3); S, P, D/B and G set; DPL 0 or 3.
const ATTR_CODE0 = 0xc09b, ATTR_DATA0 = 0xc093, ATTR_CODE3 = 0xc0fb, ATTR_DATA3 = 0xc0f3;

const sysenter: Handler = (c) => {
  const r = c.r, cs = r[R.SYSENTER_CS] & 0xfffc;
  if (cs === 0) return raiseGP(c, 0);
  r[R.EFLAGS] &= ~(VM | IF | RF);
  c.setSeg(SEG_CS, cs, 0, -1, ATTR_CODE0);
  c.setSeg(SEG_SS, (cs + 8) & 0xfffc, 0, -1, ATTR_DATA0);
  c.setCpl(0);
  r[R.ESP] = r[R.SYSENTER_ESP];
  c.nextEip = r[R.SYSENTER_EIP];
};

const sysexit: Handler = (c) => {
  if (!privileged(c)) return;
  const r = c.r, cs = r[R.SYSENTER_CS] & 0xfffc;
  if (cs === 0) return raiseGP(c, 0);
  c.setSeg(SEG_CS, ((cs + 16) & 0xfffc) | 3, 0, -1, ATTR_CODE3);
  c.setSeg(SEG_SS, ((cs + 24) & 0xfffc) | 3, 0, -1, ATTR_DATA3);
  c.setCpl(3);
  r[R.ESP] = r[R.ECX];
  c.nextEip = r[R.EDX];
};

export const rows: OpRow[] = [
  { op: 0x0fa2, name: 'cpuid', h: cpuid, diff: 'skip' },
  { op: 0x0f31, name: 'rdtsc', h: rdtsc, diff: 'skip' },
  { op: 0x0f32, name: 'rdmsr', h: rdmsr, diff: 'skip' },
  { op: 0x0f30, name: 'wrmsr', h: wrmsr, ends: true, diff: 'skip' },
  { op: 0x0f34, name: 'sysenter', h: sysenter, ends: true, diff: 'skip' },
  { op: 0x0f35, name: 'sysexit', h: sysexit, ends: true, diff: 'skip' },
];
