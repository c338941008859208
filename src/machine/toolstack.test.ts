// The toolstack on a whole machine: libxl's xenstore layout and permissions,
// on_* actions, the shutdown timeout, and a thousand creations and destructions
// that leave no frame, port, grant table, register file or xenstore node behind.
// Guests are the shipped demo kernel (it needs no compiler); it ignores
// control/shutdown, which is what the timeout test wants.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN } from '../abi/xen';
import { FRAME_FREE } from '../shared/layout';
import { parseDomainConfig } from '../dom0/toolstack/config';
import { SHUTDOWN_TIMEOUT_NS } from '../dom0/toolstack/toolstack';
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { Machine } from './machine';

const KERNEL = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../public/guests/console.elf'));

function cfg(name: string, extra = ''): ReturnType<typeof parseDomainConfig> {
  return parseDomainConfig(`name = "${name}"\nkernel = "console.elf"\nmemory = 4\n${extra}`, `${name}.cfg`);
}

describe('toolstack', () => {
  it("writes libxl's layout with libxl's permissions, and the backend side of declared devices", () => {
    const m = new Machine({ ramMiB: 24, maxVcpus: 2 });
    const xs = xenstoredClient(m.xs);
    const dom = m.toolstack.create(cfg('web', "vcpus = 2\nmaxmem = 8\nvif = ['bridge=xenbr1']\ndisk = ['phy:/dev/vg/web,xvda,w']"), { kernel: KERNEL });
    const id = dom.id, home = `/local/domain/${id}`;
    expect(id).toBe(1);
    const uuid = m.toolstack.records.get(id)!.uuid;
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect({
      name: xs.read(`${home}/name`), domid: xs.read(`${home}/domid`), vm: xs.read(`${home}/vm`),
      max: xs.read(`${home}/memory/static-max`), target: xs.read(`${home}/memory/target`),
      cpu0: xs.read(`${home}/cpu/0/availability`), cpu1: xs.read(`${home}/cpu/1/availability`),
      storePort: xs.read(`${home}/store/port`), storeRef: xs.read(`${home}/store/ring-ref`),
      conPort: xs.read(`${home}/console/port`), conRef: xs.read(`${home}/console/ring-ref`), conType: xs.read(`${home}/console/type`),
      shutdown: xs.read(`${home}/control/shutdown`), mp: xs.read(`${home}/control/platform-feature-multiprocessor-suspend`),
      rw: xs.read(`${home}/control/platform-feature-xs_reset_watches`), vmName: xs.read(`/vm/${uuid}/name`), vmUuid: xs.read(`/vm/${uuid}/uuid`),
    }).toEqual({
      name: 'web', domid: '1', vm: `/vm/${uuid}`, max: '8192', target: '4096', cpu0: 'online', cpu1: 'online',
      storePort: String(dom.storePort), storeRef: String(dom.storeMfn), conPort: String(dom.consolePort), conRef: String(dom.consoleMfn),
      conType: 'xenconsoled', shutdown: '', mp: '1', rw: '1', vmName: 'web', vmUuid: uuid,
    });
    expect(xs.getPerms(home)).toEqual(['n0', 'r1']);
    expect(xs.getPerms(`${home}/domid`)).toEqual(['n0', 'r1']);
    for (const p of ['control/shutdown', 'control/feature-poweroff', 'data', 'drivers', 'feature', 'attr', 'error']) {
      expect(xs.getPerms(`${home}/${p}`), p).toEqual(['n1']);
    }
    expect(xs.getPerms('/libxl/1')).toEqual(['n0']);
    // The guest may write its data directory and acknowledge control/shutdown, and nothing of dom0's.
    m.xs.write(1, 'data/hello', 'yes');
    m.xs.write(1, 'control/shutdown', '');
    expect(() => m.xs.write(1, 'domid', '7')).toThrow('EACCES');
    expect(() => m.xs.write(1, 'control/reboot-now', '1')).toThrow('EACCES');
    // Devices: frontend and backend name each other; nothing serves vif/vbd yet (state 1).
    const be = '/local/domain/0/backend/vif/1/0', fe = `${home}/device/vif/0`;
    expect([xs.read(`${fe}/backend`), xs.read(`${fe}/backend-id`), xs.read(`${fe}/state`), xs.read(`${be}/frontend`), xs.read(`${be}/frontend-id`), xs.read(`${be}/state`), xs.read(`${be}/bridge`)])
      .toEqual([be, '0', '1', fe, '1', '1', 'xenbr1']);
    expect(xs.getPerms(fe)).toEqual(['n1', 'r0']);
    expect(xs.getPerms(be)).toEqual(['n0', 'r1']);
    expect(xs.read('/local/domain/0/backend/vbd/1/51712/params')).toBe('/dev/vg/web');
    expect(xs.read(`${home}/device/vbd/51712/virtual-device`)).toBe('51712');
    expect(xs.read('/local/domain/0/backend/console/1/0/state')).toBe('4');
    expect(xs.isIntroduced(1)).toBe(true);
    // Names are unique, as xl insists.
    expect(() => m.toolstack.create(cfg('web'), { kernel: KERNEL })).toThrow('domain with name "web" already exists');
  });

  it('uuids are the same on the same machine config, and domids follow Xen\'s rover', () => {
    const run = () => {
      const m = new Machine({ ramMiB: 16, maxVcpus: 1 });
      const a = m.toolstack.create(cfg('a'), { kernel: KERNEL });
      m.toolstack.destroy(a.id);
      const b = m.toolstack.create(cfg('b'), { kernel: KERNEL });
      return [a.id, b.id, m.toolstack.records.get(b.id)!.uuid];
    };
    const first = run();
    expect(first.slice(0, 2)).toEqual([1, 2]);
    expect(run()).toEqual(first);
  });

  it('on_reboot=restart makes the domain again under a new domid with the same name and uuid; preserve keeps it', () => {
    const m = new Machine({ ramMiB: 24, maxVcpus: 2 });
    const a = m.toolstack.create(cfg('r', 'on_crash = "preserve"'), { kernel: KERNEL });
    const uuid = m.toolstack.records.get(a.id)!.uuid;
    m.run(200_000);
    m.hv.shutdownDomain(a, SHUTDOWN.reboot);
    m.run(200_000);
    expect(m.domain(a.id)).toBeUndefined();
    const b = m.domain(2)!;
    expect(b.name).toBe('r');
    expect(m.toolstack.records.get(2)!.uuid).toBe(uuid);
    expect(m.xs.tryRead(0, `/local/domain/2/vm`)).toBe(`/vm/${uuid}`);
    expect(m.xs.tryRead(0, `/local/domain/1/name`)).toBeUndefined();
    m.hv.crashDomain(b, 'test crash');
    m.run(200_000);
    expect(m.domain(2)!.state).toBe('shutdown');
    expect(m.xs.tryRead(0, '/local/domain/2/name')).toBe('r');
    m.toolstack.destroy(2);
    expect(m.domain(2)).toBeUndefined();
  });

  it('a guest that ignores control/shutdown is destroyed after the timeout, in virtual time', () => {
    const m = new Machine({ ramMiB: 16, maxVcpus: 1 });
    const dom = m.toolstack.create(cfg('deaf'), { kernel: KERNEL });
    m.run(2_000_000);
    const asked = m.hv.time.now;
    m.toolstack.requestShutdown(dom.id, 'poweroff');
    expect(m.xs.tryRead(0, '/local/domain/1/control/shutdown')).toBe('poweroff');
    while (m.domain(dom.id) && m.hv.time.now < asked + 2 * SHUTDOWN_TIMEOUT_NS) m.run(5_000_000);
    expect(m.domain(dom.id)).toBeUndefined();
    expect(m.hv.time.now).toBeGreaterThanOrEqual(asked + SHUTDOWN_TIMEOUT_NS);
    expect(m.dmesg.text()).toContain('did not act on control/shutdown = "poweroff" within 30 s; destroying it');
  });

  it('1000 creations and destructions leak nothing', () => {
    const m = new Machine({ ramMiB: 16, maxVcpus: 2 });
    const hv = m.hv, ft = hv.mm.ft, xs = xenstoredClient(m.xs);
    const owners = (): number[] => Array.from({ length: ft.frames }, (_, i) => ft.owner(i));
    // One warm-up cycle creates /vm and /libxl, which stay (as on Xen).
    m.toolstack.destroy(m.toolstack.create(cfg('warm'), { kernel: KERNEL }).id);
    const frames = owners(), nodes = xs.walk!('/'), dom0Ports = hv.evtchn.ports(0).length;
    const freeBefore = frames.filter((o) => o === FRAME_FREE).length;
    let ran = 0;
    for (let k = 0; k < 1000; k++) {
      const dom = m.toolstack.create(cfg(`g${k}`, k % 2 ? 'vcpus = 2' : "vif = ['']"), { kernel: KERNEL });
      // Every tenth guest runs a little first, so it holds what a running guest holds.
      if (k % 10 === 0) { m.run(300_000); ran++; }
      m.toolstack.destroy(dom.id);
      expect(hv.domains.has(dom.id)).toBe(false);
      expect(hv.evtchn.hasDomain(dom.id) || hv.gnttab.hasDomain(dom.id)).toBe(false);
    }
    expect(ran).toBe(100);
    expect(owners()).toEqual(frames);
    expect(freeBefore).toBeGreaterThan(3000);
    expect(hv.mm.audit(hv.gnttab.heldReferences())).toEqual([]);
    expect(hv.evtchn.ports(0).length).toBe(dom0Ports);
    expect(xs.walk!('/')).toEqual(nodes);
    expect(hv.vcpus().length).toBe(0);
    expect(m.xs.introducedDomains()).toEqual([]);
    expect(m.toolstack.records.size).toBe(0);
    // The register files were reused: a 2-vcpu machine made 1000 domains, half of them with 2 vcpus.
    expect(hv.domains.size).toBe(0);
  }, 300_000);
});
