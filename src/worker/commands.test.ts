// The worker's commands on a running machine: domain operations through the
// toolstack, event-channel pokes seen in shared_info, the frame query, the xl
// shell, new domains, and grant mappings published as they appear.
import { describe, expect, it } from 'vitest';
import { F, FRAME_BYTES, PGT_MASK, PGT_NONE, PGT_WRITABLE, R } from '../shared/layout';
import { GNTMAP, GTF, SHINFO, VCPUI } from '../abi/xen';
import { PROTOCOL_VERSION, type DomainInfo } from '../protocol/messages';
import { bootDemo, demoImage, testHost, type TestHost } from './host.testutil';

const v = PROTOCOL_VERSION;
const enc = new TextEncoder();

function latestDomain(t: TestHost, domid: number): DomainInfo | undefined {
  return t.all('domain').filter((m) => m.domain.domid === domid).pop()?.domain;
}

/** The pending and mask bits of `port` and the vcpu's upcall_pending, read as the UI does: from shared memory. */
function bits(t: TestHost, domid: number, port: number) {
  const mem = new Uint8Array(t.last('ready')!.memory.buffer);
  const d = latestDomain(t, domid)!;
  const base = d.sharedInfoMfn * 4096;
  const bit = (off: number) => (mem[base + off + (port >>> 3)]! >>> (port & 7)) & 1;
  return { pending: bit(SHINFO.EVTCHN_PENDING), masked: bit(SHINFO.EVTCHN_MASK), upcall: mem[d.vcpus[0]!.vcpuInfoAddr + VCPUI.UPCALL_PENDING] };
}

function xl(t: TestHost, id: number, line: string) {
  t.host.receive({ v, type: 'xl', id, line });
  return t.all('xl-output').filter((m) => m.id === id).pop()!;
}

describe('worker: domain operations', () => {
  it('pauses, unpauses and destroys through the toolstack; a destroyed domain is gone', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'domain-op', domid: 1, op: 'pause' });
    expect(latestDomain(t, 1)?.state).toBe('paused');
    t.drain(() => false, 3);
    expect(t.last('stats')?.domains.find((d) => d.domid === 1)?.xlState).toMatch(/^..p/);
    t.host.receive({ v, type: 'domain-op', domid: 1, op: 'unpause' });
    expect(latestDomain(t, 1)?.state).toBe('running');
    t.host.receive({ v, type: 'domain-op', domid: 1, op: 'destroy' });
    expect(t.last('domain-gone')).toMatchObject({ domid: 1 });
    t.drain(() => false, 5);
    expect(t.last('machine')).toMatchObject({ phase: 'stopped' });
    expect(t.host.machine!.hv.domains.size).toBe(0);
  });

  it('shutdown and reboot write control/shutdown, as xl does', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'domain-op', domid: 1, op: 'reboot' });
    expect(xl(t, 1, 'xenstore-read /local/domain/1/control/shutdown')).toMatchObject({ output: 'reboot\n', status: 0 });
    t.host.receive({ v, type: 'domain-op', domid: 1, op: 'shutdown' });
    expect(xl(t, 2, 'xenstore-read /local/domain/1/control/shutdown')).toMatchObject({ output: 'poweroff\n', status: 0 });
  });

  it('refuses operations on domains that do not exist, and on Domain-0', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'domain-op', domid: 7, op: 'destroy' });
    expect(t.last('error')).toMatchObject({ code: 'no-domain', message: 'domain 7 does not exist' });
    t.host.receive({ v, type: 'domain-op', domid: 0, op: 'pause' });
    expect(t.last('error')).toMatchObject({ code: 'no-domain' });
    t.drain(() => false, 3);
    expect(t.last('machine')?.phase).toBe('running');
  });
});

describe('worker: event-channel operations', () => {
  it('inject sets the port pending and the upcall; the guest then takes the event', () => {
    const t = testHost();
    bootDemo(t, true);
    const port = t.host.machine!.hv.domains.get(1)!.consolePort;
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    const upcallsBefore = t.host.machine!.hv.domains.get(1)!.upcalls;
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port, op: 'inject' });
    expect(bits(t, 1, port)).toEqual({ pending: 1, masked: 0, upcall: 1 });
    t.host.receive({ v, type: 'control', action: { kind: 'run' } });
    t.drain(() => bits(t, 1, port).pending === 0);
    expect(t.host.machine!.hv.domains.get(1)!.upcalls).toBeGreaterThan(upcallsBefore);
  });

  it('mask holds an injected event back; unmask delivers it, as EVTCHNOP_unmask does', () => {
    const t = testHost();
    bootDemo(t, true);
    const port = t.host.machine!.hv.domains.get(1)!.consolePort;
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port, op: 'mask' });
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port, op: 'inject' });
    expect(bits(t, 1, port)).toEqual({ pending: 1, masked: 1, upcall: 0 });
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port, op: 'unmask' });
    expect(bits(t, 1, port)).toEqual({ pending: 1, masked: 0, upcall: 1 });
  });

  it('refuses ports that are not bound, or that nothing could send on', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'evtchn-op', domid: 1, port: 999, op: 'inject' });
    expect(t.last('error')).toMatchObject({ code: 'refused', message: 'port 999 of domain 1 is not bound' });
    t.host.receive({ v, type: 'evtchn-op', domid: 5, port: 1, op: 'mask' });
    expect(t.last('error')).toMatchObject({ code: 'refused', message: 'domain 5 does not exist' });
  });
});

describe('worker: frame query', () => {
  it("finds the L3 entries that hold the guest's L2 tables, and says when a frame is beyond RAM", () => {
    const t = testHost();
    bootDemo(t, true);
    const d = latestDomain(t, 1)!;
    const regs = new Int32Array(t.last('ready')!.memory.buffer, t.last('ready')!.layout.regFileOffset + d.vcpus[0]!.slot * 1024, 256);
    const l3 = regs[R.CR3]! >>> 12;
    const ram = new Int32Array(t.last('ready')!.memory.buffer);
    const slot = [0, 1, 2, 3].find((i) => ram[l3 * 1024 + i * 2]! & 1)!;
    const l2 = ram[l3 * 1024 + slot * 2]! >>> 12;
    t.host.receive({ v, type: 'frame-query', id: 4, mfn: l2 });
    expect(t.last('frame-info')).toMatchObject({ id: 4, mfn: l2 });
    expect(t.last('frame-info')!.mappings).toContainEqual({ domid: 1, tableMfn: l3, level: 3, index: slot, writable: false });
    t.host.receive({ v, type: 'frame-query', id: 5, mfn: 0xfffff });
    expect(t.last('frame-info')).toMatchObject({ id: 5, mappings: [], error: expect.stringContaining('beyond machine memory') });
  });
});

describe('worker: xl', () => {
  it('runs xl lines in Domain-0 and answers with their output and status', () => {
    const t = testHost();
    t.host.receive({ v, type: 'hello' });
    expect(xl(t, 1, 'xl list')).toMatchObject({ status: 1, output: expect.stringContaining('no machine') });
    bootDemo(t, true);
    const list = xl(t, 2, 'xl list');
    expect(list.status).toBe(0);
    expect(list.output).toMatch(/^Name\s+ID\s+Mem VCPUs\tState\tTime\(s\)\nDomain-0\s+0\s+0\s+1\s+r-----/);
    expect(list.output).toMatch(/\ndemo\s+1\s+\d+\s+1\s+/);
    expect(xl(t, 3, 'xl console demo')).toMatchObject({ status: 0, attach: 1 });
    expect(xl(t, 4, 'frobnicate')).toMatchObject({ status: 127 });
  });

  it('follows xenstore-watch until interrupted', () => {
    const t = testHost();
    bootDemo(t, true);
    expect(xl(t, 9, 'xenstore-watch /local/domain/1/data')).toMatchObject({ more: true });
    xl(t, 10, 'xenstore-write /local/domain/1/data/x 1');
    t.drain(() => t.all('xl-output').some((m) => m.id === 9 && m.output.includes('/local/domain/1/data/x')), 50);
    t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
    // Even on a paused machine, Ctrl-C ends the command at once.
    t.host.receive({ v, type: 'xl-interrupt', id: 9 });
    expect(t.all('xl-output').filter((m) => m.id === 9).pop()).toMatchObject({ status: 0 });
    expect(t.all('xl-output').filter((m) => m.id === 9).pop()?.more).toBeUndefined();
  });

  it('xl create starts a second guest from the /boot image and its /etc/xen config', () => {
    const t = testHost();
    bootDemo(t, true);
    const r = xl(t, 1, `xl create /etc/xen/demo.cfg 'name="two"'`);
    expect(r.status).toBe(0);
    t.drain(() => t.text('guest', 2).includes('demo> '));
    expect(latestDomain(t, 2)).toMatchObject({ name: 'two', state: 'running' });
  });
});

describe('worker: new domains and grant mappings', () => {
  it('creates a domain beside the running one, and refuses a duplicate name or a bad image', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'create', id: 1, image: demoImage(), name: 'second', memMiB: 4 });
    expect(t.last('created')).toEqual({ v, type: 'created', id: 1, domid: 2 });
    t.drain(() => t.text('guest', 2).includes('demo> '));
    expect(latestDomain(t, 2)).toMatchObject({ name: 'second', maxMemKiB: 4096 });
    t.host.receive({ v, type: 'create', id: 2, image: demoImage(), name: 'second' });
    expect(t.last('created')).toMatchObject({ id: 2, error: expect.stringContaining('already exists') });
    t.host.receive({ v, type: 'create', id: 3, image: new Uint8Array([1, 2, 3]).buffer, name: 'junk' });
    expect(t.last('created')).toMatchObject({ id: 3, error: expect.any(String) });
    expect(t.host.machine!.hv.domains.has(3)).toBe(false);
  });

  it('creates a domain on an empty machine', () => {
    const t = testHost();
    t.host.receive({ v, type: 'hello' });
    t.host.receive({ v, type: 'create', id: 1, image: demoImage(), name: 'solo' });
    expect(t.last('created')).toMatchObject({ domid: 1 });
    t.drain(() => t.text('guest', 1).includes('demo> '));
    expect(t.last('machine')?.phase).toBe('running');
  });

  it('publishes a grant mapping when a domain maps another one\'s grant, and the frame query sees it', () => {
    const t = testHost();
    bootDemo(t, true);
    t.host.receive({ v, type: 'create', id: 1, image: demoImage(), name: 'peer', memMiB: 4 });
    t.drain(() => t.text('guest', 2).includes('demo> '));
    const m = t.host.machine!;
    // Domain 1 grants one of its ordinary pages to domain 2 (written in RAM, as a guest would).
    const ft = m.mem.frameTable();
    const slots = FRAME_BYTES >>> 2;
    let page = -1;
    for (let mfn = 0; mfn < m.mem.layout.frames && page < 0; mfn++) {
      const type = ft[mfn * slots + F.TYPE]! & PGT_MASK;
      if (ft[mfn * slots + F.OWNER] === 1 && (type === PGT_NONE || type === PGT_WRITABLE)) page = mfn;
    }
    const entry = new DataView(m.mem.buffer, m.hv.gnttab.frames(1)[0]! * 4096 + 8 * 8, 8);
    entry.setUint16(2, 2, true);
    entry.setUint32(4, page, true);
    entry.setUint16(0, GTF.permit_access, true);
    const res = m.hv.gnttab.mapGrantRef(2, 0, { hostAddr: 0, flags: GNTMAP.device_map | GNTMAP.readonly, ref: 8, dom: 1 });
    expect(res.status).toBe(0);
    t.drain(() => t.all('grant-maps').some((g) => g.domid === 2 && g.maps.length > 0), 10);
    expect(t.all('grant-maps').filter((g) => g.domid === 2).pop()!.maps).toEqual([
      { handle: res.handle, granter: 1, ref: 8, mfn: page, flags: GNTMAP.device_map | GNTMAP.readonly, hostAddr: 0 },
    ]);
    t.host.receive({ v, type: 'frame-query', id: 7, mfn: page });
    expect(t.last('frame-info')!.mappings).toContainEqual({ domid: 2, tableMfn: 0, level: 0, index: res.handle, writable: false });
  });
});

it('console input for a paused machine waits until it runs', () => {
  const t = testHost();
  bootDemo(t, true);
  t.host.receive({ v, type: 'control', action: { kind: 'pause' } });
  t.host.receive({ v, type: 'console-input', domid: 1, data: enc.encode('later\r') });
  t.drain(() => false, 50);
  expect(t.text('guest')).not.toContain('you typed: later');
  t.host.receive({ v, type: 'control', action: { kind: 'run' } });
  t.drain(() => t.text('guest').includes('you typed: later'));
  expect(t.text('guest')).toContain('you typed: later');
});
