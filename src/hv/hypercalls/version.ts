// xen_version: what Xen this is and what it offers. We present ourselves as the
// Xen whose ABI we follow (4.23, a 64-bit Xen running 32-bit PAE guests), with
// "-pvplay" as the extra version so a guest can tell. Feature submap 0 is the
// one 64-bit Xen gives a 32-bit PV domU (xen-pv32-abi.md 5.13). The variable-
// length queries (build_id and the *2 forms) are not offered: -ENOSYS.
import { E, HYPERVISOR_VIRT_START, VMASST } from '../../abi/xen';
import type { HcFn } from './types';

export const XEN_MAJOR = 4, XEN_MINOR = 23;
const EXTRAVERSION = '-pvplay';
const CAPABILITIES = 'xen-3.0-x86_64 xen-3.0-x86_32p ';
/** XENFEAT bits 5, 6, 7, 13, 17, 18, 19, 20; bit 4 is added with pae_extended_cr3. */
const FEATURES = 0x001e20e0;
const XENFEAT_pae_pgdir_above_4gb = 1 << 4;

function str(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < s.length && i < size - 1; i++) out[i] = s.charCodeAt(i);
  return out;
}

export const xenVersion: HcFn = (x, cmd, arg) => {
  const g = x.g;
  switch (cmd) {
    case 0: return (XEN_MAJOR << 16) | XEN_MINOR;
    case 1: return g.write(arg, str(EXTRAVERSION, 16)) ? 0 : -E.EFAULT;
    case 2: {
      // compile_info: compiler[64], compile_by[16], compile_domain[32], compile_date[32]
      const b = new Uint8Array(144);
      b.set(str('pvplay (TypeScript)', 64), 0);
      b.set(str('pvplay', 16), 64);
      b.set(str('pvplay', 32), 80);
      b.set(str('deterministic', 32), 112);
      return g.write(arg, b) ? 0 : -E.EFAULT;
    }
    case 3: return g.write(arg, str(CAPABILITIES, 1024)) ? 0 : -E.EFAULT;
    case 4: return g.write(arg, str('pvplay', 64)) ? 0 : -E.EFAULT;
    case 5: g.setU32(arg, HYPERVISOR_VIRT_START); return g.ok ? 0 : -E.EFAULT;
    case 6: {
      const idx = g.u32(arg);
      if (!g.ok) return -E.EFAULT;
      if (idx !== 0) return -E.EINVAL;
      const f = FEATURES | (x.dom.vmAssistEnabled(VMASST.PAE_EXTENDED_CR3) ? XENFEAT_pae_pgdir_above_4gb : 0);
      g.setU32(arg + 4, f);
      return g.ok ? 0 : -E.EFAULT;
    }
    case 7: return 4096;
    case 8: return g.write(arg, new Uint8Array(16)) ? 0 : -E.EFAULT;
    case 9: return g.write(arg, str(x.hv.commandLine, 1024)) ? 0 : -E.EFAULT;
    default: return -E.ENOSYS;
  }
};
