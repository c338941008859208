// mmuext_op (26): extended MMU operations (xen-pv32-abi.md 5.3, 6.5), 12-byte
// ops {cmd u32, arg1 u32, arg2 u32}, done in order, stopping at the first
// error; *done and continuations as mmu_update (MMU_UPDATE_PREEMPTED).
//
// Pin L1..L3 / unpin / clear / copy act on the page owner's frames (the
// page-type engine checks them); PIN_L4 is accepted and ignored, as for every
// 32-bit guest. NEW_BASEPTR switches the vcpu's L3 (CR3 reloaded, TLB flushed,
// LDT cache dropped). TLB and INVLPG flushes: this vcpu, all of the domain's,
// or a uint32 vcpu bitmap (unreadable -> -EINVAL). FLUSH_CACHE(_GLOBAL):
// -EACCES for a domain without I/O resources, i.e. every guest here.
// SET_LDT: page-aligned base, at most 8192 entries (-EINVAL); the LDT pages
// are checked when the CPU first loads a descriptor from them (vcpumm.ts).
// NEW_USER_BASEPTR: -EINVAL for 32-bit guests (Xen's compat layer); MARK/
// UNMARK_SUPER: -EOPNOTSUPP; anything else -ENOSYS.
// foreigndom: DOMID_SELF or the caller; its own id named explicitly or an
// unknown domain -> -ESRCH, DOMID_IO/XEN -> -EINVAL (not PV domains), another
// domain -> -EPERM (unprivileged), all before the first op.
import { DOMID_IO, DOMID_XEN, E } from '../../abi/xen';
import { MMUEXT } from '../../abi/ops';
import { PGT_L1, PGT_L2, PGT_L3 } from '../../shared/layout';
import { TK_PIN, TK_UNPIN, subopFlag } from '../../shared/trace';
import { dropLdtCache, setBaseptr } from '../vcpumm';
import { MMU_BATCH, MMU_UPDATE_PREEMPTED, batchProgress, flushVcpus, isPrivileged, pgOwnerOf, vcpusInMask } from './mmu';
import type { HcCtx, HcFn } from './types';

export { MMUEXT };

const OP_SIZE = 12;
const LDT_MAX_ENTRIES = 8192;
const PIN_TYPES = [PGT_L1, PGT_L2, PGT_L3];

/** One op; `pg` is the resolved page owner. */
function mmuextOne(x: HcCtx, pg: number, cmd: number, arg1: number, arg2: number): number {
  const { hv, dom, v } = x;
  const self = pg === dom.id;
  switch (cmd) {
    case MMUEXT.PIN_L1_TABLE:
    case MMUEXT.PIN_L2_TABLE:
    case MMUEXT.PIN_L3_TABLE: {
      const rc = hv.mm.pin(pg, arg1 >>> 0, PIN_TYPES[cmd]);
      // PGT_L1..PGT_L3 are 1..3: the type is the level.
      if (rc === 0) hv.trace.write(TK_PIN, pg, v.id, arg1, PIN_TYPES[cmd]);
      return rc;
    }
    case MMUEXT.PIN_L4_TABLE:
      return 0;
    case MMUEXT.UNPIN_TABLE: {
      const mfn = arg1 >>> 0;
      // Read before unpinning: dropping the last type reference clears the type.
      const level = hv.mm.ft.isFrame(mfn) ? hv.mm.ft.type(mfn) : 0;
      const rc = hv.mm.unpin(pg, mfn);
      if (rc === 0) hv.trace.write(TK_UNPIN, pg, v.id, arg1, level);
      return rc;
    }
    case MMUEXT.NEW_BASEPTR:
      return self ? setBaseptr(hv, dom, v, arg1 >>> 0) : -E.EPERM;
    case MMUEXT.NEW_USER_BASEPTR:
      return -E.EINVAL;
    case MMUEXT.TLB_FLUSH_LOCAL:
    case MMUEXT.INVLPG_LOCAL:
      if (!self) return -E.EPERM;
      flushVcpus([v], cmd === MMUEXT.INVLPG_LOCAL ? arg1 : null);
      return 0;
    case MMUEXT.TLB_FLUSH_MULTI:
    case MMUEXT.INVLPG_MULTI: {
      if (!self) return -E.EPERM;
      const vs = vcpusInMask(x, arg2);
      if (vs === null) return -E.EINVAL;
      flushVcpus(vs, cmd === MMUEXT.INVLPG_MULTI ? arg1 : null);
      return 0;
    }
    case MMUEXT.TLB_FLUSH_ALL:
    case MMUEXT.INVLPG_ALL:
      if (!self) return -E.EPERM;
      flushVcpus(dom.vcpus, cmd === MMUEXT.INVLPG_ALL ? arg1 : null);
      return 0;
    case MMUEXT.FLUSH_CACHE:
    case MMUEXT.FLUSH_CACHE_GLOBAL:
      // Caches are not modelled; only a domain with I/O resources may ask.
      if (!self) return -E.EPERM;
      return isPrivileged(dom) ? 0 : -E.EACCES;
    case MMUEXT.SET_LDT: {
      const ents = arg2 >>> 0, base = ents !== 0 ? arg1 : 0;
      if (!self) return -E.EPERM;
      if (ents > LDT_MAX_ENTRIES || (ents !== 0 && (base & 0xfff) !== 0)) return -E.EINVAL;
      if (v.ldtEnts !== ents || v.ldtBase !== base) {
        dropLdtCache(hv, v);
        v.ldtBase = base;
        v.ldtEnts = ents;
      }
      return 0;
    }
    case MMUEXT.CLEAR_PAGE:
      return hv.mm.clearPage(pg, arg1 >>> 0);
    case MMUEXT.COPY_PAGE:
      return hv.mm.copyPage(pg, arg1 >>> 0, arg2 >>> 0);
    case MMUEXT.MARK_SUPER:
    case MMUEXT.UNMARK_SUPER:
      return -E.EOPNOTSUPP;
    default:
      return -E.ENOSYS;
  }
}

export const mmuextOp: HcFn = (x, ops, count, pdone, foreigndom) => {
  const { hv, dom, g } = x;
  const { n, done } = batchProgress(g, count, pdone);
  if (!g.range(ops, n * OP_SIZE)) return -E.EFAULT;
  const pg = pgOwnerOf(hv, dom, foreigndom);
  if (pg < 0) return -E.ESRCH;
  if (pg === DOMID_IO || pg === DOMID_XEN) return -E.EINVAL;
  if (pg !== dom.id && !isPrivileged(dom)) return -E.EPERM;

  let rc = 0, i = 0;
  for (; i < n && i < MMU_BATCH; i++) {
    const a = (ops + i * OP_SIZE) | 0;
    const cmd = g.u32(a), arg1 = g.u32(a + 4), arg2 = g.u32(a + 8);
    if (!g.ok) { rc = -E.EFAULT; break; }
    // The trace names the call by its first op (the cmd is in guest memory, not in a register).
    if (i === 0) hv.traceSubop = subopFlag(cmd);
    rc = mmuextOne(x, pg, cmd >>> 0, arg1, arg2);
    if (rc !== 0) break;
  }
  let ret = rc;
  if (rc === 0 && i < n) ret = hv.continuation(x.v, (ops + i * OP_SIZE) | 0, ((n - i) | MMU_UPDATE_PREEMPTED) >>> 0, pdone, foreigndom);
  if (pdone !== 0) g.setU32(pdone, done + i);
  return ret;
};
