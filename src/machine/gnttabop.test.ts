// grant_table_op through the real dispatcher on domains built from the hello test
// kernel (hcrig.testutil.ts): a grant mapped from one domain into another, where
// both see each other's writes; the count rules, -EFAULT and write-back rules of the
// compat layer; and the continuation of a long batch.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMID_SELF, E, GNTMAP, GNTST, GNTTABOP, GTF, HC } from '../abi/xen';
import { R } from '../shared/layout';
import { GNTTAB_BATCH } from '../hv/hypercalls/gnttab';
import { hypercallRig, struct, type Guest } from './hcrig.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
// The test kernels need a gcc that emits 32-bit code (.ci/run installs gcc-multilib): fail, never skip.
const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`cannot build the 32-bit test kernels:\n${cc.stderr}`);
const enc = new TextEncoder(), dec = new TextDecoder();

describe('grant_table_op', () => {
  let kernel: Uint8Array;
  beforeAll(() => {
    execFileSync('make', ['-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
    kernel = readFileSync(join(GUESTS, 'build/tests/hello.elf'));
  });

  const gnttab = (g: Guest, cmd: number, arg: Uint8Array, count = 1, at = g.scratch(0)): [number | null, DataView] => {
    g.mem.write(at, arg);
    const rc = g.call(HC.grant_table_op, [cmd, at, count]);
    return [rc, new DataView(g.mem.read(at, arg.length)!.buffer)];
  };

  /** setup_table for one frame: the MFN of the caller's first grant frame. */
  const tableFrame = (g: Guest): number => {
    const list = g.scratch(1);
    const [rc, out] = gnttab(g, GNTTABOP.setup_table, struct(16, [[0, 'u16', DOMID_SELF], [4, 'u32', 1], [12, 'u32', list]]));
    expect([rc, out.getInt16(8, true)]).toEqual([0, GNTST.okay]);
    return g.mem.u32(list);
  };

  it('a grant mapped into another domain: both see each other\'s writes', () => {
    const r = hypercallRig(kernel);
    const a = r.guest(), b = r.guest();
    const A = a.built.dom.id, B = b.built.dom.id, ram = r.m.mem;
    const frame = tableFrame(a);
    expect(frame).toBe(r.m.hv.gnttab.frames(A)[0]);
    // A grants its scratch page 2 to B as entry 8 (frame first, then flags, as a guest must).
    const ref = 8, entry = frame * 4096 + ref * 8, granted = a.scratchMfn(2);
    ram.i32[(entry + 4) >>> 2] = granted;
    ram.i32[entry >>> 2] = (B << 16) | GTF.permit_access;

    const hostVa = b.scratch(3);
    let [rc, out] = gnttab(b, GNTTABOP.map_grant_ref,
      struct(32, [[0, 'u32', hostVa], [8, 'u32', GNTMAP.host_map], [12, 'u32', ref], [16, 'u16', A]]));
    expect([rc, out.getInt16(18, true)]).toEqual([0, GNTST.okay]);
    const handle = out.getUint32(20, true);
    expect(out.getUint32(24, true)).toBe(granted * 4096);
    expect(ram.u8[entry]! & (GTF.reading | GTF.writing)).toBe(GTF.reading | GTF.writing);
    b.built.dom.vcpus[0]!.cpu.tlbFlush(true); // the guest's INVLPG after mapping over a present entry

    expect(b.mem.write(hostVa + 100, enc.encode('from B'))).toBe(true);
    expect(dec.decode(a.mem.read(a.scratch(2) + 100, 6)!)).toBe('from B');
    expect(a.mem.write(a.scratch(2) + 200, enc.encode('from A'))).toBe(true);
    expect(dec.decode(b.mem.read(hostVa + 200, 6)!)).toBe('from A');

    [rc, out] = gnttab(b, GNTTABOP.unmap_grant_ref, struct(24, [[0, 'u32', hostVa], [16, 'u32', handle], [20, 'u16', 0x7777]]));
    expect([rc, out.getInt16(20, true)]).toEqual([0, GNTST.okay]);
    expect(ram.u8[entry]! & (GTF.reading | GTF.writing)).toBe(0);
    expect(b.mem.read(hostVa, 4)).toBeNull();
    [rc, out] = gnttab(b, GNTTABOP.unmap_grant_ref, struct(24, [[0, 'u32', hostVa], [16, 'u32', handle]]));
    expect(out.getInt16(20, true)).toBe(GNTST.bad_handle);
    expect(r.m.hv.mm.audit(r.m.hv.gnttab.heldReferences())).toEqual([]);
  });

  it('a failed map writes back only its status', () => {
    const r = hypercallRig(kernel);
    const a = r.guest(), b = r.guest();
    const [rc, out] = gnttab(b, GNTTABOP.map_grant_ref, struct(32, [[0, 'u32', b.scratch(3)], [8, 'u32', GNTMAP.host_map],
      [12, 'u32', 100000], [16, 'u16', a.built.dom.id], [20, 'u32', 0xdead], [24, 'u32', 0xbeef]]));
    expect([rc, out.getInt16(18, true), out.getUint32(20, true), out.getUint32(24, true)]).toEqual([0, GNTST.bad_gntref, 0xdead, 0xbeef]);
  });

  it('count rules, versions and refusals', () => {
    const r = hypercallRig(kernel);
    const a = r.guest();
    const setup = struct(16, [[0, 'u16', DOMID_SELF], [4, 'u32', 1], [8, 'u16', 0x5555], [12, 'u32', a.scratch(1)]]);
    let [rc, out] = gnttab(a, GNTTABOP.setup_table, setup, 0);
    expect([rc, out.getUint16(8, true)]).toEqual([0, 0x5555]); // count 0: nothing done
    expect(gnttab(a, GNTTABOP.setup_table, setup, 2)[0]).toBe(-E.EINVAL);
    expect(gnttab(a, GNTTABOP.query_size, struct(16, [[0, 'u16', DOMID_SELF]]), 2)[0]).toBe(-E.EINVAL);
    [rc, out] = gnttab(a, GNTTABOP.query_size, struct(16, [[0, 'u16', DOMID_SELF]]));
    expect([rc, out.getUint32(4, true), out.getUint32(8, true), out.getInt16(12, true)]).toEqual([0, 1, 64, GNTST.okay]);
    // Domain 0 exists: another domain's table is refused, not unknown.
    [rc, out] = gnttab(a, GNTTABOP.setup_table, struct(16, [[0, 'u16', 0], [4, 'u32', 1], [12, 'u32', a.scratch(1)]]));
    expect([rc, out.getInt16(8, true)]).toEqual([0, GNTST.permission_denied]);
    [rc, out] = gnttab(a, GNTTABOP.query_size, struct(16, [[0, 'u16', 999]]));
    expect(out.getInt16(12, true)).toBe(GNTST.bad_domain);
    // A frame list that cannot be written: the status says so.
    [rc, out] = gnttab(a, GNTTABOP.setup_table, struct(16, [[0, 'u16', DOMID_SELF], [4, 'u32', 1], [12, 'u32', 0x1000]]));
    expect([rc, out.getInt16(8, true)]).toEqual([0, GNTST.bad_virt_addr]);
    // A frame list reaching into the hypervisor hole: -EFAULT before anything happens.
    expect(gnttab(a, GNTTABOP.setup_table, struct(16, [[0, 'u16', DOMID_SELF], [4, 'u32', 4], [12, 'u32', 0xf57ffffc]]))[0]).toBe(-E.EFAULT);

    [rc, out] = gnttab(a, GNTTABOP.set_version, struct(4, [[0, 'u32', 2]]));
    expect([rc, out.getUint32(0, true)]).toEqual([-E.ENOSYS, 1]);
    expect(gnttab(a, GNTTABOP.set_version, struct(4, [[0, 'u32', 1]]))[0]).toBe(0);
    [rc, out] = gnttab(a, GNTTABOP.get_version, struct(8, [[0, 'u16', DOMID_SELF]]));
    expect([rc, out.getUint32(4, true)]).toEqual([0, 1]);
    expect(gnttab(a, GNTTABOP.get_version, struct(8, [[0, 'u16', 0]]))[0]).toBe(-E.EPERM);

    expect(a.call(HC.grant_table_op, [GNTTABOP.map_grant_ref, a.scratch(0), -1])).toBe(-E.EINVAL);
    expect(a.call(HC.grant_table_op, [GNTTABOP.copy | (1 << 12), a.scratch(0), 1])).toBe(-E.EINVAL);
    expect(a.call(HC.grant_table_op, [GNTTABOP.map_grant_ref, 0x1000, 1])).toBe(-E.EFAULT);
    expect(a.call(HC.grant_table_op, [GNTTABOP.transfer, a.scratch(0), 1])).toBe(-E.ENOSYS);
    expect(a.call(HC.grant_table_op, [99, a.scratch(0), 1])).toBe(-E.ENOSYS);
  });

  it('copy between frames, and a long batch continues itself', () => {
    const r = hypercallRig(kernel);
    const a = r.guest();
    a.mem.write(a.scratch(4), enc.encode('payload'));
    // One copy by frame (DOMID_SELF both sides), then zero-length copies.
    const n = GNTTAB_BATCH + 6, list = a.scratch(5);
    const ops = new Uint8Array(n * 24);
    ops.set(struct(24, [[0, 'u32', a.scratchMfn(4)], [4, 'u16', DOMID_SELF], [8, 'u32', a.scratchMfn(6)],
      [12, 'u16', DOMID_SELF], [14, 'u16', 16], [16, 'u16', 7]]), 0);
    for (let i = 1; i < n; i++) ops.set(struct(24, [[4, 'u16', DOMID_SELF], [12, 'u16', DOMID_SELF], [20, 'u16', 0x7f7f]]), i * 24);
    a.mem.write(list, ops);
    const v = a.built.dom.vcpus[0]!, regs = v.cpu.r;
    regs[R.EIP] = 0x1002;
    regs[R.EAX] = HC.grant_table_op;
    const rc = a.call(HC.grant_table_op, [GNTTABOP.copy, list, n]);
    expect(rc).toBe(HC.grant_table_op);
    expect([regs[R.EIP], regs[R.EBX], regs[R.ECX], regs[R.EDX]]).toEqual([0x1000, GNTTABOP.copy, list + GNTTAB_BATCH * 24, 6]);
    expect(dec.decode(a.mem.read(a.scratch(6) + 16, 7)!)).toBe('payload');
    const status = (i: number) => new DataView(a.mem.read(list + i * 24, 24)!.buffer).getInt16(20, true);
    expect(status(0)).toBe(GNTST.okay);
    expect(status(GNTTAB_BATCH - 1)).toBe(GNTST.okay);
    expect(status(GNTTAB_BATCH)).toBe(0x7f7f); // not reached yet
    expect(a.call(HC.grant_table_op, [GNTTABOP.copy, list + GNTTAB_BATCH * 24, 6])).toBe(0);
    expect(status(n - 1)).toBe(GNTST.okay);
  });
});
