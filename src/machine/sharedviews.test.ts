// The UI's readers of shared memory (src/shared/guestPaging.ts, frames.ts) over a
// real pvos, checked against the hypervisor's own walk and frame table and against
// what the guest itself reports (`ps` prints each process's L3 mfn). Built from
// source as pvos.test.ts does (needs a gcc that emits 32-bit code).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMID_XEN } from '../abi/xen';
import { FC, FC_COUNT, OWNER_XEN, frameClass, framePinned, frameRecord, frameTableView } from '../shared/frames';
import { pagingOf, presentEntries, ramViews, readLinear, rootAddress, translate, type Ram } from '../shared/guestPaging';
import { R } from '../shared/layout';
import { PTE_P, pteMfn } from '../hv/mm/pte';
import { parseXenElf } from './elf';
import { Machine } from './machine';
import type { Domain } from '../hv/domain';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
const PROMPT = '\n$ ';
const KERNBASE = 0xc0000000;

let m: Machine;
let dom: Domain;
let kernel: Uint8Array;
let out = '';
let ram: Ram;
let ft: Int32Array;

function runUntil(pred: () => boolean, budget = 400_000_000): boolean {
  const limit = m.executed + budget;
  while (!pred() && m.executed < limit) {
    const o = m.run(1_000_000);
    if (o === 'stopped' || o === 'idle') break;
  }
  return pred();
}

function command(line: string): string {
  const start = out.length;
  m.consoles.type(dom.id, new TextEncoder().encode(line + '\n'));
  expect(runUntil(() => out.indexOf(PROMPT, start) >= 0), `no prompt after ${line}: ${out.slice(start)}`).toBe(true);
  return out.slice(start, out.indexOf(PROMPT, start));
}

/** Frames per class, and pinned frames per class. */
function census(): { count: number[]; pinned: number[] } {
  const count = new Array<number>(FC_COUNT).fill(0), pinned = new Array<number>(FC_COUNT).fill(0);
  for (let mfn = 0; mfn < m.mem.layout.frames; mfn++) {
    const c = frameClass(ft, mfn);
    count[c]++;
    if (framePinned(ft, mfn)) pinned[c]++;
  }
  return { count, pinned };
}

/** The L3 mfns `ps` prints, one per process. */
function psL3s(): number[] {
  return [...command('ps').matchAll(/^\s+\d+ \w+\s+\d+\s+([0-9a-f]+)\s/gm)].map((x) => parseInt(x[1], 16)).filter((x) => x !== 0);
}

beforeAll(() => {
  const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot build pvos:\n${cc.stderr}`);
  execFileSync('make', ['-C', GUESTS, 'pvos'], { stdio: 'pipe' });
  kernel = readFileSync(join(GUESTS, 'build/kernel/pvos.elf'));
  const dec = new TextDecoder();
  m = new Machine({ ramMiB: 48, maxVcpus: 1 }, { guestConsole: (_d, b) => { out += dec.decode(b).replace(/\r/g, ''); } });
  dom = m.createGuest({ name: 'pvos', kernel, memMiB: 32, vcpus: 1 }).dom;
  ram = ramViews(m.mem.buffer, m.mem.ramBytes);
  ft = frameTableView(m.mem.buffer, m.mem.layout.frameTableOffset, m.mem.layout.frames);
  expect(runUntil(() => out.includes(PROMPT)), out).toBe(true);
}, 120_000);

describe('guest paging read from shared memory', () => {
  it('finds the L3 the hypervisor holds as the base pointer at CR3', () => {
    const p = pagingOf(dom.vcpus[0].cpu.r);
    expect(rootAddress(p) / 4096).toBe(m.hv.mm.baseptr(dom.id, 0));
  });

  it('translates every page of the direct map and of user space as the hypervisor walk does', () => {
    const p = pagingOf(dom.vcpus[0].cpu.r);
    const l3 = m.hv.mm.baseptr(dom.id, 0);
    let mapped = 0, unmapped = 0;
    const pages = [0x400000, 0x5ff000, 0, 0xf5800000];
    for (let va = KERNBASE; va < KERNBASE + 33 * 1024 * 1024; va += 4096) pages.push(va);
    for (let va = 0x400000; va < 0x600000; va += 4096) pages.push(va);
    for (const va of pages) {
      const slot = m.hv.mm.findL1Slot(l3, va);
      const [lo, hi] = slot ? m.hv.mm.readEntry(slot.l1mfn, slot.index) : [0, 0];
      const want = lo & PTE_P ? pteMfn(lo, hi) * 4096 + 0x123 : -1;
      expect(translate(ram, p, va + 0x123), `va ${va.toString(16)}`).toBe(want);
      if (want >= 0) mapped++; else unmapped++;
    }
    // Most of the kernel's 32 MiB are mapped, the gap above them is not: both paths are exercised.
    expect(mapped).toBeGreaterThan(4096);
    expect(unmapped).toBeGreaterThan(100);
  });

  it('reads the kernel image at its virtual addresses, across page boundaries', () => {
    const p = pagingOf(dom.vcpus[0].cpu.r);
    const img = parseXenElf(kernel);
    const text = img.segments.find((s) => s.flags & 1)!;
    // Past the hypercall page, which the hypervisor filled with its stubs at build time.
    const from = Math.max(text.va, (img.hypercallPage ?? 0) + 4096) + 100;
    const buf = new Uint8Array(2 * 4096 + 17);
    expect(from + buf.length).toBeLessThan(text.va + text.filesz);
    expect(readLinear(ram, p, from, buf)).toBe(buf.length);
    const off = text.offset + (from - text.va);
    expect([...buf]).toEqual([...kernel.subarray(off, off + buf.length)]);
    // Reading stops where the mapping does: the last direct-mapped page, then nothing.
    const top = KERNBASE + 32 * 1024 * 1024;
    const edge = new Uint8Array(8192);
    expect(readLinear(ram, p, top - 4096, edge)).toBe(4096);
  });

  it('lists the tables from CR3 down to every L1 the vcpu uses, each typed and the L3 pinned', () => {
    const p = pagingOf(dom.vcpus[0].cpu.r);
    const root = rootAddress(p) / 4096;
    expect(frameClass(ft, root)).toBe(FC.L3);
    expect(framePinned(ft, root)).toBe(true);
    const l2s = presentEntries(ram, rootAddress(p), true, 3, 0);
    expect(l2s.map((e) => e.index)).toContain(3);
    let l1s = 0;
    for (const e2 of l2s) {
      expect(frameClass(ft, e2.frame), `L2 ${e2.frame}`).toBe(FC.L2);
      for (const e1 of presentEntries(ram, e2.frame * 4096, true, 2, e2.va)) {
        expect(e1.large).toBe(false);
        expect(frameClass(ft, e1.frame), `L1 ${e1.frame} at ${e1.va.toString(16)}`).toBe(FC.L1);
        expect(e1.va).toBe((e2.va + e1.index * 0x200000) >>> 0);
        l1s++;
      }
    }
    expect(l1s).toBeGreaterThan(16);
    // The M2P's tables are the hypervisor's, mapped at 0xF5800000 in slot 3.
    const m2p = presentEntries(ram, l2s.find((e) => e.index === 3)!.frame * 4096, true, 2, 0xc0000000)
      .filter((e) => e.va >= 0xf5800000);
    expect(m2p.length).toBeGreaterThan(0);
    for (const e of m2p) expect(frameRecord(ft, e.frame).owner).toBe(OWNER_XEN);
  });
});

describe('the frame table read from shared memory', () => {
  it('names the hypervisor as Xen names it', () => {
    expect(OWNER_XEN).toBe(DOMID_XEN);
  });

  it('classifies shared_info as the guest’s writable frame, and the L3s ps lists as pinned L3s', () => {
    const shinfo = frameRecord(ft, dom.sharedInfoMfn);
    expect(shinfo.owner).toBe(dom.id);
    expect(frameClass(ft, dom.sharedInfoMfn)).toBe(FC.WRITABLE);
    const l3s = psL3s();
    expect(l3s.length).toBeGreaterThanOrEqual(2);
    for (const mfn of l3s) {
      expect(frameClass(ft, mfn)).toBe(FC.L3);
      expect(framePinned(ft, mfn)).toBe(true);
    }
  });

  it('sees a new process’s four page-table frames appear, its L3 pinned, when spin starts one', () => {
    const before = census();
    const l3sBefore = psL3s();
    command('spin');
    const l3s = psL3s();
    const fresh = l3s.filter((x) => !l3sBefore.includes(x));
    expect(fresh).toHaveLength(1);
    expect(frameClass(ft, fresh[0])).toBe(FC.L3);
    const after = census();
    expect(after.pinned[FC.L3] - before.pinned[FC.L3]).toBe(1);
    expect(after.count[FC.L3] - before.count[FC.L3]).toBe(1);
    expect(after.count[FC.L2] - before.count[FC.L2]).toBe(2);
    expect(after.count[FC.L1] - before.count[FC.L1]).toBe(1);
    // Every frame is in exactly one class.
    expect(after.count.reduce((a, b) => a + b, 0)).toBe(m.mem.layout.frames);
  });

  it('shows the spinning process in ring 3, its code readable at EIP through its own tables', () => {
    const r = dom.vcpus[0].cpu.r;
    // The spinner is preempted by the timer; catch it while it holds the CPU.
    expect(runUntil(() => r[R.CPL] === 3, 50_000_000)).toBe(true);
    const eip = r[R.EIP] >>> 0;
    expect(eip).toBeGreaterThanOrEqual(0x400000);
    expect(eip).toBeLessThan(0x600000);
    const bytes = new Uint8Array(2);
    expect(readLinear(ram, pagingOf(r), eip, bytes)).toBe(2);
    // `for (;;);` compiles to a jump to itself: EB FE.
    expect([...bytes]).toEqual([0xeb, 0xfe]);
  });
});
