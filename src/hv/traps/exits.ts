// What happens when a PV guest's vcpu leaves the CPU loop (xen-pv32-abi.md 4.1,
// 6.7-6.10, 6.13): `int $0x82` from ring 1 is a hypercall (from ring 3 it is
// #GP 0x412); INT3, INTO and INT 0x80 (when the guest has a handler) go to the
// guest directly; any other INT n is delivered only if the trap table's DPL
// allows it, else #GP((n << 3) | 2). Exceptions go to the guest's trap table,
// after the special cases Xen handles itself: the forced-emulation CPUID
// prefix (from either ring), the #NM that clears the virtual TS, and the
// privileged instructions Xen emulates (#GP(0) from either ring; privop.ts
// decides what user mode may do). CPUID in user mode with CPUID faulting
// enabled is #GP(0); the forced form then faults on the CPUID itself.
import { HYPERVISOR_VIRT_START } from '../../abi/xen';
import { R } from '../../shared/layout';
import { TF_CONTINUED, TF_NO_RESULT, TK_HYPERCALL } from '../../shared/trace';
import {
  EXIT_CPUID, EXIT_EXCEPTION, EXIT_HLT, EXIT_IO, EXIT_LIMIT, EXIT_MSR, EXIT_PRIV, EXIT_RDTSC, EXIT_SHUTDOWN,
  EXIT_SOFTINT, CR0_TS,
} from '../../cpu/defs';
import { GuestMem } from '../guestmem';
import { callHypercall } from '../hypercalls/index';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { injectException, injectSoftInt } from './inject';
import { emulateCpuid, emulateIo, emulateMsr, emulatePrivileged, emulateRdtsc } from './privop';

const FORCED_EMULATION = [0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2];

export function handleExit(hv: Hypervisor, dom: Domain, v: Vcpu, reason: number): void {
  const r = v.cpu.r;
  switch (reason) {
    case EXIT_LIMIT:
      return;
    case EXIT_SOFTINT:
      return softInt(hv, dom, v, r[R.EXIT_VECTOR]);
    case EXIT_EXCEPTION:
      return exception(hv, dom, v, r[R.EXIT_VECTOR], r[R.EXIT_ERROR]);
    case EXIT_PRIV:
    case EXIT_HLT:
      return emulatePrivileged(hv, dom, v);
    case EXIT_IO:
      return emulateIo(hv, dom, v);
    case EXIT_CPUID:
      if (r[R.CPL] !== 1 && v.cpuidFaulting) return injectException(hv, dom, v, 13, 0);
      emulateCpuid(hv, dom, v);
      r[R.EIP] = r[R.EXIT_NEXT_EIP];
      return;
    case EXIT_RDTSC:
      return emulateRdtsc(hv, dom, v);
    case EXIT_MSR:
      return emulateMsr(hv, dom, v);
    case EXIT_SHUTDOWN:
      hv.crashDomain(dom, 'triple fault');
      return;
    default:
      hv.crashDomain(dom, `unexpected CPU exit ${reason}`);
  }
}

function softInt(hv: Hypervisor, dom: Domain, v: Vcpu, vector: number): void {
  const c = v.cpu, r = c.r, cpl = r[R.CPL];
  if (vector === 0x82) {
    if (cpl !== 1) {
      // Xen's gate 0x82 has DPL 1: from ring 3 the INT faults with #GP.
      r[R.EIP] = r[R.EXIT_EIP];
      return injectException(hv, dom, v, 13, (0x82 << 3) | 2);
    }
    // One context per vcpu, reset for each call, so the hypercall path allocates nothing.
    const x = v.hcCtx ?? (v.hcCtx = { hv, dom, v, g: new GuestMem(c), inMulticall: false });
    x.g.ok = true;
    x.g.limit = HYPERVISOR_VIRT_START;
    const nr = r[R.EAX], a1 = r[R.EBX], a2 = r[R.ECX], a3 = r[R.EDX], a4 = r[R.ESI], a5 = r[R.EDI];
    const ebp = r[R.EBP], after = r[R.EIP];
    const ret = callHypercall(x, nr, a1, a2, a3, a4, a5);
    if (ret !== null) r[R.EAX] = ret;
    hv.hypercalls++;
    // A continuation moved EIP back over the int $0x82: the call is not finished yet.
    const kind = (ret === null ? TK_HYPERCALL | TF_NO_RESULT : r[R.EIP] !== after ? TK_HYPERCALL | TF_CONTINUED : TK_HYPERCALL) | hv.traceSubop;
    hv.traceSubop = 0;
    hv.trace.record(kind, dom.id, v.id, nr, a1, a2, a3, a4, a5, ebp, ret ?? 0);
    hv.hooks.hypercall?.(dom, v, nr >>> 0, [a1, a2, a3, a4, a5], ret);
    return;
  }
  if (vector === 3 || vector === 4 || vector === 1) return injectSoftInt(hv, dom, v, vector);
  if (vector === 0x80 && (v.traps[0x80].cs & 0xfffc) !== 0) return injectSoftInt(hv, dom, v, vector);
  // Every other gate of Xen's IDT has DPL 0: the guest's trap-table DPL decides.
  const dpl = v.traps[vector].flags & 3;
  if ((v.traps[vector].cs & 0xfffc) !== 0 && dpl >= (cpl === 1 ? 1 : 3)) return injectSoftInt(hv, dom, v, vector);
  r[R.EIP] = r[R.EXIT_EIP];
  injectException(hv, dom, v, 13, (vector << 3) | 2);
}

function exception(hv: Hypervisor, dom: Domain, v: Vcpu, vector: number, error: number): void {
  const c = v.cpu, r = c.r;
  switch (vector) {
    case 6: {
      // ud2; .ascii "xen"; cpuid: the forced-emulation prefix for CPUID. Xen
      // reads the 5-byte signature, compares it, then reads the 2-byte opcode;
      // a read that fails is #PF(0) at the first byte it could not read (so
      // even a plain UD2 just before an unmapped page is a #PF).
      const g = new GuestMem(c);
      g.limit = 0x100000000;
      const eip = r[R.EIP];
      for (const [from, to] of [[0, 5], [5, 7]]) {
        for (let k = from; k < to; k++) {
          g.u8((eip + k) | 0);
          if (!g.ok) return injectException(hv, dom, v, 14, 0, (eip + k) | 0);
        }
        for (let k = from; k < to; k++) {
          if (g.u8((eip + k) | 0) !== FORCED_EMULATION[k]) return injectException(hv, dom, v, 6, error);
        }
      }
      const cpuidAt = (eip + 5) | 0;
      if (r[R.CPL] !== 1 && v.cpuidFaulting) {
        r[R.EIP] = cpuidAt;
        return injectException(hv, dom, v, 13, 0);
      }
      emulateCpuid(hv, dom, v);
      r[R.EIP] = (cpuidAt + 2) | 0;
      return;
    }
    case 7:
      // Xen clears TS (real and virtual) before giving #NM to the guest; #NM with
      // the virtual TS clear means an FPU instruction, and pvplay's CPU has none.
      if (!v.virtualTs) {
        hv.crashDomain(dom, `FPU instruction at eip 0x${(r[R.EIP] >>> 0).toString(16)}: pvplay's CPU has no x87/SSE unit`);
        return;
      }
      v.virtualTs = false;
      r[R.CR0] &= ~CR0_TS;
      break;
    case 13:
      if (error === 0) return emulatePrivileged(hv, dom, v);
      break;
    case 14:
      if (hv.pageFaultHook?.(dom, v, error)) return;
      return injectException(hv, dom, v, 14, error, r[R.CR2]);
  }
  injectException(hv, dom, v, vector, error);
}
