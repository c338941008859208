// Privileged instructions executed by the guest kernel in ring 1, emulated as
// Xen's emul-priv-op does (xen-pv32-abi.md 6.7): CLI/STI are no-ops when the
// virtual IOPL allows them, CLTS and MOV CR0 handle the virtual TS, MOV CR2/CR3/
// CR4 and DRn act on the guest's virtual registers, a few MSRs are emulated,
// port I/O goes through the virtual IOPL or the guest's I/O bitmap and reaches
// no hardware (reads give all ones; port 0x70, the RTC index, is latched).
// Everything else (HLT, LGDT, LIDT, LTR, INVLPG, LMSW...) is #GP(0) for the
// guest. From ring 3 only the IOPL-sensitive ones (CLI, STI, port I/O) are
// emulated, judged against the virtual IOPL at CPL 3; the rest are #GP(0).
// CPUID gives the domain's policy, with the Xen leaves at 0x40000000. CPUID
// faulting is offered (PLATFORM_INFO bit 31, MISC_FEATURES_ENABLES bit 0, as
// Xen on hardware that has it): when enabled, CPUID in guest user mode, plain
// or forced, is #GP(0); the kernel's is always answered.
import { R, SEG_ES } from '../../shared/layout';
import { CR0_TS } from '../../cpu/defs';
import { IO_OUT, IO_REP, IO_STRING } from '../../cpu/ops/privio';
import { VMASST, VCPUI } from '../../abi/xen';
import { XEN_MAJOR, XEN_MINOR } from '../hypercalls/version';
import { GuestMem } from '../guestmem';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { injectException } from './inject';

function gp(hv: Hypervisor, dom: Domain, v: Vcpu): void {
  injectException(hv, dom, v, 13, 0);
}

/** May this vcpu do port I/O at its current ring? The guest kernel counts as ring 1 (0 with architectural IOPL). */
function ioplAllows(dom: Domain, v: Vcpu): boolean {
  const cpl = v.cpu.r[R.CPL];
  const eff = cpl === 1 && dom.vmAssistEnabled(VMASST.ARCHITECTURAL_IOPL) ? 0 : cpl;
  return v.iopl >= eff;
}

function bitmapAllows(dom: Domain, v: Vcpu, port: number, size: number): boolean {
  if (dom.ioBitmapPorts === 0 || port + size > dom.ioBitmapPorts) return false;
  const g = new GuestMem(v.cpu);
  for (let p = port; p < port + size; p++) {
    const byte = g.u8(dom.ioBitmap + (p >>> 3));
    if (!g.ok || (byte >> (p & 7)) & 1) return false;
  }
  return true;
}

export function emulateIo(hv: Hypervisor, dom: Domain, v: Vcpu): void {
  const r = v.cpu.r, info = r[R.EXIT_INFO];
  const port = info & 0xffff, size = (info >>> 16) & 0xf;
  if (!ioplAllows(dom, v) && !bitmapAllows(dom, v, port, size)) return gp(hv, dom, v);
  const out = (info & IO_OUT) !== 0;
  if (info & IO_STRING) {
    // INS/OUTS: no device answers; INS stores all ones. One iteration per exit
    // keeps the emulation simple and the count exact (REP re-executes).
    const g = new GuestMem(v.cpu);
    const step = (r[R.EFLAGS] & 0x400 ? -size : size);
    if (out) r[R.ESI] = (r[R.ESI] + step) | 0;
    else {
      for (let k = 0; k < size; k++) g.setU8(r[R.SEG + SEG_ES * 4 + 1] + r[R.EDI] + k, 0xff);
      if (!g.ok) return injectException(hv, dom, v, 14, 2, (r[R.EDI]) | 0);
      r[R.EDI] = (r[R.EDI] + step) | 0;
    }
    if (info & IO_REP) {
      r[R.ECX] = (r[R.ECX] - 1) | 0;
      if (r[R.ECX] !== 0) return; // EIP stays: the next iteration exits again
    }
    r[R.EIP] = r[R.EXIT_NEXT_EIP];
    return;
  }
  if (out) {
    if (port === 0x70 && size === 1) dom.rtcIndex = r[R.EAX] & 0xff;
  } else {
    const val = port === 0x70 && size === 1 ? dom.rtcIndex : size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
    if (size === 4) r[R.EAX] = val;
    else if (size === 2) r[R.EAX] = (r[R.EAX] & ~0xffff) | val;
    else r[R.EAX] = (r[R.EAX] & ~0xff) | val;
  }
  r[R.EIP] = r[R.EXIT_NEXT_EIP];
}

/** Decode and emulate the privileged instruction at EIP (from EXIT_PRIV or #GP(0) in ring 1). */
export function emulatePrivileged(hv: Hypervisor, dom: Domain, v: Vcpu): void {
  const c = v.cpu, r = c.r, user = r[R.CPL] !== 1;
  const g = new GuestMem(c);
  g.limit = 0x100000000;
  let eip = r[R.EIP], b = g.u8(eip);
  // Operand-size, address-size, REP and segment prefixes do not change these instructions.
  for (let k = 0; k < 14 && [0x66, 0x67, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(b); k++) b = g.u8(++eip);
  if (!g.ok) return gp(hv, dom, v);
  const next = (n: number) => { r[R.EIP] = (eip + n) | 0; };
  if (b === 0xfa || b === 0xfb) {
    // CLI/STI: allowed by the virtual IOPL they do nothing (the guest's interrupt flag is the upcall mask).
    if (!ioplAllows(dom, v)) return gp(hv, dom, v);
    return next(1);
  }
  // Everything below needs (virtual) ring 0: from guest user mode it is #GP(0).
  if (b !== 0x0f || user) return gp(hv, dom, v);
  const op = g.u8(eip + 1), modrm = g.u8(eip + 2);
  if (!g.ok) return gp(hv, dom, v);
  const reg = (modrm >> 3) & 7, rm = modrm & 7;
  switch (op) {
    case 0x06: // CLTS
      v.virtualTs = false;
      r[R.CR0] &= ~CR0_TS;
      return next(2);
    case 0x09: // WBINVD: nothing to do for a domain without I/O resources
      return next(2);
    case 0x20: { // MOV r32, CRn
      let val: number;
      switch (reg) {
        case 0: val = (r[R.CR0] & ~CR0_TS) | (v.virtualTs ? CR0_TS : 0); break;
        case 2: val = v.cr2; break;
        case 3: val = hv.guestCr3(v); break;
        case 4: val = r[R.CR4]; break;
        default: return gp(hv, dom, v);
      }
      r[rm] = val;
      return next(3);
    }
    case 0x22: { // MOV CRn, r32
      const val = r[rm];
      switch (reg) {
        case 0:
          if (((val ^ r[R.CR0]) & ~CR0_TS) !== 0) return gp(hv, dom, v);
          v.virtualTs = (val & CR0_TS) !== 0;
          r[R.CR0] = v.virtualTs ? r[R.CR0] | CR0_TS : r[R.CR0] & ~CR0_TS;
          return next(3);
        case 2:
          v.cr2 = val;
          new DataView(c.m8.buffer, c.m8.byteOffset).setUint32(v.vcpuInfoAddr + VCPUI.CR2, val >>> 0, true);
          return next(3);
        case 3:
          if (hv.setGuestCr3(dom, v, val) !== 0) return gp(hv, dom, v);
          return next(3);
        case 4:
          return next(3); // filtered: Xen decides the real CR4
        default:
          return gp(hv, dom, v);
      }
    }
    case 0x21: // MOV r32, DRn
      r[rm] = v.debugregs[reg === 4 ? 6 : reg === 5 ? 7 : reg];
      return next(3);
    case 0x23: // MOV DRn, r32
      v.debugregs[reg === 4 ? 6 : reg === 5 ? 7 : reg] = r[rm];
      return next(3);
    case 0x30: case 0x32:
      return emulateMsrAt(hv, dom, v, op === 0x30, () => next(2));
    default:
      return gp(hv, dom, v);
  }
}

const MSR_TSC = 0x10, MSR_EFER = 0xc0000080, MSR_PAT = 0x277, MSR_MISC_ENABLE = 0x1a0, MSR_APIC_BASE = 0x1b;
/** PLATFORM_INFO (read-only; bit 31: CPUID faulting available) and MISC_FEATURES_ENABLES (bit 0: enable it). */
export const MSR_PLATFORM_INFO = 0xce, MSR_MISC_FEATURES_ENABLES = 0x140;
export const PLATFORM_INFO_CPUID_FAULTING = 0x80000000 | 0, MISC_FEATURES_CPUID_FAULTING = 1;

function emulateMsrAt(hv: Hypervisor, dom: Domain, v: Vcpu, write: boolean, advance: () => void): void {
  const r = v.cpu.r, msr = r[R.ECX] >>> 0;
  if (r[R.CPL] !== 1) return gp(hv, dom, v);
  if (write) {
    if (msr === MSR_MISC_FEATURES_ENABLES) {
      // Only the CPUID-faulting bit exists; any other bit set is #GP(0).
      if (r[R.EDX] !== 0 || (r[R.EAX] & ~MISC_FEATURES_CPUID_FAULTING) !== 0) return gp(hv, dom, v);
      v.cpuidFaulting = (r[R.EAX] & MISC_FEATURES_CPUID_FAULTING) !== 0;
      return advance();
    }
    // Writes to the emulated MSRs are accepted and ignored (Xen keeps the real ones).
    if (msr === MSR_TSC || msr === MSR_EFER || msr === MSR_PAT || msr === MSR_MISC_ENABLE) return advance();
    return gp(hv, dom, v);
  }
  let lo = 0, hi = 0;
  switch (msr) {
    case MSR_TSC: { const t = v.cpu.tsc(); lo = t % 4294967296; hi = Math.floor(t / 4294967296); break; }
    case MSR_EFER: lo = r[R.EFER] & 0x800; break; // NXE only: LME/LMA hidden
    case MSR_PAT: lo = 0x00070406; hi = 0x00070406; break;
    case MSR_MISC_ENABLE: lo = 1; break;
    case MSR_APIC_BASE: lo = 0; break;
    case MSR_PLATFORM_INFO: lo = PLATFORM_INFO_CPUID_FAULTING; break;
    case MSR_MISC_FEATURES_ENABLES: lo = v.cpuidFaulting ? MISC_FEATURES_CPUID_FAULTING : 0; break;
    default:
      // A readable-nowhere MSR is #GP, except while the guest has no #GP handler yet (Xen reads 0 then).
      if ((v.traps[13].cs & 0xfffc) !== 0) return gp(hv, dom, v);
  }
  r[R.EAX] = lo;
  r[R.EDX] = hi;
  advance();
}

export function emulateMsr(hv: Hypervisor, dom: Domain, v: Vcpu): void {
  const r = v.cpu.r;
  emulateMsrAt(hv, dom, v, r[R.EXIT_INFO] === 1, () => { r[R.EIP] = r[R.EXIT_NEXT_EIP]; });
}

export function emulateRdtsc(_hv: Hypervisor, _dom: Domain, v: Vcpu): void {
  const r = v.cpu.r, t = v.cpu.tsc();
  r[R.EAX] = t % 4294967296;
  r[R.EDX] = Math.floor(t / 4294967296);
  r[R.EIP] = r[R.EXIT_NEXT_EIP];
}

// The domain's CPUID policy: a P6-class processor without FPU, PSE, PGE, APIC,
// MTRR or SYSENTER (PV guests use Xen's mechanisms instead), with the
// hypervisor bit set and Xen's leaves at 0x40000000.
const GENU = 0x756e6547, INEI = 0x49656e69, NTEL = 0x6c65746e;
const FEAT_EDX = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 15); // TSC MSR PAE CX8 CMOV
const FEAT_ECX = 1 << 31; // hypervisor present
const XEN_SIG = [0x566e6558, 0x65584d4d, 0x4d4d566e]; // "XenVMMXenVMM"

export function emulateCpuid(_hv: Hypervisor, _dom: Domain, v: Vcpu): void {
  const r = v.cpu.r, leaf = r[R.EAX] >>> 0;
  let a = 0, b = 0, c = 0, d = 0;
  switch (leaf) {
    case 0: a = 1; b = GENU; c = NTEL; d = INEI; break;
    case 1: a = 0x6f1; c = FEAT_ECX; d = FEAT_EDX; break;
    case 0x40000000: a = 0x40000005; [b, c, d] = XEN_SIG; break;
    case 0x40000001: a = (XEN_MAJOR << 16) | XEN_MINOR; break;
    case 0x40000002: a = 1; break; // one hypercall page; no Xen MSRs
    case 0x80000000: a = 0x80000001; break;
    case 0x80000001: d = 1 << 20; break; // NX
  }
  r[R.EAX] = a; r[R.EBX] = b; r[R.ECX] = c; r[R.EDX] = d;
}
