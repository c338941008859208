// Test fixture for the hypercall adapters (src/hv/hypercalls): real domains built by
// the domain builder from a PV kernel image (the tests pass the hello test kernel,
// built with make), on a Machine that is never run, so each hypercall is called
// directly through the dispatcher with the domain's own page tables. Scratch memory
// is the builder's mapped padding: allocated, mapped read-write RAM that the kernel
// has not touched.
import { GuestMem } from '../hv/guestmem';
import { callHypercall } from '../hv/hypercalls/index';
import type { HcCtx } from '../hv/hypercalls/types';
import { Machine } from './machine';
import type { BuiltDomain } from './builder';

export interface Guest {
  built: BuiltDomain;
  /** A fresh hypercall context for vcpu `vcpu` (default 0). */
  ctx(vcpu?: number): HcCtx;
  /** Make hypercall `nr` from vcpu 0 (or `vcpu`) with up to five arguments. */
  call(nr: number, args: number[], vcpu?: number): number | null;
  /** Guest memory through vcpu 0's page tables (a fresh accessor each time: `ok` is sticky). */
  readonly mem: GuestMem;
  /** VA of scratch page `i` (mapped RW, unused by the kernel). */
  scratch(i: number): number;
  /** Machine frame of scratch page `i`. */
  scratchMfn(i: number): number;
}

export interface Rig {
  m: Machine;
  guest(opts?: { memMiB?: number; vcpus?: number }): Guest;
}

export function hypercallRig(kernel: Uint8Array, ramMiB = 96): Rig {
  const m = new Machine({ ramMiB, maxVcpus: 8 });
  return {
    m,
    guest({ memMiB = 16, vcpus = 1 } = {}) {
      const built = m.createGuest({ name: `g${m.hv.domains.size + 1}`, kernel, memMiB, vcpus });
      const dom = built.dom;
      const pad = built.layout.mappedPadding;
      if (pad.pages < 8) throw new Error('too little mapped padding for scratch pages');
      const ctx = (vcpu = 0): HcCtx => ({ hv: m.hv, dom, v: dom.vcpus[vcpu]!, g: new GuestMem(dom.vcpus[vcpu]!.cpu), inMulticall: false });
      return {
        built, ctx,
        call: (nr, args, vcpu = 0) => {
          const a = [...args, 0, 0, 0, 0, 0];
          return callHypercall(ctx(vcpu), nr, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!);
        },
        get mem() { return new GuestMem(dom.vcpus[0]!.cpu); },
        scratch: (i) => (pad.va + i * 4096) | 0,
        scratchMfn: (i) => built.p2m[pad.pfn + i]!,
      };
    },
  };
}

/** Little-endian struct builder for hypercall arguments. */
export function struct(size: number, fields: [number, 'u8' | 'u16' | 'u32', number][]): Uint8Array {
  const b = new Uint8Array(size), dv = new DataView(b.buffer);
  for (const [off, kind, v] of fields) {
    if (kind === 'u8') dv.setUint8(off, v);
    else if (kind === 'u16') dv.setUint16(off, v, true);
    else dv.setUint32(off, v >>> 0, true);
  }
  return b;
}
