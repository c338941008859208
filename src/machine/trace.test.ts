// The trace ring as booted PV test kernels fill it: what each kind of record
// says, in what order, and that it agrees with what the guest was told.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, EVTCHNOP, HC, SHUTDOWN } from '../abi/xen';
import { MMUEXT } from '../abi/ops';
import {
  DS_CREATED, DS_DESTROYED, DS_PAUSED, DS_SHUTDOWN, DS_UNPAUSED, TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE,
  TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP, TK_GNT_UNMAP, TK_HYPERCALL,
  TK_MULTICALL_ENTRY, TK_PIN, TK_UNPIN, type TraceRecord,
} from '../shared/trace';
import { ECS_INTERDOMAIN, ECS_UNBOUND } from '../hv/evtchn/ports';
import { runTraced, tracedBoot } from './traceboot.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');

/** Build guests/tests/NAME.c (make -C guests) and return the image. */
function testKernel(name: string): Uint8Array {
  const res = spawnSync('make', ['-s', '-C', GUESTS, `build/tests/${name}.elf`], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building guests/tests/${name}.elf failed:\n${res.stdout}${res.stderr}`);
  return readFileSync(join(GUESTS, 'build/tests', `${name}.elf`));
}

const kernels = new Map<string, Uint8Array>();
beforeAll(() => {
  for (const k of ['events', 'mmu', 'traps', 'gnttab', 'misc', 'xenstore']) kernels.set(k, testKernel(k));
});

/** Boot a test kernel to its poweroff and return every record it caused. */
function trace(name: string): TraceRecord[] {
  const t = tracedBoot(name, kernels.get(name)!);
  const recs = runTraced(t);
  expect(t.reason, t.console.slice(-500)).toBe(SHUTDOWN.poweroff);
  expect(t.console).not.toMatch(/FAILED/);
  return recs;
}

const isHc = (r: TraceRecord, nr: number) => r.kind === TK_HYPERCALL && r.code === nr;

describe('trace records of a booted guest', () => {
  it('are numbered in order, with instruction count and time never going back', () => {
    const recs = trace('events');
    expect(recs.length).toBeGreaterThan(1000);
    recs.forEach((r, i) => expect(r.seq).toBe(i));
    for (let i = 1; i < recs.length; i++) {
      expect(recs[i].icount).toBeGreaterThanOrEqual(recs[i - 1].icount);
      expect(recs[i].timeNs).toBeGreaterThanOrEqual(recs[i - 1].timeNs);
    }
    // The lifecycle as the toolstack drives it: created (1 vcpu), unpaused, then the poweroff.
    const life = recs.filter((r) => r.kind === TK_DOMAIN && r.domid === 1);
    expect(life.map((r) => [r.code, r.args[0]])).toEqual([[DS_CREATED, 1], [DS_UNPAUSED, 0], [DS_SHUTDOWN, SHUTDOWN.poweroff]]);
    // The shutdown happens inside SCHEDOP_shutdown, whose record follows when it returns.
    expect(recs.at(-2)).toMatchObject({ kind: TK_DOMAIN, code: DS_SHUTDOWN });
    expect(isHc(recs.at(-1)!, HC.sched_op)).toBe(true);
  });

  it('show a send, the notification it causes, the hypercall returning, then the upcall', () => {
    const recs = trace('events');
    // "bind_ipi and send to ourselves": events enabled, so the send ends in an upcall.
    const sends = recs.map((r, i) => [r, i] as const).filter(([r]) => r.kind === TK_EVT_SEND && r.domid === 1 && r.args[0] === 1);
    expect(sends.length).toBeGreaterThanOrEqual(3);
    let immediate = 0;
    for (const [send, i] of sends) {
      const pending = recs[i + 1];
      expect(pending).toMatchObject({ kind: TK_EVT_PENDING, domid: 1, code: send.args[1] });
      const hc = recs[i + 2];
      expect(isHc(hc, HC.event_channel_op)).toBe(true);
      expect(hc.args[0]).toBe(EVTCHNOP.send);
      expect(hc.result).toBe(0);
      expect(hc.vcpu).toBe(send.vcpu);
      if (pending.args[1] !== 1) continue;
      // The vcpu was kicked: the upcall follows at once if events are enabled, else once
      // the guest enables them.
      const upcall = recs.slice(i + 3).find((r) => r.kind === TK_EVT_UPCALL)!;
      expect(upcall).toMatchObject({ domid: 1, vcpu: pending.vcpu });
      expect(upcall.args[0]).not.toBe(0);
      if (upcall === recs[i + 3]) immediate++;
    }
    // "bind_ipi and send to ourselves" runs with events enabled.
    expect(immediate).toBeGreaterThanOrEqual(1);
    // A send on an unbound port goes nowhere.
    expect(recs.some((r) => r.kind === TK_EVT_SEND && r.args[0] === 0xffffffff && r.args[1] === 0xffffffff)).toBe(true);
  });

  it('show binds with their state and remote end, closes, and failing hypercalls with their errno', () => {
    const recs = trace('events');
    // "alloc_unbound takes the lowest free port (3)", then bind_interdomain to it.
    const unbound = recs.find((r) => r.kind === TK_EVT_BIND && r.domid === 1 && r.code === 3)!;
    expect(unbound.args.slice(0, 3)).toEqual([ECS_UNBOUND, 1, 0xffffffff]);
    const inter = recs.find((r) => r.kind === TK_EVT_BIND && r.domid === 1 && r.args[0] === ECS_INTERDOMAIN)!;
    expect(inter.args.slice(1, 3)).toEqual([1, 3]);
    expect(recs.filter((r) => r.kind === TK_EVT_CLOSE && r.domid === 1).length).toBeGreaterThan(1000);
    // "close of port 0: -EINVAL" and "event_channel_op command 99: -ENOSYS".
    const evOps = recs.filter((r) => isHc(r, HC.event_channel_op));
    expect(evOps.some((r) => r.args[0] === EVTCHNOP.close && r.result === -E.EINVAL)).toBe(true);
    expect(evOps.some((r) => r.args[0] === 99 && r.result === -E.ENOSYS)).toBe(true);
  });

  it('show pins and unpins of page tables with their level', () => {
    const recs = trace('mmu');
    const pins = recs.filter((r) => r.kind === TK_PIN);
    const unpins = recs.filter((r) => r.kind === TK_UNPIN);
    expect(pins.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pins.map((r) => r.args[0]))).toEqual(new Set([1, 2, 3]));
    for (const p of pins) {
      expect(p.domid).toBe(1);
      // Unpinned later at the same level; the mmuext_op that pinned it succeeded.
      expect(unpins.some((u) => u.code === p.code && u.args[0] === p.args[0] && u.seq > p.seq)).toBe(true);
      const hc = recs.slice(recs.indexOf(p)).find((r) => r.kind === TK_HYPERCALL)!;
      expect(hc.code).toBe(HC.mmuext_op);
      expect(hc.result).toBe(0);
      // Named by its first op, MMUEXT_PIN_Ln_TABLE = n - 1.
      expect(hc.subop).toBe(MMUEXT.PIN_L1_TABLE + p.args[0] - 1);
    }
    // "the cleared alias faults: #PF error 0, CR2".
    expect(recs.some((r) => r.kind === TK_FAULT && r.code === 14 && r.args[0] === 0 && r.args[1] !== 0)).toBe(true);
  });

  it('show faults and software interrupts bounced to the guest, and iret without a result', () => {
    const recs = trace('traps');
    const faults = recs.filter((r) => r.kind === TK_FAULT);
    // #DE pushes no error code; #PF has its CR2; INT3 is a software interrupt.
    expect(faults.find((r) => r.code === 0)!.args[0]).toBe(0xffffffff);
    expect(faults.find((r) => r.code === 14)!.args[1]).not.toBe(0);
    expect(faults.find((r) => r.code === 3)!.args[3]).toBe(1);
    expect(faults.find((r) => r.code === 6)!.args[3]).toBe(0);
    const irets = recs.filter((r) => isHc(r, HC.iret));
    expect(irets.length).toBeGreaterThanOrEqual(faults.length - 1);
    expect(irets.every((r) => r.noResult)).toBe(true);
    // Each fault's handler ends in an iret before the next fault.
    for (const f of faults.slice(0, -1)) {
      const next = recs.slice(recs.indexOf(f) + 1).find((r) => r.kind === TK_FAULT || isHc(r, HC.iret))!;
      expect(isHc(next, HC.iret)).toBe(true);
    }
  });

  it('show a grant mapped and unmapped with its granter, handle and frame', () => {
    const recs = trace('gnttab');
    const map = recs.find((r) => r.kind === TK_GNT_MAP)!;
    const unmap = recs.find((r) => r.kind === TK_GNT_UNMAP)!;
    expect(map.domid).toBe(1);
    expect(map.args[0]).toBe(1);
    expect(unmap.seq).toBeGreaterThan(map.seq);
    expect([unmap.code, ...unmap.args.slice(0, 3)]).toEqual([map.code, ...map.args.slice(0, 3)]);
    expect(map.args[2]).toBeGreaterThan(0);
    const hc = recs.slice(recs.indexOf(map)).find((r) => r.kind === TK_HYPERCALL)!;
    expect(hc.code).toBe(HC.grant_table_op);
  });

  it('show each multicall entry with its result before the multicall itself', () => {
    const recs = trace('misc');
    const calls = recs.filter((r) => isHc(r, HC.multicall));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    let entries = 0;
    for (const mc of calls) {
      const i = recs.indexOf(mc);
      for (let k = i - 1; k >= 0 && recs[k].kind === TK_MULTICALL_ENTRY; k--) entries++;
    }
    expect(entries).toBe(recs.filter((r) => r.kind === TK_MULTICALL_ENTRY).length);
    // "multicall nested in a multicall: -EINVAL in its entry".
    expect(recs.some((r) => r.kind === TK_MULTICALL_ENTRY && r.code === HC.multicall && r.result === -E.EINVAL)).toBe(true);
  });

  it("count domain 0's own event sends, with no vcpu", () => {
    const recs = trace('xenstore');
    const dom0 = recs.filter((r) => r.kind === TK_EVT_SEND && r.domid === 0);
    expect(dom0.length).toBeGreaterThan(10);
    expect(dom0.every((r) => r.vcpu === -1 && r.args[0] === 1)).toBe(true);
  });

  it('show pause, unpause and destruction', () => {
    const t = tracedBoot('events', kernels.get('events')!);
    t.m.run(10_000);
    t.m.hv.pause(t.m.domain(1)!);
    t.m.hv.unpause(t.m.domain(1)!);
    t.m.toolstack.destroy(1);
    const life = t.reader.read().filter((r) => r.kind === TK_DOMAIN && r.domid === 1).map((r) => r.code);
    // The toolstack pauses a domain before it destroys it.
    expect(life).toEqual([DS_CREATED, DS_UNPAUSED, DS_PAUSED, DS_UNPAUSED, DS_PAUSED, DS_DESTROYED]);
  });
});
