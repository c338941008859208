// event_channel_op through the real dispatcher on domains built from the hello test
// kernel (hcrig.testutil.ts): two domains connected by an interdomain channel see each
// other's notifications in their shared_info, a guest's console notification reaches
// domain 0's own endpoint, and the adapter's copy-in/copy-out errors are Xen's.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMID_SELF, E, EVTCHNOP, EVTCHNSTAT, HC } from '../abi/xen';
import { hypercallRig, struct, type Guest } from './hcrig.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
// The test kernels need a gcc that emits 32-bit code (.ci/run installs gcc-multilib): fail, never skip.
const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`cannot build the 32-bit test kernels:\n${cc.stderr}`);

describe('event_channel_op', () => {
  let kernel: Uint8Array;
  beforeAll(() => {
    execFileSync('make', ['-C', GUESTS, 'build/tests/hello.elf'], { stdio: 'pipe' });
    kernel = readFileSync(join(GUESTS, 'build/tests/hello.elf'));
  });

  /** Run EVTCHNOP `cmd` from `g` with `arg` copied to its scratch page 0; the result and the struct after. */
  const op = (g: Guest, cmd: number, arg: Uint8Array): [number | null, DataView] => {
    const at = g.scratch(0);
    g.mem.write(at, arg);
    const rc = g.call(HC.event_channel_op, [cmd, at]);
    return [rc, new DataView(g.mem.read(at, arg.length)!.buffer)];
  };

  it('two domains exchange events over an interdomain channel', () => {
    const r = hypercallRig(kernel);
    const a = r.guest(), b = r.guest();
    const A = a.built.dom.id, B = b.built.dom.id;
    const shA = r.m.hv.sharedInfo.get(A)!, shB = r.m.hv.sharedInfo.get(B)!;

    // A offers a port to B; ports 1 and 2 are the builder's (xenstore, console).
    let [rc, out] = op(a, EVTCHNOP.alloc_unbound, struct(8, [[0, 'u16', DOMID_SELF], [2, 'u16', B]]));
    expect(rc).toBe(0);
    const pa = out.getUint32(4, true);
    expect(pa).toBe(3);
    [rc, out] = op(a, EVTCHNOP.status, struct(24, [[0, 'u16', DOMID_SELF], [4, 'u32', pa]]));
    expect([rc, out.getUint32(8, true), out.getUint16(16, true)]).toEqual([0, EVTCHNSTAT.unbound, B]);

    // B binds to it; Xen raises the new local port at once.
    [rc, out] = op(b, EVTCHNOP.bind_interdomain, struct(12, [[0, 'u16', A], [4, 'u32', pa]]));
    expect(rc).toBe(0);
    const pb = out.getUint32(8, true);
    expect(shB.isPending(pb)).toBe(true);
    shB.clearPending(pb);
    [rc, out] = op(a, EVTCHNOP.status, struct(24, [[0, 'u16', DOMID_SELF], [4, 'u32', pa]]));
    expect([out.getUint32(8, true), out.getUint16(16, true), out.getUint32(20, true)]).toEqual([EVTCHNSTAT.interdomain, B, pb]);

    // A -> B and B -> A.
    expect(op(a, EVTCHNOP.send, struct(4, [[0, 'u32', pa]]))[0]).toBe(0);
    expect(shB.isPending(pb)).toBe(true);
    expect(shB.selector(0) & (1 << (pb >>> 5))).not.toBe(0);
    expect(shB.upcallPending(0)).toBe(true);
    expect(shA.isPending(pa)).toBe(false);
    expect(op(b, EVTCHNOP.send, struct(4, [[0, 'u32', pb]]))[0]).toBe(0);
    expect(shA.isPending(pa)).toBe(true);
    expect(shA.upcallPending(0)).toBe(true);

    // B closes its end: A's port is unbound again, still offered to B.
    expect(op(b, EVTCHNOP.close, struct(4, [[0, 'u32', pb]]))[0]).toBe(0);
    [rc, out] = op(a, EVTCHNOP.status, struct(24, [[0, 'u16', DOMID_SELF], [4, 'u32', pa]]));
    expect([out.getUint32(8, true), out.getUint16(16, true)]).toEqual([EVTCHNSTAT.unbound, B]);
    expect(op(b, EVTCHNOP.send, struct(4, [[0, 'u32', pb]]))[0]).toBe(-E.EINVAL);
  });

  it('a notification on the console port reaches domain 0', () => {
    const r = hypercallRig(kernel);
    const a = r.guest();
    const dom = a.built.dom;
    const dom0End = () => r.m.hv.evtchn.ports(0).find((p) => p.remoteDom === dom.id && p.remotePort === dom.consolePort)!;
    expect(dom0End()).toBeDefined();
    const before = dom0End().raised;
    expect(op(a, EVTCHNOP.send, struct(4, [[0, 'u32', dom.consolePort]]))[0]).toBe(0);
    expect(dom0End().pending).toBe(true);
    expect(dom0End().raised).toBe(before + 1);
  });

  it('bind_ipi and bind_virq copy the port out; bad arguments give Xen errnos', () => {
    const r = hypercallRig(kernel);
    const a = r.guest({ vcpus: 2 });
    let [rc, out] = op(a, EVTCHNOP.bind_ipi, struct(8, [[0, 'u32', 1]]));
    expect(rc).toBe(0);
    const ipi = out.getUint32(4, true);
    [rc, out] = op(a, EVTCHNOP.status, struct(24, [[0, 'u16', DOMID_SELF], [4, 'u32', ipi]]));
    expect([out.getUint32(8, true), out.getUint32(12, true)]).toEqual([EVTCHNSTAT.ipi, 1]);
    [rc, out] = op(a, EVTCHNOP.bind_virq, struct(12, [[0, 'u32', 0], [4, 'u32', 1]]));
    expect(rc).toBe(0);
    expect(out.getUint32(8, true)).toBe(ipi + 1);
    expect(op(a, EVTCHNOP.bind_virq, struct(12, [[0, 'u32', 24]]))[0]).toBe(-E.EINVAL);
    // A failed bind leaves the output field as the guest wrote it.
    [rc, out] = op(a, EVTCHNOP.bind_ipi, struct(8, [[0, 'u32', 5], [4, 'u32', 0xabcd]]));
    expect([rc, out.getUint32(4, true)]).toEqual([-E.ENOENT, 0xabcd]);
    expect(op(a, EVTCHNOP.close, struct(4, [[0, 'u32', 0]]))[0]).toBe(-E.EINVAL);
    expect(op(a, 99, struct(4, []))[0]).toBe(-E.ENOSYS);
    expect(a.call(HC.event_channel_op, [EVTCHNOP.send, 0x1000])).toBe(-E.EFAULT);
    // A struct that reaches into the hypervisor hole.
    expect(a.call(HC.event_channel_op, [EVTCHNOP.status, 0xf57ffff0 | 0])).toBe(-E.EFAULT);
    expect(op(a, EVTCHNOP.init_control, struct(24, []))[0]).toBe(-E.EOPNOTSUPP);
  });

  it('event_channel_op_compat forwards commands 0-9 with the union as argument', () => {
    const r = hypercallRig(kernel);
    const a = r.guest();
    const at = a.scratch(1);
    a.mem.write(at, struct(28, [[0, 'u32', EVTCHNOP.alloc_unbound], [4, 'u16', DOMID_SELF], [6, 'u16', 0]]));
    expect(a.call(HC.event_channel_op_compat, [at])).toBe(0);
    expect(a.mem.u32(at + 8)).toBe(3);
    a.mem.write(at, struct(28, [[0, 'u32', EVTCHNOP.reset], [4, 'u16', DOMID_SELF]]));
    expect(a.call(HC.event_channel_op_compat, [at])).toBe(-E.ENOSYS);
    // The whole 28-byte evtchn_op must be readable.
    expect(a.call(HC.event_channel_op_compat, [0xf57ffff0 | 0])).toBe(-E.EFAULT);
  });
});
