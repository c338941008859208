// Test fixture for the memory-management hypercalls and traps (mmu_update,
// mmuext_op, update_va_mapping, set_gdt, update_descriptor, writable page
// tables, vcpu_info, destruction): a real domain built by the domain builder
// from the hello test kernel (the tests build it with make and hand it over
// with useKernel), never unpaused unless a test runs code, with a hypercall
// context for vcpu 0 and spare frames (allocated to the domain, zeroed, mapped
// nowhere) to build tables from.
import { GuestMem } from '../hv/guestmem';
import type { Hypervisor } from '../hv/hypervisor';
import type { Domain } from '../hv/domain';
import type { Vcpu } from '../hv/vcpu';
import type { HcCtx } from '../hv/hypercalls/types';
import { Machine } from './machine';
import { buildDomain, type BuiltDomain } from './builder';

let kernel: Uint8Array | null = null;

/** The kernel image makeGuest builds from (the tests pass hello.elf). */
export function useKernel(k: Uint8Array): void {
  kernel = k;
}

function helloKernel(): Uint8Array {
  if (!kernel) throw new Error('useKernel first');
  return kernel;
}

export interface MmGuest {
  m: Machine;
  hv: Hypervisor;
  built: BuiltDomain;
  dom: Domain;
  v: Vcpu;
  x: HcCtx;
  /** A mapped, writable guest page for hypercall arguments. */
  buf: number;
  /** Spare frames of the domain: allocated, zeroed, not mapped. */
  spare: number[];
  /** The vcpu's current L3. */
  l3: number;
}

export function ctxFor(hv: Hypervisor, dom: Domain, v: Vcpu): HcCtx {
  return { hv, dom, v, g: new GuestMem(v.cpu), inMulticall: false };
}

export function makeGuest(opts: { m?: Machine; domid?: number; vcpus?: number } = {}): MmGuest {
  const m = opts.m ?? new Machine({ ramMiB: 48, maxVcpus: 64 });
  const hv = m.hv;
  const built = buildDomain(hv, { domid: opts.domid ?? 1, name: 'mm', kernel: helloKernel(), memMiB: 8, vcpus: opts.vcpus ?? 1 });
  const dom = built.dom, v = dom.vcpus[0];
  const L = built.layout;
  if (L.mappedPadding.pages < 1) throw new Error('no mapped padding page for arguments');
  const spare: number[] = [];
  for (let pfn = L.allocatedPages; pfn < L.allocatedPages + 16; pfn++) spare.push(built.p2m[pfn]);
  return { m, hv, built, dom, v, x: ctxFor(hv, dom, v), buf: L.mappedPadding.va, spare, l3: hv.mm.baseptr(dom.id, 0) };
}

/** Write little-endian u32 words into guest memory at `va` (through the vcpu's tables). */
export function poke(g: MmGuest, va: number, words: number[]): void {
  const x = new GuestMem(g.v.cpu);
  words.forEach((w, i) => x.setU32((va + i * 4) | 0, w));
  if (!x.ok) throw new Error(`poke at ${va.toString(16)} failed`);
}

export function peek(g: MmGuest, va: number): number {
  const x = new GuestMem(g.v.cpu);
  const w = x.u32(va);
  if (!x.ok) throw new Error(`peek at ${va.toString(16)} failed`);
  return w >>> 0;
}

/** Machine-memory word access. */
export function mword(g: MmGuest, addr: number): number {
  return g.hv.mem.i32[addr >>> 2] >>> 0;
}
export function setMword(g: MmGuest, addr: number, v: number): void {
  g.hv.mem.i32[addr >>> 2] = v;
  g.hv.code.notifyWrite(addr, 4);
}

/** The machine address of the L2 entry and the L2 frame for `va` under the vcpu's L3. */
export function l2EntryAddr(g: MmGuest, va: number): number {
  const l3e = mword(g, g.l3 * 4096 + (va >>> 30) * 8);
  const l2 = l3e >>> 12;
  return l2 * 4096 + ((va >>> 21) & 511) * 8;
}
