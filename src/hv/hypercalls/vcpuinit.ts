// VCPUOP_initialise: give a secondary vcpu its whole context from a
// vcpu_guest_context (2800 bytes for x86_32, xen-pv32-abi.md 3.8), the way a
// PV kernel starts its other CPUs; VCPUOP_up (or the context's online flag)
// then lets it run. Checks, in Xen's order (arch_set_info_guest): the context
// must be readable (-EFAULT), the vcpu not yet initialised (-EEXIST), EFLAGS.VM
// clear, the LDT page aligned with at most 8192 entries, vm_assist bits within
// the PV32 mask (for vcpu 0 only, which the builder has already initialised),
// at most 16 GDT frames (all -EINVAL); then the GDT frames must take the
// descriptor type and the CR3 frame the L3 type (the page-type engine's errno).
// RPL 0 is raised to 1 on SS, kernel_ss, CS, both callback CSs and every trap CS.
// EFLAGS keeps only defined bits, IOPL becomes the virtual IOPL and IF is forced
// on; only TS of CR0 is the guest's. Nothing changes unless every check passes.
// As in Xen, the selectors are stored without checking they can be loaded: a data
// selector that cannot be enters the failsafe callback when the vcpu first runs
// (the context-switch reload, traps/failsafe.ts), and an unusable CS or SS
// crashes the domain at that point.
import { E, VMASST_VALID_PV32 } from '../../abi/xen';
import { CR0_ET, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR4_PAE, EFER_NXE } from '../../cpu/defs';
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import { pvLoadSeg } from '../desc';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { fixRpl } from './callbacks';
import type { HcCtx } from './types';

export const CTX_SIZE = 2800;

/** vcpu_guest_context offsets (x86_32). */
export const VGC = {
  FLAGS: 512, USER_REGS: 516, TRAP_CTXT: 584, LDT_BASE: 2632, LDT_ENTS: 2636, GDT_FRAMES: 2640,
  GDT_ENTS: 2704, KERNEL_SS: 2708, KERNEL_SP: 2712, CTRLREG: 2716, DEBUGREG: 2748,
  EVENT_CS: 2780, EVENT_EIP: 2784, FAILSAFE_CS: 2788, FAILSAFE_EIP: 2792, VM_ASSIST: 2796,
} as const;
/** cpu_user_regs offsets (relative to USER_REGS). */
export const UREGS = {
  EBX: 0, ECX: 4, EDX: 8, ESI: 12, EDI: 16, EBP: 20, EAX: 24, EIP: 32, CS: 36, EFLAGS: 40, ESP: 44,
  SS: 48, ES: 52, DS: 56, FS: 60, GS: 64,
} as const;
export const VGCF = { i387_valid: 1, in_kernel: 4, failsafe_disables_events: 8, syscall_disables_events: 16, online: 32 } as const;

const EFLAGS_ALL = 0x3f7fd5, EFLAGS_MBS = 0x2, EFLAGS_VM = 0x20000, EFLAGS_IOPL = 0x3000, EFLAGS_IF = 0x200;
const MAX_GDT_FRAMES = 16, MAX_LDT_ENTS = 8192;

/** The vcpu_op path: copy the context in, then initialise `target` from it. */
export function vcpuInitialise(x: HcCtx, target: Vcpu, arg: number): number {
  const b = x.g.read(arg, CTX_SIZE);
  if (!b) return -E.EFAULT;
  if (target.initialised) return -E.EEXIST;
  return x.hv.initialiseVcpu(x.dom, target, new DataView(b.buffer));
}

/** arch_set_info_guest for a 32-bit PV vcpu (Hypervisor.initialiseVcpu delegates here). */
export function initialiseVcpu(hv: Hypervisor, dom: Domain, v: Vcpu, ctx: DataView): number {
  if (v.initialised) return -E.EEXIST;
  const u32 = (o: number) => ctx.getUint32(o, true);
  const reg = (o: number) => ctx.getUint32(VGC.USER_REGS + o, true);
  const flags = u32(VGC.FLAGS);
  const eflagsIn = reg(UREGS.EFLAGS);
  if (eflagsIn & EFLAGS_VM) return -E.EINVAL;
  const ldtBase = u32(VGC.LDT_BASE), ldtEnts = u32(VGC.LDT_ENTS);
  if ((ldtBase & 0xfff) !== 0 || ldtEnts > MAX_LDT_ENTS) return -E.EINVAL;
  const vmAssist = u32(VGC.VM_ASSIST);
  if (v.id === 0 && (vmAssist & ~VMASST_VALID_PV32) !== 0) return -E.EINVAL;
  const gdtEnts = u32(VGC.GDT_ENTS);
  const nrGdt = Math.ceil(gdtEnts / 512);
  if (nrGdt > MAX_GDT_FRAMES) return -E.EINVAL;

  // The page-type engine's checks: descriptor pages, then the L3.
  const gdtFrames: number[] = [];
  for (let i = 0; i < nrGdt; i++) gdtFrames.push(u32(VGC.GDT_FRAMES + i * 4));
  let rc = hv.mm.acquireGdtFrames(dom.id, gdtFrames, gdtEnts);
  if (rc !== 0) return rc;
  const cr3 = u32(VGC.CTRLREG + 12);
  const l3 = ((cr3 >>> 12) | (cr3 << 20)) >>> 0; // compat_cr3_to_pfn: extended-cr3 format
  rc = hv.mm.newBaseptr(dom.id, v.id, l3);
  if (rc !== 0) {
    for (const f of gdtFrames) hv.mm.putSegDescPage(f);
    return rc;
  }

  // Every check passed: the vcpu takes the context.
  for (const f of v.gdtFrames) hv.mm.putSegDescPage(f);
  v.gdtFrames = gdtFrames;
  v.gdtEnts = gdtEnts;
  v.ldtBase = ldtEnts ? ldtBase : 0;
  v.ldtEnts = ldtEnts;
  for (let i = 0; i < 256; i++) {
    const t = VGC.TRAP_CTXT + i * 8;
    const e = v.traps[i]!;
    e.flags = ctx.getUint8(t + 1);
    e.cs = fixRpl(ctx.getUint16(t + 2, true));
    e.eip = u32(t + 4);
  }
  v.kernelSs = fixRpl(u32(VGC.KERNEL_SS));
  v.kernelSp = u32(VGC.KERNEL_SP);
  v.eventCs = fixRpl(u32(VGC.EVENT_CS));
  v.eventEip = u32(VGC.EVENT_EIP);
  v.failsafeCs = fixRpl(u32(VGC.FAILSAFE_CS));
  v.failsafeEip = u32(VGC.FAILSAFE_EIP);
  v.failsafeMasksEvents = (flags & VGCF.failsafe_disables_events) !== 0;
  v.virtualTs = (u32(VGC.CTRLREG) & CR0_TS) !== 0;
  for (let i = 0; i < 8; i++) v.debugregs[i] = u32(VGC.DEBUGREG + i * 4) | 0;
  v.debugregs[6] = (v.debugregs[6]! | 0xffff0ff0) | 0;
  v.debugregs[7] = (v.debugregs[7]! | 0x400) | 0;
  if (v.id === 0) dom.vmAssist = vmAssist;
  v.iopl = (eflagsIn & EFLAGS_IOPL) >>> 12;

  const c = v.cpu, r = c.r;
  r[R.CR0] = CR0_PE | CR0_ET | CR0_WP | CR0_PG | 0x4 | (v.virtualTs ? CR0_TS : 0);
  r[R.CR4] = CR4_PAE;
  r[R.EFER] = EFER_NXE;
  r[R.CR3] = l3 * 4096;
  c.tlbFlush(true);
  r[R.EBX] = reg(UREGS.EBX);
  r[R.ECX] = reg(UREGS.ECX);
  r[R.EDX] = reg(UREGS.EDX);
  r[R.ESI] = reg(UREGS.ESI);
  r[R.EDI] = reg(UREGS.EDI);
  r[R.EBP] = reg(UREGS.EBP);
  r[R.EAX] = reg(UREGS.EAX);
  r[R.EIP] = reg(UREGS.EIP);
  r[R.ESP] = reg(UREGS.ESP);
  r[R.EFLAGS] = (((eflagsIn & EFLAGS_ALL) | EFLAGS_MBS) & ~EFLAGS_IOPL) | EFLAGS_IF;
  r[R.LF_OP] = 0;
  const cs = fixRpl(reg(UREGS.CS)), ss = fixRpl(reg(UREGS.SS));
  for (const [seg, off] of [[SEG_ES, UREGS.ES], [SEG_DS, UREGS.DS], [SEG_FS, UREGS.FS], [SEG_GS, UREGS.GS]] as const) {
    const sel = reg(off) & 0xffff;
    if (!pvLoadSeg(v, c.m32, seg, sel)) c.setSeg(seg, sel, 0, 0, 0);
  }
  // Xen stores the context without checking that CS and SS can be loaded; it
  // finds out only when the vcpu first runs (XSA-296 relies on that). So do we.
  const codeOk = pvLoadSeg(v, c.m32, SEG_CS, cs);
  const stackOk = pvLoadSeg(v, c.m32, SEG_SS, ss);
  if (!codeOk) c.setSeg(SEG_CS, cs, 0, 0, 0);
  if (!stackOk) c.setSeg(SEG_SS, ss, 0, 0, 0);
  v.startError = codeOk && stackOk ? ''
    : `vcpu ${v.id} was initialised with an unusable ${codeOk ? 'stack' : 'code'} selector 0x${(codeOk ? ss : cs).toString(16)}`;
  c.setCpl(cs & 3);
  v.initialised = true;
  if (flags & VGCF.online) hv.wakeVcpu(v);
  return 0;
}
