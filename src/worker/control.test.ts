// The worker's v3 control surface on the real machine and the demo guest: what
// ready and the domain and stats messages carry, pause, exact instruction steps,
// run, speed and reset.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { Machine } from '../machine/machine';
import { R, memoryLayout } from '../shared/layout';
import { TK_EVT_UPCALL, TK_HYPERCALL, TraceReader, type TraceRecord } from '../shared/trace';
import { HC } from '../abi/xen';
import { bootDemo, demoImage, testHost } from './host.testutil';

const v = PROTOCOL_VERSION;
const enc = new TextEncoder();

describe('worker: what the UI is told', () => {
  it('ready carries the layout of shared memory', () => {
    const t = testHost(16);
    t.host.receive({ v, type: 'hello' });
    expect(t.last('ready')?.layout).toEqual(memoryLayout(16 << 20, 8));
  });

  it('describes each domain fully, Domain-0 first', () => {
    const t = testHost();
    bootDemo(t, true);
    const doms = t.all('domain').map((m) => m.domain);
    expect(doms[0]).toMatchObject({ domid: 0, name: 'Domain-0', vcpus: [], sharedInfoMfn: 0 });
    const demo = doms.filter((d) => d.domid === 1).pop()!;
    expect(demo).toMatchObject({ name: 'demo', maxMemKiB: 8192, state: 'running' });
    expect(demo.memKiB).toBeGreaterThanOrEqual(8192);
    const m = t.host.machine!;
    const dom = m.hv.domains.get(1)!;
    expect(demo.sharedInfoMfn).toBe(dom.sharedInfoMfn);
    expect(demo.grantFrames).toEqual([...m.hv.gnttab.frames(1)]);
    expect(demo.grantFrames.length).toBeGreaterThan(0);
    expect(demo.vcpus).toEqual([{ id: 0, slot: dom.vcpus[0]!.cpu.id, state: expect.any(String), vcpuInfoAddr: dom.vcpus[0]!.vcpuInfoAddr }]);
  });

  it('sends per-domain counters and the speed with stats', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('hi\r') });
    t.drain(() => t.text('guest').includes('you typed: hi'));
    t.drain(() => false, 20);
    const stats = t.last('stats')!;
    expect(stats.speed).toBe(1);
    expect(stats.domains.map((d) => d.domid)).toEqual([0, 1]);
    const demo = stats.domains[1]!;
    expect(demo.xlState).toMatch(/^[r-][b-][p-][s-][-rscwS][d-]$/);
    expect(demo.hypercalls).toBeGreaterThan(0);
    expect(demo.upcalls).toBeGreaterThan(0);
    expect(demo.cpuTimeNs).toBeGreaterThan(0);
    const dom = t.host.machine!.hv.domains.get(1)!;
    expect(demo.upcalls).toBeLessThanOrEqual(dom.upcalls);
  });

  it('lists bound ports when they change: the guest side and dom0 side of console and xenstore', () => {
    const t = testHost();
    bootDemo(t, true);
    const guest = t.all('evtchn').filter((m) => m.domid === 1).pop()!;
    const dom = t.host.machine!.hv.domains.get(1)!;
    expect(guest.ports).toContainEqual({
      port: dom.consolePort, state: 'interdomain', notifyVcpu: 0, remoteDom: 0, remotePort: expect.any(Number), virq: -1,
    });
    const remote = guest.ports.find((p) => p.port === dom.consolePort)!.remotePort;
    const dom0 = t.all('evtchn').filter((m) => m.domid === 0).pop()!;
    expect(dom0.ports).toContainEqual(expect.objectContaining({ port: remote, state: 'interdomain', remoteDom: 1, remotePort: dom.consolePort }));
    // Unchanged bindings are not sent again.
    const count = t.all('evtchn').length;
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('again\r') });
    t.drain(() => t.text('guest').includes('you typed: again'));
    expect(t.all('evtchn').length).toBe(count);
  });
});

describe('worker: control', () => {
  it('pauses at an instruction boundary: nothing runs until run', () => {
    const t = testHost();
    bootDemo(t);
    t.drain(() => false, 3);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    const paused = t.last('machine')!;
    expect(paused).toMatchObject({ phase: 'paused', pause: { reason: 'user', domid: 1, vcpu: 0 } });
    const at = t.host.machine!.executed;
    expect(paused.pause!.instructions).toBe(at);
    t.drain(() => false, 100);
    expect(t.host.machine!.executed).toBe(at);
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    expect(t.last('machine')).toMatchObject({ phase: 'running' });
    t.drain(() => t.text('guest').includes('demo> '));
    expect(t.text('guest')).toContain('demo> ');
  });

  it('steps exactly N instructions, as Machine.run(N) would from the same start', () => {
    const t = testHost();
    bootDemo(t);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'instruction', count: 1 } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    // The demo guest reaches its prompt in a few thousand instructions: stay below.
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'instruction', count: 2_344 } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    const pause = t.last('machine')!.pause!;
    expect(pause).toMatchObject({ reason: 'step', instructions: 2_345, domid: 1, vcpu: 0 });

    // The same guest run 2345 instructions in one go, outside the worker.
    const ref = new Machine({ ramMiB: 32 });
    const cfg = { name: 'demo', kernel: new Uint8Array(demoImage()), memMiB: 8 };
    ref.createGuest(cfg);
    ref.hv.timeLimit = Infinity;
    ref.run(2_345);
    const mine = t.host.machine!.hv.domains.get(1)!.vcpus[0]!.cpu.r;
    const theirs = ref.hv.domains.get(1)!.vcpus[0]!.cpu.r;
    expect(ref.executed).toBe(2_345);
    expect([mine[R.EIP], mine[R.ESP], mine[R.EAX], mine[R.CR3]]).toEqual([theirs[R.EIP], theirs[R.ESP], theirs[R.EAX], theirs[R.CR3]]);
  });

  it('a step while every vcpu waits for input ends at once, where it was', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    const at = t.host.machine!.executed;
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'instruction', count: 1000 } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    expect(t.last('machine')!.pause).toMatchObject({ reason: 'step', instructions: at });
  });

  it('flat out (speed 0) lifts the time limit', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'speed', factor: 0 });
    t.drain(() => false, 5);
    expect(t.host.machine!.hv.timeLimit).toBe(Infinity);
    expect(t.last('stats')!.speed).toBe(0);
  });

  it('slow motion keeps virtual time behind the wall clock times the factor; speed goes out with stats', () => {
    const t = testHost();
    bootDemo(t);
    t.host.receive({ v, type: 'speed', factor: 0.01 });
    t.drain(() => false, 400);
    const s = t.last('stats')!;
    expect(s.speed).toBe(0.01);
    expect(s.wallMs).toBeGreaterThan(300);
    // Virtual time follows a hundredth of the wall clock (idle skips included), no more.
    expect(s.systemTimeNs).toBeLessThanOrEqual(s.wallMs * 1e6 * 0.01 + 100_000);
    expect(s.systemTimeNs).toBeGreaterThan(s.wallMs * 1e6 * 0.005);
    t.host.receive({ v, type: 'speed', factor: 1 });
    t.drain(() => false, 400);
    const s1 = t.last('stats')!;
    expect(s1.speed).toBe(1);
    expect(s1.systemTimeNs - s.systemTimeNs).toBeGreaterThan((s1.wallMs - s.wallMs) * 1e6 * 0.5);
  });

  it('reset boots the same image again from scratch', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('before\r') });
    t.drain(() => t.text('guest').includes('you typed: before'));
    const headBefore = new TraceReader(t.last('ready')!.memory.buffer, t.last('ready')!.layout.traceOffset).head();
    const mark = t.out.length;
    t.host.receive({ v, type: 'control', action: { kind: 'reset' } });
    const after = () => t.out.slice(mark).some((m) => m.type === 'console' && Buffer.from(m.data).toString().includes('demo> '));
    t.drain(after);
    expect(after()).toBe(true);
    expect(t.host.machine!.executed).toBeLessThan(5_000_000);
    expect(t.host.machine!.hv.domains.get(1)?.name).toBe('demo');
    // The trace ring goes on across the reset: its readers never see it go back.
    const ready = t.last('ready')!;
    const reader = new TraceReader(ready.memory.buffer, ready.layout.traceOffset);
    expect(reader.head()).toBeGreaterThan(headBefore);
  });

  it('reset with nothing booted is refused', () => {
    const t = testHost();
    t.host.receive({ v, type: 'hello' });
    t.host.receive({ v, type: 'control', action: { kind: 'reset' } });
    expect(t.last('error')).toMatchObject({ code: 'refused' });
  });
});

/** The trace record `seq`, read from shared memory as the UI reads it. */
function record(t: ReturnType<typeof testHost>, seq: number): TraceRecord | undefined {
  const ready = t.last('ready')!;
  return new TraceReader(ready.memory.buffer, ready.layout.traceOffset).read().find((r) => r.seq === seq);
}

describe('worker: steps to the next hypercall or event, and breakpoints', () => {
  it('steps to the next hypercall: pauses right after it, naming its trace record', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('a') });
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'hypercall' } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    const pause = t.last('machine')!.pause!;
    expect(pause).toMatchObject({ reason: 'hypercall', domid: 1, vcpu: 0 });
    const r = record(t, pause.traceSeq!);
    expect(r).toMatchObject({ kind: TK_HYPERCALL, domid: 1 });
    expect(r!.icount).toBeLessThanOrEqual(pause.instructions);
    // Nothing runs while paused; the next step stops at the next hypercall.
    t.drain(() => false, 20);
    expect(t.host.machine!.executed).toBe(pause.instructions);
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'hypercall' } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    expect(t.last('machine')!.pause!.traceSeq).toBeGreaterThan(pause.traceSeq!);
  });

  it('steps to the next event upcall', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('b') });
    t.host.receive({ v, type: 'control', action: { kind: 'step', unit: 'event' } });
    t.drain(() => t.last('machine')?.phase === 'paused');
    const pause = t.last('machine')!.pause!;
    expect(pause).toMatchObject({ reason: 'event', domid: 1 });
    expect(record(t, pause.traceSeq!)).toMatchObject({ kind: TK_EVT_UPCALL, domid: 1 });
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    t.drain(() => t.text('guest').includes('demo> b'));
    expect(t.text('guest')).toContain('demo> b');
  });

  it('breaks on chosen hypercalls of a chosen domain until the filters are cleared', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'break', hypercalls: [HC.sched_op], domid: 1 });
    t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('hello\r') });
    t.drain(() => t.last('machine')?.phase === 'paused');
    const pause = t.last('machine')!.pause!;
    expect(pause.reason).toBe('breakpoint');
    expect(record(t, pause.traceSeq!)).toMatchObject({ kind: TK_HYPERCALL, domid: 1, code: HC.sched_op });
    // A filter for another domain never matches.
    t.host.receive({ v, type: 'break', hypercalls: [HC.sched_op], domid: 2 });
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    t.drain(() => t.text('guest').includes('you typed: hello'));
    expect(t.last('machine')?.phase).toBe('running');
    t.host.receive({ v, type: 'break', hypercalls: [] });
    expect(t.host.machine!.hv.breakpoint).toBeNull();
  });
});
