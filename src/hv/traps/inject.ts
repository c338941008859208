// Injecting an exception into a PV guest: through its virtual IDT (trap table)
// with a bounce frame. #PF also publishes CR2 in the vcpu's virtual CR2 and in
// vcpu_info.arch.cr2 first. A vector with no handler crashes the domain, as
// Xen's pv_inject_event does.
import { VCPUI } from '../../abi/xen';
import { R } from '../../shared/layout';
import { TK_FAULT } from '../../shared/trace';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { bounce, HAS_ERROR_CODE } from './bounce';

export function injectException(hv: Hypervisor, dom: Domain, v: Vcpu, vector: number, error: number, cr2 = 0): void {
  if (vector === 14) {
    v.cr2 = cr2;
    new DataView(v.cpu.m8.buffer, v.cpu.m8.byteOffset).setUint32(v.vcpuInfoAddr + VCPUI.CR2, cr2 >>> 0, true);
  }
  const t = v.traps[vector];
  if ((t.cs & 0xfffc) === 0) {
    hv.crashDomain(dom, `unhandled exception ${vector} (error ${error}) at eip 0x${(v.cpu.r[8] >>> 0).toString(16)}: no trap handler`);
    return;
  }
  const hasErr = vector < 32 && ((HAS_ERROR_CODE >>> vector) & 1) === 1;
  // Recorded before the bounce moves EIP to the handler (and before a failed bounce's crash record).
  hv.trace.write(TK_FAULT, dom.id, v.id, vector, hasErr ? error : -1, vector === 14 ? cr2 : 0, v.cpu.r[R.EIP], 0);
  const err = bounce(dom, v, { cs: t.cs, eip: t.eip, maskEvents: (t.flags & 4) !== 0 }, hasErr ? error : -1);
  if (err) hv.crashDomain(dom, err);
}

/** A software interrupt delivered as such (INT n allowed by the trap's DPL, INT3, INTO, INT 0x80). */
export function injectSoftInt(hv: Hypervisor, dom: Domain, v: Vcpu, vector: number): void {
  const t = v.traps[vector];
  if ((t.cs & 0xfffc) === 0) {
    hv.crashDomain(dom, `INT 0x${vector.toString(16)} with no trap handler at eip 0x${(v.cpu.r[8] >>> 0).toString(16)}`);
    return;
  }
  hv.trace.write(TK_FAULT, dom.id, v.id, vector, -1, 0, v.cpu.r[R.EIP], 1);
  const err = bounce(dom, v, { cs: t.cs, eip: t.eip, maskEvents: (t.flags & 4) !== 0 }, -1);
  if (err) hv.crashDomain(dom, err);
}
