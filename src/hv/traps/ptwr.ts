// Writable page tables (VMASST_TYPE_writable_pagetables, xen-pv32-abi.md 6.6):
// with the assist on, a ring-1 write #PF on a present, read-only mapping of one
// of the guest's own L1 page tables is emulated instead of delivered. The
// guest sees its store land in the page table -- after the same checks as
// mmu_update -- and execution go on after the instruction, with its flags and
// registers as the instruction leaves them (CMPXCHG's accumulator, XCHG's
// register, LOCK BTR's carry...).
//
// How: the faulting instruction is run once by the CPU itself, with the
// faulting page mapped for that one instruction onto a scratch copy of the L1.
// The bytes it changed there are the store. Only a store inside one 8-byte
// entry is accepted; it goes to the page-type engine (ptwrWrite, or
// ptwrCmpxchg for CMPXCHG/CMPXCHG8B), whose width rules are Xen's (a 4-byte
// store to the upper half that fails validation is kept with Present clear).
// Refused (engine says unhandleable, store across entries, REP forms that
// changed several entries): every register is put back and the original #PF
// goes to the guest. An exception the instruction raises itself (another #PF,
// #DB for single-stepping) is delivered instead. A store that leaves the
// entry's bytes unchanged needs no check and completes.
// Simplified: a misaligned store straddling the end of the faulting page writes
// its part in the next page before we look (Xen refuses such a store whole).
import { R, SEG_CS } from '../../shared/layout';
import { DOMID_XEN, VMASST } from '../../abi/xen';
import { PGT_L1 } from '../../shared/layout';
import { EXIT_EXCEPTION, EXIT_LIMIT, TLB_SUP_W, TLB_VALID } from '../../cpu/defs';
import { run } from '../../cpu/exec';
import { PTWR_OK } from '../mm/ptwr';
import { PTE_P, PTE_RW, pteMfn } from '../mm/pte';
import { GuestMem } from '../guestmem';
import type { Domain } from '../domain';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';
import { injectException } from './inject';

const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;

/** One scratch frame per hypervisor, owned by Xen, allocated on the first emulation. */
const scratchFrames = new WeakMap<Hypervisor, number>();

function scratchFrame(hv: Hypervisor): number {
  let m = scratchFrames.get(hv);
  if (m === undefined) {
    m = hv.mm.ft.allocate(DOMID_XEN);
    if (m < 0) return -1;
    scratchFrames.set(hv, m);
  }
  return m;
}

/** The scratch frame, or -1 before the first emulation (for snapshots). */
export function ptwrScratchFrame(hv: Hypervisor): number {
  return scratchFrames.get(hv) ?? -1;
}

/** A restored hypervisor's scratch frame (already Xen's in the restored frame table). */
export function setPtwrScratchFrame(hv: Hypervisor, mfn: number): void {
  if (mfn >= 0) scratchFrames.set(hv, mfn);
  else scratchFrames.delete(hv);
}

/** The L1 frame a ring-1 write fault at `va` may be emulated on, or -1. */
function faultingL1(hv: Hypervisor, dom: Domain, v: Vcpu, va: number, error: number): number {
  if (!dom.vmAssistEnabled(VMASST.WRITABLE_PAGETABLES)) return -1;
  if (v.cpu.r[R.CPL] !== 1 || (error & (PF_P | PF_W | PF_U | PF_RSVD | PF_I)) !== (PF_P | PF_W)) return -1;
  const l3 = hv.mm.baseptr(dom.id, v.id);
  const slot = l3 < 0 ? null : hv.mm.findL1Slot(l3, va);
  if (slot === null) return -1;
  const [lo, hi] = hv.mm.readEntry(slot.l1mfn, slot.index);
  if ((lo & (PTE_P | PTE_RW)) !== PTE_P) return -1;
  const target = pteMfn(lo, hi);
  const ft = hv.mm.ft;
  if (!ft.isFrame(target) || ft.owner(target) !== dom.id || ft.type(target) !== PGT_L1) return -1;
  return target;
}

/** What the instruction at EIP stores: its width in bytes and whether it is a CMPXCHG. */
function storeForm(v: Vcpu): { bytes: number; cmpxchg: boolean } | null {
  const c = v.cpu, r = c.r;
  const g = new GuestMem(c);
  g.limit = 0x100000000;
  const at = (r[R.SEG + SEG_CS * 4 + 1] + r[R.EIP]) | 0;
  let k = 0, op16 = false, b = 0;
  for (; k < 15; k++) {
    b = g.u8(at + k);
    if (b === 0x66) op16 = true;
    else if (![0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67, 0xf0, 0xf2, 0xf3].includes(b)) break;
  }
  const word = op16 ? 2 : 4;
  if (b === 0x0f) {
    const b2 = g.u8(at + k + 1), modrm = g.u8(at + k + 2);
    if (!g.ok) return null;
    if (b2 === 0xb0) return { bytes: 1, cmpxchg: true };
    if (b2 === 0xb1) return { bytes: word, cmpxchg: true };
    if (b2 === 0xc7 && ((modrm >>> 3) & 7) === 1) return { bytes: 8, cmpxchg: true };
    if (b2 >= 0x90 && b2 <= 0x9f) return { bytes: 1, cmpxchg: false }; // SETcc
    return { bytes: word, cmpxchg: false };
  }
  if (!g.ok) return null;
  // Byte forms: ALU r/m8 (00, 08, ... 38 and +2), MOV 88/C6, XCHG 86, groups 80/82/C0/D0/D2/F6/FE, string STOSB/MOVSB.
  const byteOp = (b < 0x40 && (b & 7) <= 2 && (b & 1) === 0) || [0x80, 0x82, 0x86, 0x88, 0xa4, 0xaa, 0xc0, 0xc6, 0xd0, 0xd2, 0xf6, 0xfe].includes(b);
  return { bytes: byteOp ? 1 : word, cmpxchg: false };
}

/**
 * hv.pageFaultHook: emulate the store of a write fault on the guest's L1, or
 * return false so the #PF goes to the guest.
 */
export function ptwrFault(hv: Hypervisor, dom: Domain, v: Vcpu, error: number): boolean {
  const c = v.cpu, r = c.r;
  const va = r[R.CR2];
  const l1 = faultingL1(hv, dom, v, va, error);
  if (l1 < 0) return false;
  const form = storeForm(v);
  const scratch = form === null ? -1 : scratchFrame(hv);
  if (form === null || scratch < 0) return false;

  const m8 = hv.mem.u8, base = l1 * 4096, sbase = scratch * 4096;
  m8.copyWithin(sbase, base, base + 4096);
  hv.code.notifyWrite(sbase, 4096);
  const saved = r.slice();
  const vpn = va >>> 12;
  c.tlbSet(vpn, sbase | TLB_VALID | TLB_SUP_W);
  const reason = run(c, 1);
  c.tlbFlushPage(va);

  if (reason !== EXIT_LIMIT) {
    if (reason === EXIT_EXCEPTION) {
      // The instruction faulted on its own (not on the page table): deliver that.
      const vec = r[R.EXIT_VECTOR], err = r[R.EXIT_ERROR], cr2 = r[R.CR2];
      injectException(hv, dom, v, vec, err, cr2);
      return true;
    }
    r.set(saved);
    return false;
  }

  let first = -1, last = -1;
  for (let i = 0; i < 4096; i++) {
    if (m8[sbase + i] !== m8[base + i]) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return true;
  const off = first & ~(form.bytes - 1);
  if ((first & ~7) !== (last & ~7) || last >= off + form.bytes) {
    r.set(saved);
    return false;
  }
  const nLo = bytesAt(m8, sbase + off, form.bytes, 0), nHi = bytesAt(m8, sbase + off, form.bytes, 4);
  const rc = form.cmpxchg
    ? hv.mm.ptwrCmpxchg(dom.id, l1, off, form.bytes, bytesAt(m8, base + off, form.bytes, 0),
      bytesAt(m8, base + off, form.bytes, 4), nLo, nHi)
    : hv.mm.ptwrWrite(dom.id, l1, off, form.bytes, nLo, nHi);
  if (rc === PTWR_OK) return true;
  // Unhandleable (or a failed comparison, which cannot happen: nothing else
  // changes the table between our copy and the store): the #PF goes to the guest.
  r.set(saved);
  return false;
}

/** Bytes `from`..min(count, from + 4) of a little-endian value at `at`, as one 32-bit word. */
function bytesAt(m8: Uint8Array, at: number, count: number, from: number): number {
  let x = 0;
  for (let k = from; k < Math.min(count, from + 4); k++) x |= m8[at + k] << (8 * (k - from));
  return x;
}
