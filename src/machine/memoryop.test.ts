// memory_op and multicall through the real dispatcher on domains built from the hello
// test kernel (hcrig.testutil.ts): giving frames back and taking them again within
// maxPages, the M2P, the sizes and maps a PV guest asks for, the restart encoding of
// a long reservation; a multicall's per-entry results, nesting, faults, and the
// resumption of an entry that continued itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMID_SELF, E, EVTCHNOP, HC } from '../abi/xen';
import { FRAME_FREE, R } from '../shared/layout';
import { MEMOP_BATCH, MEMOP_EXTENT_SHIFT, XENMEM } from '../hv/hypercalls/memory';
import { MULTICALL_BATCH } from '../hv/hypercalls/multicall';
import { hypercallRig, struct, type Guest } from './hcrig.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
// The test kernels need a gcc that emits 32-bit code (.ci/run installs gcc-multilib): fail, never skip.
const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`cannot build the 32-bit test kernels:\n${cc.stderr}`);

describe('memory_op and multicall', () => {
  let kernel: Uint8Array;
  beforeAll(() => {
    execFileSync('make', ['-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
    kernel = readFileSync(join(GUESTS, 'build/tests/hello.elf'));
  });

  const memop = (g: Guest, cmd: number, arg: Uint8Array, at = g.scratch(0)): number | null => {
    g.mem.write(at, arg);
    return g.call(HC.memory_op, [cmd, at]);
  };
  const domArg = (d = DOMID_SELF) => struct(2, [[0, 'u16', d]]);
  /** xen_memory_reservation with its extent list at scratch page 1. */
  const resv = (g: Guest, nr: number, order = 0, flags = 0) =>
    struct(20, [[0, 'u32', g.scratch(1)], [4, 'u32', nr], [8, 'u32', order], [12, 'u32', flags], [16, 'u16', DOMID_SELF]]);

  it('decrease then increase the reservation within maxPages', () => {
    const r = hypercallRig(kernel);
    const g = r.guest({ memMiB: 16 });
    const ft = r.m.hv.mm.ft, dom = g.built.dom;
    const pages = dom.maxPages;
    expect(memop(g, XENMEM.current_reservation, domArg())).toBe(pages);
    expect(memop(g, XENMEM.maximum_reservation, domArg())).toBe(pages);
    // At maxPages nothing more can be had.
    expect(memop(g, XENMEM.increase_reservation, resv(g, 1))).toBe(0);

    // The last PFN lies beyond the initial mapping: no reference holds it, so it is freed now.
    const last = g.built.p2m[pages - 1]!;
    g.mem.setU32(g.scratch(1), last);
    expect(memop(g, XENMEM.decrease_reservation, resv(g, 1))).toBe(1);
    expect(ft.owner(last)).toBe(FRAME_FREE);
    expect(ft.m2pGet(last)).toBe(0xffffffff);
    expect(memop(g, XENMEM.current_reservation, domArg())).toBe(pages - 1);

    // A mapped frame given back stays until its mapping goes, but is out of the reservation's M2P.
    const mapped = g.scratchMfn(7);
    g.mem.setU32(g.scratch(1), mapped);
    expect(memop(g, XENMEM.decrease_reservation, resv(g, 1))).toBe(1);
    expect(ft.owner(mapped)).toBe(dom.id);
    expect(ft.isAllocated(mapped)).toBe(false);
    expect(ft.m2pGet(mapped)).toBe(0xffffffff);

    // shared_info and someone else's frame cannot be given back: the count stops there.
    g.mem.setU32(g.scratch(1), dom.sharedInfoMfn);
    expect(memop(g, XENMEM.decrease_reservation, resv(g, 1))).toBe(0);
    g.mem.setU32(g.scratch(1), r.m.hv.mm.ft.m2pFrames[0]!);
    expect(memop(g, XENMEM.decrease_reservation, resv(g, 1))).toBe(0);

    // populate_physmap: one page at PFN pages-1, zeroed, M2P set, MFN written back.
    r.m.mem.u8.fill(0xee, last * 4096, last * 4096 + 4096);
    g.mem.setU32(g.scratch(1), pages - 1);
    expect(memop(g, XENMEM.populate_physmap, resv(g, 1))).toBe(1);
    const got = g.mem.u32(g.scratch(1));
    expect(ft.owner(got)).toBe(dom.id);
    expect(ft.m2pGet(got)).toBe(pages - 1);
    expect(r.m.mem.u8.subarray(got * 4096, got * 4096 + 4096).every((b) => b === 0)).toBe(true);
    // The reservation is full again.
    expect(memop(g, XENMEM.increase_reservation, resv(g, 1))).toBe(0);
    expect(memop(g, XENMEM.increase_reservation, resv(g, 1, 10))).toBe(0); // order above 9: refused whole
    expect(r.m.hv.mm.audit(r.m.hv.gnttab.heldReferences())).toEqual([]);
  });

  it('a long reservation restarts with the extent encoded in the command', () => {
    const r = hypercallRig(kernel);
    const g = r.guest({ memMiB: 16 });
    const n = MEMOP_BATCH + 3, pages = g.built.dom.maxPages;
    const list = new Uint8Array(n * 4), dv = new DataView(list.buffer);
    for (let i = 0; i < n; i++) dv.setUint32(i * 4, g.built.p2m[pages - 1 - i]!, true);
    g.mem.write(g.scratch(1), list);
    const regs = g.built.dom.vcpus[0]!.cpu.r;
    regs[R.EIP] = 0x2002;
    regs[R.EAX] = HC.memory_op;
    expect(memop(g, XENMEM.decrease_reservation, resv(g, n))).toBe(HC.memory_op);
    expect([regs[R.EIP], regs[R.EBX] >>> 0]).toEqual([0x2000, XENMEM.decrease_reservation | (MEMOP_BATCH << MEMOP_EXTENT_SHIFT)]);
    expect(g.call(HC.memory_op, [regs[R.EBX], regs[R.ECX]])).toBe(n);
    expect(memop(g, XENMEM.current_reservation, domArg())).toBe(pages - n);
    // A restart point at or past nr_extents just returns it.
    expect(g.call(HC.memory_op, [XENMEM.decrease_reservation | (n << MEMOP_EXTENT_SHIFT), g.scratch(0)])).toBe(n);
  });

  it('sizes, maps and refusals', () => {
    const r = hypercallRig(kernel);
    const g = r.guest({ memMiB: 16 });
    expect(g.call(HC.memory_op, [XENMEM.maximum_ram_page, 0])).toBe(r.m.hv.mm.ft.frames);
    expect(g.call(HC.memory_op, [XENMEM.maximum_ram_page | (1 << MEMOP_EXTENT_SHIFT), 0])).toBe(-E.EINVAL);
    expect(memop(g, XENMEM.current_reservation, domArg(0))).toBe(-E.EPERM);
    expect(memop(g, XENMEM.current_reservation, domArg(999))).toBe(-E.ESRCH);
    expect(g.call(HC.memory_op, [XENMEM.current_reservation, 0x1000])).toBe(-E.EFAULT);

    expect(memop(g, XENMEM.machphys_mapping, new Uint8Array(12))).toBe(0);
    const mp = new DataView(g.mem.read(g.scratch(0), 12)!.buffer);
    expect([mp.getUint32(0, true), mp.getUint32(4, true), mp.getUint32(8, true)]).toEqual([0xf5800000, 0xffe00000, 0x0297ffff]);

    expect(memop(g, XENMEM.memory_map, struct(8, [[0, 'u32', 4], [4, 'u32', g.scratch(1)]]))).toBe(0);
    expect(g.mem.u32(g.scratch(0))).toBe(1);
    const e = new DataView(g.mem.read(g.scratch(1), 20)!.buffer);
    expect([e.getUint32(0, true), e.getUint32(8, true), e.getUint32(16, true)]).toEqual([0, 16 * 1024 * 1024, 1]);
    g.built.dom.memoryMap = [];
    expect(memop(g, XENMEM.memory_map, struct(8, [[0, 'u32', 4], [4, 'u32', g.scratch(1)]]))).toBe(-E.ENOSYS);

    expect(memop(g, XENMEM.machphys_mfn_list, struct(12, [[0, 'u32', 8], [4, 'u32', g.scratch(1)]]))).toBe(0);
    expect(g.mem.u32(g.scratch(0) + 8)).toBe(1);
    expect(g.mem.u32(g.scratch(1))).toBe(r.m.hv.mm.ft.m2pFrames[0]);

    expect(memop(g, XENMEM.add_to_physmap, struct(16, [[0, 'u16', DOMID_SELF], [4, 'u32', 1]]))).toBe(-E.EACCES);
    expect(memop(g, XENMEM.machine_memory_map, new Uint8Array(8))).toBe(-E.EPERM);
    expect(memop(g, XENMEM.exchange, new Uint8Array(44))).toBe(-E.ENOSYS);
    expect(memop(g, 40, new Uint8Array(8))).toBe(-E.ENOSYS);
  });

  /** Write multicall entries {op, result, args} at `at`. */
  const entries = (g: Guest, at: number, list: [number, number[]][]) => {
    const b = new Uint8Array(list.length * 32), dv = new DataView(b.buffer);
    list.forEach(([op, args], i) => {
      dv.setUint32(i * 32, op, true);
      dv.setUint32(i * 32 + 4, 0xaaaaaaaa, true);
      args.forEach((a, k) => dv.setUint32(i * 32 + 8 + k * 4, a >>> 0, true));
    });
    g.mem.write(at, b);
  };
  const result = (g: Guest, at: number, i: number) => g.mem.u32(at + i * 32 + 4) | 0;

  it('multicall: results per entry, nesting refused, faults', () => {
    const r = hypercallRig(kernel);
    const g = r.guest();
    const list = g.scratch(2), port = g.scratch(3);
    g.mem.write(port, struct(4, [[0, 'u32', 0]]));
    entries(g, list, [
      [HC.xen_version, [0, 0]],
      [HC.event_channel_op, [EVTCHNOP.close, port]],
      [HC.multicall, [list, 1]],
      [60, []],
      [HC.event_channel_op, [EVTCHNOP.bind_ipi, g.scratch(4)]],
    ]);
    g.mem.write(g.scratch(4), struct(8, [[0, 'u32', 0]]));
    expect(g.call(HC.multicall, [list, 5])).toBe(0);
    expect(result(g, list, 0)).toBe((4 << 16) | 23);
    expect(result(g, list, 1)).toBe(-E.EINVAL);
    expect(result(g, list, 2)).toBe(-E.EINVAL);
    expect(result(g, list, 3)).toBe(-E.ENOSYS);
    expect(result(g, list, 4)).toBe(0);
    expect(g.mem.u32(g.scratch(4) + 4)).toBe(3);
    expect(g.call(HC.multicall, [0x1000, 1])).toBe(-E.EFAULT);
    expect(g.call(HC.multicall, [0xf57fffe0 | 0, 2])).toBe(-E.EFAULT);
    expect(g.call(HC.multicall, [list, 0])).toBe(0);
  });

  it('multicall: a long list continues; an entry that continues itself is resumed in place', () => {
    const r = hypercallRig(kernel);
    let out = '';
    const g = r.guest();
    r.m.hv.hooks.console = (_d, b) => { out += new TextDecoder().decode(b); };
    const regs = g.built.dom.vcpus[0]!.cpu.r;
    const list = g.scratch(2), text = g.scratch(4);
    // A console write of 5000 bytes continues after its first 4096.
    g.mem.write(text, new TextEncoder().encode('x'.repeat(4999) + 'y'));
    entries(g, list, [[HC.xen_version, [0, 0]], [HC.console_io, [0, 5000, text]], [HC.xen_version, [7, 0]]]);
    regs[R.EIP] = 0x3002;
    regs[R.EAX] = HC.multicall;
    expect(g.call(HC.multicall, [list, 3])).toBe(HC.multicall);
    expect([regs[R.EIP], regs[R.EBX], regs[R.ECX]]).toEqual([0x3000, list + 32, 2]);
    expect(result(g, list, 0)).toBe((4 << 16) | 23);
    // The entry now holds the rest of the write; nothing after it has run.
    expect([g.mem.u32(list + 32 + 12), g.mem.u32(list + 32 + 16)]).toEqual([904, text + 4096]);
    expect(result(g, list, 2)).toBe(0xaaaaaaaa | 0);
    expect(out.length).toBe(4096);
    regs[R.EIP] = 0x3002;
    expect(g.call(HC.multicall, [regs[R.EBX], regs[R.ECX]])).toBe(0);
    expect(out.length).toBe(5000);
    expect(out.endsWith('y')).toBe(true);
    expect([result(g, list, 1), result(g, list, 2)]).toEqual([0, 4096]);

    // More entries than one batch: the rest is a continuation.
    const n = MULTICALL_BATCH + 2, big = g.scratch(5);
    entries(g, big, Array.from({ length: n }, () => [HC.xen_version, [0, 0]] as [number, number[]]));
    regs[R.EIP] = 0x3002;
    expect(g.call(HC.multicall, [big, n])).toBe(HC.multicall);
    expect([regs[R.EBX], regs[R.ECX]]).toEqual([big + MULTICALL_BATCH * 32, 2]);
    expect(result(g, big, MULTICALL_BATCH)).toBe(0xaaaaaaaa | 0);
  });
});
