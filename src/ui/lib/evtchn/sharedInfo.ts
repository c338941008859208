// The guest-visible event bits, read straight from machine memory (DESIGN.md, principle 3):
// the two 1024-bit bitmaps in a domain's shared_info page (evtchn_pending, evtchn_mask; port
// p is bit p%32 of word p/32) and each vcpu's vcpu_info (evtchn_upcall_pending, _mask and
// evtchn_pending_sel). The hypervisor updates these with Atomics, so we read them with
// Atomics too and never see a torn word. Addresses come from the worker's DomainInfo; any
// that fall outside RAM are reported as unknown instead of read.
import { EVTCHN_2L_NR_CHANNELS, PAGE_SIZE, SHINFO, VCPUI } from '../../../abi/xen';

/** Where a domain's event bitmaps are, and whether they can be read. */
export class SharedInfoBits {
  private readonly i32: Int32Array;
  /** Int32 index of evtchn_pending[0] and evtchn_mask[0]; -1 when there is no page. */
  private readonly pendingW: number;
  private readonly maskW: number;

  constructor(buffer: ArrayBufferLike, ramBytes: number, sharedInfoMfn: number) {
    this.i32 = new Int32Array(buffer, 0, Math.min(ramBytes, buffer.byteLength) >>> 2);
    const base = sharedInfoMfn * PAGE_SIZE;
    // mfn 0 is what DomainInfo says when a domain has no shared_info (domain 0's is private).
    const ok = Number.isInteger(sharedInfoMfn) && sharedInfoMfn > 0 && base + PAGE_SIZE <= this.i32.length * 4;
    this.pendingW = ok ? (base + SHINFO.EVTCHN_PENDING) >>> 2 : -1;
    this.maskW = ok ? (base + SHINFO.EVTCHN_MASK) >>> 2 : -1;
  }

  /** Whether the page is in RAM (otherwise every bit reads as clear). */
  get readable(): boolean {
    return this.pendingW >= 0;
  }

  pending(port: number): boolean {
    return this.bit(this.pendingW, port);
  }

  masked(port: number): boolean {
    return this.bit(this.maskW, port);
  }

  /** Word `w` (0..31) of evtchn_pending, as an unsigned number; 0 when unreadable. */
  pendingWord(w: number): number {
    return this.pendingW < 0 ? 0 : Atomics.load(this.i32, this.pendingW + w) >>> 0;
  }

  /** Word `w` (0..31) of evtchn_mask. */
  maskWord(w: number): number {
    return this.maskW < 0 ? 0 : Atomics.load(this.i32, this.maskW + w) >>> 0;
  }

  private bit(base: number, port: number): boolean {
    if (base < 0 || !Number.isInteger(port) || port < 0 || port >= EVTCHN_2L_NR_CHANNELS) return false;
    return (Atomics.load(this.i32, base + (port >>> 5)) & (1 << (port & 31))) !== 0;
  }
}

/** One vcpu's view of events, from its vcpu_info. */
export interface VcpuEventState {
  vcpu: number;
  /** False when its vcpu_info is not in RAM (then the rest are zero). */
  readable: boolean;
  upcallPending: boolean;
  upcallMask: boolean;
  /** evtchn_pending_sel: which words of evtchn_pending to scan. */
  pendingSel: number;
}

/** Read vcpu `vcpu`'s vcpu_info at machine address `addr`. */
export function readVcpuEvents(buffer: ArrayBufferLike, ramBytes: number, vcpu: number, addr: number): VcpuEventState {
  const end = Math.min(ramBytes, buffer.byteLength);
  if (!Number.isInteger(addr) || addr <= 0 || addr % 4 !== 0 || addr + SHINFO.VCPU_INFO_SIZE > end) {
    return { vcpu, readable: false, upcallPending: false, upcallMask: false, pendingSel: 0 };
  }
  const u8 = new Uint8Array(buffer, addr, SHINFO.VCPU_INFO_SIZE);
  const i32 = new Int32Array(buffer, addr, SHINFO.VCPU_INFO_SIZE >>> 2);
  return {
    vcpu,
    readable: true,
    // Xen reads both bytes as booleans (any non-zero value counts), and so do we.
    upcallPending: Atomics.load(u8, VCPUI.UPCALL_PENDING) !== 0,
    upcallMask: Atomics.load(u8, VCPUI.UPCALL_MASK) !== 0,
    pendingSel: Atomics.load(i32, VCPUI.PENDING_SEL >>> 2) >>> 0,
  };
}
