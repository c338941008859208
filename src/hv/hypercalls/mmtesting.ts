// Test helper for the memory-management hypercalls: a real domain built by the
// domain builder from the hello test kernel (built from source on first use),
// with a hypercall context for its vcpu 0 and a few of its spare frames
// (allocated to it but not mapped anywhere) to build tables from.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Machine } from '../../machine/machine';
import { buildDomain, type BuiltDomain } from '../../machine/builder';
import { GuestMem } from '../guestmem';
import type { Hypervisor } from '../hypervisor';
import type { Domain } from '../domain';
import type { Vcpu } from '../vcpu';
import type { HcCtx } from './types';

const ROOT = resolve(__dirname, '../../..');
let kernel: Uint8Array | null = null;

/** The hello test kernel, built with make on first use. */
export function helloKernel(): Uint8Array {
  if (kernel) return kernel;
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/tests/hello.elf'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`make hello.elf failed:\n${res.stdout}${res.stderr}`);
  kernel = new Uint8Array(readFileSync(resolve(ROOT, 'guests/build/tests/hello.elf')));
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
