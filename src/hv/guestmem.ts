// Guest memory as the hypervisor reaches it: through the current vcpu's page
// tables, as a supervisor access (ring-1 rules, CR0.WP on, so read-only PTEs
// refuse hypervisor writes too, as on Xen). A hypercall buffer that is not
// mapped gives -EFAULT to the caller, never a #PF in the guest.
//
// Every accessor sets `ok = false` on failure and returns 0; callers test `ok`
// once after a group of accesses. Writes tell the decoded-code cache.
import { R } from '../shared/layout';
import type { Cpu } from '../cpu/cpu';
import { ACC_READ, ACC_WRITE, TLB_SUP_W, TLB_VALID } from '../cpu/defs';
import { translateSlow } from '../cpu/paging';
import { X_FAULT } from '../cpu/exceptions';
import { HYPERVISOR_VIRT_START } from '../abi/xen';

export class GuestMem {
  ok = true;
  private cpu: Cpu;
  /** Compat rule: buffers must end below the hypervisor hole (0xF5800000). */
  limit = HYPERVISOR_VIRT_START;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  /** Physical address of `va` for a supervisor read/write, or -1 (sets ok = false). */
  phys(va: number, write: boolean): number {
    const c = this.cpu;
    const e = c.tlb[va >>> 12];
    const need = write ? TLB_VALID | TLB_SUP_W : TLB_VALID;
    if ((e & need) === need && !(write && c.code.codeMark[e >>> 12])) return (e & ~0xfff) | (va & 0xfff);
    // The walker raises #PF on a failed walk; for the hypervisor that is only a
    // failed copy, so the fault and its CR2 are taken back.
    const cr2 = c.r[R.CR2];
    const p = translateSlow(c, va | 0, write ? ACC_WRITE : ACC_READ, false);
    if (p < 0) {
      c.r[R.CR2] = cr2;
      c.fault = 0;
      c.exit &= ~X_FAULT;
      this.ok = false;
      return -1;
    }
    return p;
  }

  /** Check a buffer lies below the hypervisor hole and does not wrap. */
  range(va: number, len: number): boolean {
    const a = va >>> 0;
    if (len < 0 || a + len > this.limit) this.ok = false;
    return this.ok;
  }

  u8(va: number): number {
    const p = this.phys(va, false);
    return p < 0 ? 0 : this.cpu.m8[p];
  }
  u16(va: number): number {
    return this.u8(va) | (this.u8(va + 1) << 8);
  }
  u32(va: number): number {
    if ((va & 3) === 0) {
      const p = this.phys(va, false);
      return p < 0 ? 0 : this.cpu.m32[p >>> 2];
    }
    return this.u8(va) | (this.u8(va + 1) << 8) | (this.u8(va + 2) << 16) | (this.u8(va + 3) << 24);
  }
  setU8(va: number, v: number): void {
    const p = this.phys(va, true);
    if (p < 0) return;
    this.cpu.m8[p] = v;
    this.cpu.code.notifyWrite(p, 1);
  }
  setU16(va: number, v: number): void {
    this.setU8(va, v);
    this.setU8(va + 1, v >> 8);
  }
  setU32(va: number, v: number): void {
    if ((va & 3) === 0) {
      const p = this.phys(va, true);
      if (p < 0) return;
      this.cpu.m32[p >>> 2] = v;
      this.cpu.code.notifyWrite(p, 4);
      return;
    }
    for (let k = 0; k < 4; k++) this.setU8(va + k, v >> (8 * k));
  }

  /** Copy `len` bytes from the guest (a new array), or null on failure. */
  read(va: number, len: number): Uint8Array | null {
    if (!this.range(va, len)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = (va + done) | 0;
      const n = Math.min(len - done, 4096 - (a & 0xfff));
      const p = this.phys(a, false);
      if (p < 0) return null;
      out.set(this.cpu.m8.subarray(p, p + n), done);
      done += n;
    }
    return out;
  }

  /** Copy bytes into the guest; false on failure (some bytes may have been written, as with Xen). */
  write(va: number, bytes: Uint8Array): boolean {
    if (!this.range(va, bytes.length)) return false;
    let done = 0;
    while (done < bytes.length) {
      const a = (va + done) | 0;
      const n = Math.min(bytes.length - done, 4096 - (a & 0xfff));
      const p = this.phys(a, true);
      if (p < 0) return false;
      this.cpu.m8.set(bytes.subarray(done, done + n), p);
      this.cpu.code.notifyWrite(p, n);
      done += n;
    }
    return true;
  }

  /** A NUL-terminated string of at most `max` bytes, or null. */
  cstring(va: number, max: number): string | null {
    let s = '';
    for (let i = 0; i < max; i++) {
      const b = this.u8(va + i);
      if (!this.ok) return null;
      if (b === 0) return s;
      s += String.fromCharCode(b);
    }
    return s;
  }
}
