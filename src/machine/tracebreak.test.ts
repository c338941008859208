// Breakpoints on trace records: a run stops at the instruction boundary right
// after the matching record, the next run carries on from there, and stopping
// changes nothing the guest sees (DESIGN.md principle 2).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HC, SHUTDOWN } from '../abi/xen';
import { R } from '../shared/layout';
import { TK_EVT_SEND, TK_EVT_UPCALL, TK_HYPERCALL, type TraceRecord } from '../shared/trace';
import { machineHash } from './hash';
import { runTraced, tracedBoot, type TracedBoot } from './traceboot.testutil';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');

/** Build guests/tests/NAME.c (make -C guests) and return the image. */
function testKernel(name: string): Uint8Array {
  const res = spawnSync('make', ['-s', '-C', GUESTS, `build/tests/${name}.elf`], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building guests/tests/${name}.elf failed:\n${res.stdout}${res.stderr}`);
  return readFileSync(join(GUESTS, 'build/tests', `${name}.elf`));
}

let events: Uint8Array, xenstore: Uint8Array, smp: Uint8Array;
beforeAll(() => {
  events = testKernel('events');
  xenstore = testKernel('xenstore');
  smp = testKernel('smp');
});

/** Run until `t.m.executed` reaches `target` (or the guest stops); counts the breaks. */
function runTo(t: TracedBoot, target: number): number {
  let breaks = 0;
  while (t.m.executed < target && t.reason === null) {
    const o = t.m.run(target - t.m.executed);
    if (o === 'break') breaks++;
    else if (o !== 'budget') break;
  }
  return breaks;
}

function vcpu0(t: TracedBoot) {
  return t.m.domain(1)!.vcpus[0].cpu.r;
}

describe('breakpoints', () => {
  // A guest using the xenstore ring (dom0 serves it at service points), one taking upcalls
  // and one with two vcpus, both in short slices: breaking must shift neither service
  // points nor slice ends (where time info is refreshed and vcpus switch).
  for (const [name, slice] of [['xenstore', 1_000_000], ['events', 3_000], ['smp', 3_000]] as const) {
    it(`broken at every record, ${name} ends in the same state as an unbroken run`, () => {
      const kernel = name === 'xenstore' ? xenstore : name === 'events' ? events : smp;
      const vcpus = name === 'smp' ? 2 : 1;
      const plain = tracedBoot(name, kernel, vcpus);
      const broken = tracedBoot(name, kernel, vcpus);
      plain.m.hv.sliceInstructions = broken.m.hv.sliceInstructions = slice;
      broken.m.hv.breakpoint = () => true;
      let breaks = 0;
      for (const target of [30_000, 70_000, 110_000]) {
        runTo(plain, target);
        breaks += runTo(broken, target);
        expect(broken.m.executed).toBe(plain.m.executed);
        expect(machineHash(broken.m)).toBe(machineHash(plain.m));
      }
      runTo(plain, 50_000_000);
      breaks += runTo(broken, 50_000_000);
      // Every hypercall exit and every upcall is a stop of its own (a multicall's entries
      // stop with the multicall).
      const recs = broken.reader.read();
      expect(broken.reader.lost).toBe(0);
      expect(breaks).toBeGreaterThanOrEqual(recs.filter((r) => r.kind === TK_HYPERCALL || r.kind === TK_EVT_UPCALL).length);
      expect(plain.reason).toBe(SHUTDOWN.poweroff);
      expect(broken.reason).toBe(SHUTDOWN.poweroff);
      expect(broken.console).toBe(plain.console);
      expect(machineHash(broken.m)).toBe(machineHash(plain.m));
    });
  }

  it('stops right after the matching hypercall completes, before the next instruction', () => {
    const t = tracedBoot('events', events);
    t.m.hv.breakpoint = (kind, domid, code) => kind === TK_HYPERCALL && domid === 1 && code === HC.event_channel_op;
    let hits = 0;
    while (hits < 20) {
      const before = t.reader.head();
      expect(t.m.run(10_000_000)).toBe('break');
      const recs = t.reader.read();
      const hit = recs.find((r) => r.seq === t.m.hv.breakSeq)!;
      expect(hit.seq).toBeGreaterThanOrEqual(before);
      expect(hit.code).toBe(HC.event_channel_op);
      // Nothing ran after it: the instruction count is the record's and EAX holds its result.
      expect(t.m.executed).toBe(hit.icount);
      expect(vcpu0(t)[R.EAX]).toBe(hit.result);
      // Records after it can only be ones the same exit wrote (none for event_channel_op).
      expect(recs.at(-1)).toBe(hit);
      hits++;
    }
  });

  it('stops once an upcall frame is built, before the callback runs', () => {
    const t = tracedBoot('events', events);
    t.m.hv.breakpoint = (kind) => kind === TK_EVT_UPCALL;
    let hits = 0;
    for (;;) {
      const o = t.m.run(10_000_000);
      if (o !== 'break') break;
      const hit = t.reader.read().find((r) => r.seq === t.m.hv.breakSeq)!;
      expect(hit.kind).toBe(TK_EVT_UPCALL);
      expect(vcpu0(t)[R.EIP] >>> 0).toBe(hit.args[0]);
      expect(t.m.executed).toBe(hit.icount);
      hits++;
    }
    expect(hits).toBeGreaterThanOrEqual(3);
    expect(t.reason).toBe(SHUTDOWN.poweroff);
  });

  it("stops after a dom0 service whose event send matches", () => {
    const t = tracedBoot('xenstore', xenstore);
    t.m.hv.breakpoint = (kind, domid) => kind === TK_EVT_SEND && domid === 0;
    let hits = 0;
    const seen: TraceRecord[] = [];
    while (t.reason === null) {
      const o = t.m.run(10_000_000);
      seen.push(...t.reader.read());
      if (o !== 'break') break;
      const hit = seen.find((r) => r.seq === t.m.hv.breakSeq)!;
      expect(hit).toMatchObject({ kind: TK_EVT_SEND, domid: 0, vcpu: -1 });
      hits++;
    }
    expect(hits).toBe(seen.filter((r) => r.kind === TK_EVT_SEND && r.domid === 0).length);
    expect(hits).toBeGreaterThan(10);
    expect(t.console).not.toMatch(/FAILED/);
  });

  it('ignores records written between runs, and never breaks without a match', () => {
    const t = tracedBoot('events', events);
    t.m.run(30_000);
    t.m.hv.breakpoint = (kind, domid) => kind === TK_EVT_SEND && domid === 0;
    // Domain 0 sends on an unbound port of its own outside any run: the record is
    // written (and matches), but the next run does not stop for it.
    const port = t.m.hv.evtchn.allocUnbound(0, 0, 0);
    expect(t.m.hv.evtchn.send(0, port)).toBe(0);
    const seq = t.m.hv.breakSeq;
    expect(t.reader.read().find((r) => r.seq === seq)).toMatchObject({ kind: TK_EVT_SEND, domid: 0, code: port });
    t.m.hv.breakpoint = () => false;
    const recs = runTraced(t);
    expect(recs.length).toBeGreaterThan(100);
    expect(t.reason).toBe(SHUTDOWN.poweroff);
  });
});
