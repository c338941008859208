// HYPERVISOR_iret: return from an exception or event handler, restoring the
// virtual interrupt flag. The guest jumps to hypercall-page stub 23, which
// pushes EAX and traps; the frame on the stack is
//   +0 EAX, +4 EIP, +8 CS, +12 EFLAGS, [+16 ESP, +20 SS when returning to ring 2/3]
// evtchn_upcall_mask becomes !EFLAGS.IF. IOPL bits are dropped (with the
// architectural_iopl assist they set the virtual IOPL); the real IF stays on.
// A frame that cannot be read, a return to ring 0, or a selector that cannot be
// loaded crashes the domain. A VM=1 image is refused the same way (vm86 cannot
// exist under 64-bit Xen, which would inject #GP at the target; we crash and
// say why).
import { R, SEG_CS, SEG_SS } from '../../shared/layout';
import { VMASST } from '../../abi/xen';
import { IF, IOPL, VM } from '../../cpu/defs';
import { pvLoadSeg } from '../desc';
import type { HcFn } from './types';

export const iret: HcFn = (x) => {
  const v = x.v, c = v.cpu, r = c.r, g = x.g;
  g.limit = 0x100000000;
  const sp = r[R.ESP], ssBase = r[R.SEG + SEG_SS * 4 + 1];
  const at = (k: number) => g.u32((ssBase + sp + k) | 0);
  const eax = at(0), eip = at(4), cs = at(8) & 0xffff, eflags = at(12);
  if (!g.ok) { x.hv.crashDomain(x.dom, `HYPERVISOR_iret: cannot read the frame at ${hex(sp)}`); return null; }
  const rpl = cs & 3;
  if (rpl === 0) { x.hv.crashDomain(x.dom, 'HYPERVISOR_iret: return to ring 0'); return null; }
  if (eflags & VM) { x.hv.crashDomain(x.dom, 'HYPERVISOR_iret: VM set in EFLAGS (no vm86 under 64-bit Xen)'); return null; }
  let newSp = (sp + 16) | 0, newSs = -1;
  if (rpl !== 1) {
    newSp = at(16);
    newSs = at(20) & 0xffff;
    if (!g.ok) { x.hv.crashDomain(x.dom, `HYPERVISOR_iret: cannot read the ring-${rpl} frame at ${hex(sp)}`); return null; }
  }
  if (x.dom.vmAssistEnabled(VMASST.ARCHITECTURAL_IOPL)) v.iopl = (eflags & IOPL) >>> 12;
  if (!pvLoadSeg(v, c.m32, SEG_CS, cs)) { x.hv.crashDomain(x.dom, `HYPERVISOR_iret: code selector ${hex(cs)} is unusable`); return null; }
  if (newSs >= 0 && !pvLoadSeg(v, c.m32, SEG_SS, newSs)) { x.hv.crashDomain(x.dom, `HYPERVISOR_iret: stack selector ${hex(newSs)} is unusable`); return null; }
  c.setCpl(rpl);
  c.m8[v.vcpuInfoAddr + 1] = eflags & IF ? 0 : 1;
  r[R.EAX] = eax;
  r[R.EIP] = eip;
  r[R.ESP] = newSp;
  r[R.EFLAGS] = (eflags & ~(IOPL | VM)) | IF | 2;
  r[R.LF_OP] = 0;
  return null;
};

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
