// Snapshots of whole machines: restored, a machine continues exactly as the
// original (state hashes equal after more instructions, the same console output),
// with console input and xenstore traffic in flight, two domains talking, and a
// domain created and destroyed on the way; every layer's saved state is the same
// after the round trip; images are left out when the receiver has them; zero
// pages and pages equal to the image are not stored.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomainConfig } from '../../dom0/toolstack/config';
import { machineHash } from '../hash';
import { Machine } from '../machine';
import { Container } from './container';
import { SnapshotError } from './errors';
import { command, layers, Output, pvosImage, runTo, testKernel, useGuestLoader } from './testkit.testutil';

const GUESTS = join(__dirname, '../../../guests');
useGuestLoader((target, file) => {
  execFileSync('make', ['-s', '-C', GUESTS, target], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(join(GUESTS, file)));
});

const PROMPT = '\n$ ';

function bootPvos(out: Output): Machine {
  const m = new Machine({ ramMiB: 48, maxVcpus: 4 }, out.events);
  m.createGuest({ name: 'pvos', kernel: pvosImage(), memMiB: 32 });
  for (let k = 0; k < 400 && !out.text(1).includes(PROMPT); k++) if (m.run(1_000_000) === 'idle') break;
  expect(out.text(1)).toContain(PROMPT);
  return m;
}

describe('snapshot and restore', () => {
  it('a hello guest continues as the original', () => {
    const kernel = testKernel('hello');
    const oa = new Output();
    const a = new Machine({ ramMiB: 16, maxVcpus: 2 }, oa.events);
    a.createGuest({ name: 'hello', kernel, memMiB: 8, cmdline: 'snap' });
    runTo(a, 30_000);
    const bytes = a.snapshot();
    const ob = new Output();
    const b = Machine.restore(bytes, { events: ob.events });
    expect(layers(b)).toEqual(layers(a));
    expect(b.executed).toBe(a.executed);
    for (const target of [60_000, 200_000, 2_000_000]) {
      runTo(a, target);
      runTo(b, target);
      expect(machineHash(b), `at ${target}`).toBe(machineHash(a));
    }
    expect(ob.xen.get(1)).toBe(oa.xen.get(1)!.slice(oa.xen.get(1)!.length - ob.xen.get(1)!.length));
    expect(layers(b)).toEqual(layers(a));
  });

  it('pvos with typed input in flight, a second guest made and destroyed, continues as the original', () => {
    const oa = new Output();
    const a = bootPvos(oa);
    expect(command(a, oa, 1, 'echo before')).toContain('before');
    // A second domain comes and goes: its slot is free, its instructions counted as destroyed.
    const hello = a.createGuest({ name: 'hello', kernel: testKernel('hello'), memMiB: 4 }).dom.id;
    a.run(3_000_000);
    a.toolstack.destroy(hello);
    // Input typed but not yet taken by the guest, mid-run.
    a.type(1, new TextEncoder().encode('ps\n'));
    a.run(5_000);
    const bytes = a.snapshot();
    const ob = new Output();
    const b = Machine.restore(bytes, { events: ob.events });
    expect(layers(b)).toEqual(layers(a));
    expect(new TextDecoder().decode(b.scrollback.bytes(1))).toBe(oa.text(1));
    const outA = oa.text(1).length;
    for (const m of [a, b]) runTo(m, a.executed + 20_000_000);
    expect(machineHash(b)).toBe(machineHash(a));
    expect(ob.text(1)).toBe(oa.text(1).slice(outA));
    // The same new inputs on both: a new domain (same domid, slot and uuid), more commands.
    for (const [m, o] of [[a, oa], [b, ob]] as const) {
      m.createGuest({ name: 'hello2', kernel: testKernel('hello'), memMiB: 4 });
      command(m, o, 1, 'uptime');
      command(m, o, 1, 'evtchn');
    }
    expect(layers(b)).toEqual(layers(a));
    expect(ob.text(1)).toBe(oa.text(1).slice(outA));
  }, 120_000);

  it('two domains talking over xenstore and an event channel, snapshotted mid-conversation', () => {
    const kernel = testKernel('xs_pair');
    const cfg = (name: string, extra: string) => parseDomainConfig(
      `name = "${name}"\nkernel = "xs_pair.elf"\nmemory = 16\nextra = "${extra}"\non_poweroff = "preserve"\n`, `${name}.cfg`);
    const oa = new Output();
    const a = new Machine({ ramMiB: 48, maxVcpus: 2 }, oa.events);
    a.addFile('xs_pair.elf', kernel);
    for (const [n, x] of [['pair-a', 'role=a peer=2'], ['pair-b', 'role=b peer=1']]) {
      a.addFile(`${n}.cfg`, new TextEncoder().encode(`name = "${n}"\nkernel = "xs_pair.elf"\nmemory = 16\nextra = "${x}"\non_poweroff = "preserve"\n`));
      expect(a.exec(`xl create ${n}.cfg`).status).toBe(0);
    }
    expect(cfg('x', 'y').name).toBe('x');
    // Snapshot all through the conversation (it takes about 25k instructions);
    // each restored copy ends as the original.
    const snaps: Uint8Array[] = [];
    let talking = 0;
    while ([...a.hv.domains.values()].some((d) => d.state !== 'shutdown') && snaps.length < 100) {
      a.run(2_000);
      snaps.push(a.snapshot({ level: 1 }));
      const b = oa.xen.get(2) ?? '';
      if (b.includes('found port') && !b.includes('got 5 pongs')) talking++;
    }
    expect(snaps.length).toBeGreaterThan(8);
    expect(talking, 'snapshots taken while B pinged A').toBeGreaterThan(1);
    runTo(a, 200_000_000);
    expect(oa.xen.get(1)).toContain('xs_pair: a answered 5 pings');
    for (const s of snaps) {
      const b = Machine.restore(s);
      runTo(b, 200_000_000);
      expect(layers(b)).toEqual(layers(a));
    }
  }, 120_000);

  it('grants mapped between domains survive the round trip', () => {
    const oa = new Output();
    const a = new Machine({ ramMiB: 32, maxVcpus: 2 }, oa.events);
    a.createGuest({ name: 'gnttab', kernel: testKernel('gnttab'), memMiB: 8 });
    // The test kernel maps and unmaps its grants within about 70k instructions.
    const snaps: Uint8Array[] = [];
    let mapped = 0;
    for (let k = 0; a.domain(1)!.state === 'running' && k < 1000; k++) {
      a.run(1_000);
      const now = a.hv.gnttab.mappings(1).length;
      mapped += now;
      // Every few steps, and whenever a grant is mapped (that lasts only a few thousand instructions).
      if (now > 0 || k % 6 === 0) snaps.push(a.snapshot({ level: 1 }));
    }
    expect(mapped).toBeGreaterThan(0);
    runTo(a, 50_000_000);
    for (const s of snaps) {
      const b = Machine.restore(s);
      runTo(b, 50_000_000);
      expect(layers(b)).toEqual(layers(a));
    }
  }, 120_000);

  it('stores no zero page and no page equal to the image, and can leave the image out', () => {
    const kernel = testKernel('hello');
    const a = new Machine({ ramMiB: 16, maxVcpus: 1 });
    a.createGuest({ name: 'hello', kernel, memMiB: 8 });
    runTo(a, 10_000);
    const withImage = a.snapshot();
    const without = a.snapshot({ omitImages: true });
    expect(withImage.length - without.length).toBeGreaterThan(kernel.length / 4);
    const ram = Container.decode(without).section('ram', [1], 1 << 30).data;
    const dv = new DataView(ram.buffer, ram.byteOffset);
    const [pages, refs, stored] = [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true) + dv.getUint32(16, true)];
    expect(pages).toBe(4096);
    expect(refs).toBeGreaterThan(0);
    // Far fewer stored pages than non-zero ones: the kernel's own pages are references.
    expect(stored).toBeLessThan(64);
    expect(() => Machine.restore(without)).toThrow(SnapshotError);
    expect(() => Machine.restore(without)).toThrow(/needs the guest image hello/);
    const b = Machine.restore(without, { images: (id) => (id === a.images.idOf(kernel) ? kernel : undefined) });
    expect(machineHash(b)).toBe(machineHash(a));
    const wrong = kernel.slice();
    wrong[100] ^= 1;
    expect(() => Machine.restore(without, { images: () => wrong })).toThrow(/different file/);
  });

  it('restores into given memory, refusing memory of another size without touching it', () => {
    const a = new Machine({ ramMiB: 16, maxVcpus: 2 });
    a.createGuest({ name: 'hello', kernel: testKernel('hello'), memMiB: 8 });
    runTo(a, 50_000);
    const bytes = a.snapshot();
    const other = new Machine({ ramMiB: 24, maxVcpus: 2 });
    other.createGuest({ name: 'hello', kernel: testKernel('hello'), memMiB: 8 });
    runTo(other, 20_000);
    const before = machineHash(other);
    expect(() => Machine.restore(bytes, { memory: other.mem })).toThrow(/16 MiB/);
    expect(machineHash(other)).toBe(before);
    const host = new Machine({ ramMiB: 16, maxVcpus: 2 });
    host.createGuest({ name: 'x', kernel: testKernel('hello'), memMiB: 4 });
    runTo(host, 70_000);
    const b = Machine.restore(bytes, { memory: host.mem });
    expect(b.mem).toBe(host.mem);
    expect(machineHash(b)).toBe(machineHash(a));
    runTo(a, 500_000);
    runTo(b, 500_000);
    expect(machineHash(b)).toBe(machineHash(a));
  });
});
