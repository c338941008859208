// The failsafe callback (xen-pv32-abi.md 6.12). When Xen switches to a vcpu it
// reloads the guest's DS, ES, FS and GS from the descriptor tables; if one of
// them can no longer be loaded (the guest changed or removed the descriptor,
// shrank its GDT or LDT), Xen loads null selectors instead and enters the
// guest's failsafe callback with this frame, lowest address first:
//   DS, ES, FS, GS, EIP, CS | saved upcall mask << 16, EFLAGS (IF = !mask),
//   and ESP, SS when the guest was in ring 2 or 3
// on the current stack (ring 1) or at kernel_sp, then CS:EIP = FLAT_KERNEL_CS:
// failsafe_eip with SS = FLAT_KERNEL_SS; events are masked only when the
// callback was registered with CALLBACKF_mask_events. A fault writing the
// frame, or no failsafe callback at all, crashes the domain.
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import { FLAT_KERNEL_CS, FLAT_KERNEL_SS } from '../../abi/xen';
import { getEflags } from '../../cpu/flags';
import { IF, IOPL, NT, RF, TF, VM } from '../../cpu/defs';
import { GuestMem } from '../guestmem';
import { cacheOf, pvDescriptor, pvLoadSeg } from '../desc';
import type { Vcpu } from '../vcpu';

const DATA_SEGS = [SEG_DS, SEG_ES, SEG_FS, SEG_GS];
const desc = new Int32Array(2);

/** Can `sel` be loaded into a data segment register at `cpl` (the checks of MOV DS)? */
function loadable(v: Vcpu, sel: number, cpl: number): boolean {
  if (!pvDescriptor(v, v.cpu.m32, sel, desc)) return false;
  const hi = desc[1], dpl = (hi >> 13) & 3, type = (hi >> 8) & 0xf;
  if (!(hi & 0x1000) || !(hi & 0x8000)) return false; // system descriptor, or not present
  const code = (type & 8) !== 0, conforming = code && (type & 4) !== 0;
  if (code && !(type & 2)) return false; // execute-only code
  return conforming || dpl >= Math.max(cpl, sel & 3);
}

/**
 * Reload the data segment registers of `v` as Xen's context switch does.
 * Returns a crash reason, or null (segments reloaded, or the failsafe entered).
 */
export function reloadDataSegments(v: Vcpu): string | null {
  const c = v.cpu, r = c.r, cpl = r[R.CPL];
  const sels = DATA_SEGS.map((s) => r[R.SEG + s * 4] & 0xffff);
  const ok = sels.map((sel) => (sel & 0xfffc) === 0 || loadable(v, sel, cpl));
  if (ok.every(Boolean)) {
    // A reload picks up descriptors the guest changed since it last ran.
    DATA_SEGS.forEach((s, k) => {
      if ((sels[k] & 0xfffc) === 0) return;
      pvDescriptor(v, c.m32, sels[k], desc);
      const [base, limit, attr] = cacheOf(desc[0], desc[1]);
      c.setSeg(s, sels[k], base, limit, attr);
    });
    return null;
  }
  for (const s of DATA_SEGS) c.setSeg(s, 0, 0, 0, 0);
  if ((v.failsafeCs & 0xfffc) === 0) return 'a data segment could not be reloaded and no failsafe callback is registered';
  const m8 = c.m8, info = v.vcpuInfoAddr, mask = m8[info + 1];
  const oldCs = r[R.SEG + SEG_CS * 4] & 0xffff, fromUser = (oldCs & 2) !== 0;
  const oldSs = r[R.SEG + SEG_SS * 4] & 0xffff, oldEsp = r[R.ESP];
  let flags = getEflags(r) & ~(IF | IOPL);
  if (!mask) flags |= IF;
  let sp: number;
  if (fromUser) {
    if (!pvLoadSeg(v, c.m32, SEG_SS, v.kernelSs)) return `kernel stack selector 0x${v.kernelSs.toString(16)} is unusable for the failsafe frame`;
    sp = v.kernelSp;
  } else {
    sp = oldEsp;
  }
  const ssBase = r[R.SEG + SEG_SS * 4 + 1];
  const g = new GuestMem(c);
  g.limit = 0x100000000;
  const words = [...sels, r[R.EIP], oldCs | (mask << 16), flags];
  if (fromUser) words.push(oldEsp, oldSs);
  sp = (sp - words.length * 4) | 0;
  words.forEach((w, k) => g.setU32((ssBase + sp + k * 4) | 0, w));
  if (!g.ok) return 'fault writing the failsafe frame';
  if (!pvLoadSeg(v, c.m32, SEG_CS, FLAT_KERNEL_CS) || !pvLoadSeg(v, c.m32, SEG_SS, FLAT_KERNEL_SS)) {
    return 'cannot load the flat kernel selectors for the failsafe callback';
  }
  if (v.failsafeMasksEvents) m8[info + 1] = 1;
  r[R.ESP] = sp;
  r[R.EIP] = v.failsafeEip;
  r[R.EFLAGS] = (flags & ~(VM | RF | NT | TF)) | IF;
  r[R.LF_OP] = 0;
  c.setCpl(1);
  return null;
}
