// Where a domain's 2-level event-channel state lives. The guest sees two 1024-bit bitmaps in
// its shared_info page (evtchn_pending at 2048, evtchn_mask at 2176: port p is bit p%32 of word
// p/32) and, per vcpu, the selector word evtchn_pending_sel and the byte evtchn_upcall_pending
// in that vcpu's vcpu_info. vcpu_info starts inside shared_info (vcpu n at n*64, n < 32) and may
// be moved anywhere in RAM by VCPUOP_register_vcpu_info (the vcpu-op adapter checks alignment,
// page crossing and typing; we only insist it is 4-byte aligned and in RAM). A vcpu with no
// vcpu_info (id >= 32, never registered) writes into a private dummy, as Xen's dummy_vcpu_info.
// The engine (evtchn.ts) only reaches this memory through the EvtchnMemory interface, so a
// TypeScript domain 0, which has no RAM page, uses the same class over a private page.
// Bit operations use Atomics so UI readers of the shared buffer never see torn words.
import { EVTCHN_2L_NR_CHANNELS, PAGE_SIZE, SHINFO, VCPUI, XEN_LEGACY_MAX_VCPUS } from '../../abi/xen';
import { HypervisorBug } from '../../shared/bugs';

/** RAM as typed arrays indexed by machine byte address (MachineMemory fits). */
export interface RamViews {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
}

/** The bit-level operations of the 2-level ABI (event_2l.c), for one domain. */
export interface EvtchnMemory {
  /** Set the port's pending bit; return whether it was already set. */
  testAndSetPending(port: number): boolean;
  clearPending(port: number): void;
  isPending(port: number): boolean;
  isMasked(port: number): boolean;
  /** Clear the port's mask bit; return whether it was set. */
  testAndClearMask(port: number): boolean;
  /** Set bit `word` of the vcpu's evtchn_pending_sel; return whether it was already set. */
  testAndSetSelector(vcpu: number, word: number): boolean;
  /** Set bit 0 of the vcpu's evtchn_upcall_pending; return whether it was already set. */
  testAndSetUpcallPending(vcpu: number): boolean;
}

const NO_VCPU_INFO = -1;

export class SharedInfoView implements EvtchnMemory {
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  /** Int32 index of evtchn_pending[0] and evtchn_mask[0]. */
  private readonly pendingW: number;
  private readonly maskW: number;
  /** Machine byte address of each vcpu's vcpu_info, or NO_VCPU_INFO. */
  private readonly vcpuInfo: number[];
  private readonly dummy = new Int32Array(VCPUI_WORDS);
  private readonly dummy8 = new Uint8Array(this.dummy.buffer);

  constructor(ram: RamViews, readonly sharedInfoMfn: number, readonly nrVcpus: number) {
    const base = sharedInfoMfn * PAGE_SIZE;
    if (!Number.isInteger(sharedInfoMfn) || sharedInfoMfn < 0 || base + PAGE_SIZE > ram.u8.length) {
      throw new HypervisorBug(`shared_info frame ${sharedInfoMfn} is outside RAM`);
    }
    this.u8 = ram.u8;
    this.i32 = ram.i32;
    this.pendingW = (base + SHINFO.EVTCHN_PENDING) >>> 2;
    this.maskW = (base + SHINFO.EVTCHN_MASK) >>> 2;
    this.vcpuInfo = [];
    for (let v = 0; v < nrVcpus; v++) {
      this.vcpuInfo.push(v < XEN_LEGACY_MAX_VCPUS ? base + SHINFO.VCPU_INFO + v * SHINFO.VCPU_INFO_SIZE : NO_VCPU_INFO);
    }
  }

  /** A shared_info page of its own, outside machine RAM: for domain 0's TypeScript services. */
  static standalone(nrVcpus: number): SharedInfoView {
    const page = new ArrayBuffer(PAGE_SIZE);
    const view = new SharedInfoView({ u8: new Uint8Array(page), i32: new Int32Array(page) }, 0, nrVcpus);
    view.initialise();
    return view;
  }

  /** The state Xen gives a new domain: page zeroed, every vcpu's upcall mask set. */
  initialise(): void {
    const base = this.pendingW * 4 - SHINFO.EVTCHN_PENDING;
    this.u8.fill(0, base, base + PAGE_SIZE);
    for (let v = 0; v < this.nrVcpus; v++) this.setUpcallMask(v, true);
  }

  /** The page itself (a standalone view's private page, for snapshots of domain 0's). */
  page(): Uint8Array {
    const base = this.pendingW * 4 - SHINFO.EVTCHN_PENDING;
    return this.u8.subarray(base, base + PAGE_SIZE);
  }

  /** VCPUOP_register_vcpu_info has moved this vcpu's vcpu_info to machine address `maddr`. */
  setVcpuInfo(vcpu: number, maddr: number): void {
    this.checkVcpu(vcpu);
    if (!Number.isInteger(maddr) || maddr < 0 || maddr % 4 !== 0 || maddr + SHINFO.VCPU_INFO_SIZE > this.u8.length) {
      throw new HypervisorBug(`vcpu_info at ${maddr} is not an aligned RAM address`);
    }
    this.vcpuInfo[vcpu] = maddr;
  }

  /** Machine address of the vcpu's vcpu_info, or -1 when it has none. */
  vcpuInfoAddr(vcpu: number): number {
    this.checkVcpu(vcpu);
    return this.vcpuInfo[vcpu]!;
  }

  testAndSetPending(port: number): boolean {
    return (Atomics.or(this.i32, this.pendingW + (port >>> 5), 1 << (port & 31)) & (1 << (port & 31))) !== 0;
  }
  clearPending(port: number): void {
    Atomics.and(this.i32, this.pendingW + (port >>> 5), ~(1 << (port & 31)));
  }
  isPending(port: number): boolean {
    return (Atomics.load(this.i32, this.pendingW + (port >>> 5)) & (1 << (port & 31))) !== 0;
  }
  isMasked(port: number): boolean {
    return (Atomics.load(this.i32, this.maskW + (port >>> 5)) & (1 << (port & 31))) !== 0;
  }
  testAndClearMask(port: number): boolean {
    return (Atomics.and(this.i32, this.maskW + (port >>> 5), ~(1 << (port & 31))) & (1 << (port & 31))) !== 0;
  }
  testAndSetSelector(vcpu: number, word: number): boolean {
    const [i32, w] = this.word(vcpu, VCPUI.PENDING_SEL);
    return (Atomics.or(i32, w, 1 << word) & (1 << word)) !== 0;
  }
  testAndSetUpcallPending(vcpu: number): boolean {
    const [u8, b] = this.byte(vcpu, VCPUI.UPCALL_PENDING);
    return (Atomics.or(u8, b, 1) & 1) !== 0;
  }

  // The guest's side of the ABI. Domain 0's TypeScript services are the guest here; the
  // hypervisor itself never calls these on a real guest's page.

  setMask(port: number, masked: boolean): void {
    checkPort(port);
    const w = this.maskW + (port >>> 5), bit = 1 << (port & 31);
    if (masked) Atomics.or(this.i32, w, bit);
    else Atomics.and(this.i32, w, ~bit);
  }
  setUpcallMask(vcpu: number, masked: boolean): void {
    const [u8, b] = this.byte(vcpu, VCPUI.UPCALL_MASK);
    Atomics.store(u8, b, masked ? 1 : 0);
  }
  upcallMask(vcpu: number): boolean {
    const [u8, b] = this.byte(vcpu, VCPUI.UPCALL_MASK);
    return Atomics.load(u8, b) !== 0;
  }
  upcallPending(vcpu: number): boolean {
    const [u8, b] = this.byte(vcpu, VCPUI.UPCALL_PENDING);
    return Atomics.load(u8, b) !== 0;
  }
  selector(vcpu: number): number {
    const [i32, w] = this.word(vcpu, VCPUI.PENDING_SEL);
    return Atomics.load(i32, w) >>> 0;
  }

  /**
   * What a guest's upcall handler does: clear upcall_pending, take the selector, and for each
   * selected word take (pending & ~mask), clearing those pending bits. Returns the ports found,
   * in ascending order.
   */
  takePending(vcpu: number): number[] {
    const [u8, b] = this.byte(vcpu, VCPUI.UPCALL_PENDING);
    Atomics.store(u8, b, 0);
    const [i32, w] = this.word(vcpu, VCPUI.PENDING_SEL);
    const sel = Atomics.exchange(i32, w, 0) >>> 0;
    const ports: number[] = [];
    for (let word = 0; word < 32; word++) {
      if (!(sel & (1 << word))) continue;
      const bits = (Atomics.load(this.i32, this.pendingW + word) & ~Atomics.load(this.i32, this.maskW + word)) >>> 0;
      if (!bits) continue;
      Atomics.and(this.i32, this.pendingW + word, ~bits);
      for (let bit = 0; bit < 32; bit++) if (bits & (1 << bit)) ports.push(word * 32 + bit);
    }
    return ports;
  }

  private word(vcpu: number, offset: number): [Int32Array, number] {
    const a = this.vcpuInfoAddr(vcpu);
    return a === NO_VCPU_INFO ? [this.dummy, offset >>> 2] : [this.i32, (a + offset) >>> 2];
  }
  private byte(vcpu: number, offset: number): [Uint8Array, number] {
    const a = this.vcpuInfoAddr(vcpu);
    return a === NO_VCPU_INFO ? [this.dummy8, offset] : [this.u8, a + offset];
  }
  private checkVcpu(vcpu: number): void {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.nrVcpus) throw new HypervisorBug(`no vcpu ${vcpu}`);
  }
}

const VCPUI_WORDS = SHINFO.VCPU_INFO_SIZE >>> 2;

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port >= EVTCHN_2L_NR_CHANNELS) throw new HypervisorBug(`no port ${port}`);
}
