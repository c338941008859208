// Restoring a snapshot. Every section is read and checked first, into plans,
// without touching any machine (container.ts, each layer's reader). Then a
// machine is built: a fresh Machine over the memory (whose constructor lays out
// what every machine starts with), memory written, each layer's state installed,
// and what only the whole machine can tell checked: the page-type audit of every
// frame's counts against the restored page tables and everyone's references,
// event channels' two ends, grant pins, vcpus' base pointers, the rings' pages
// and ports. Any problem is a SnapshotError.
//
// Into memory that a running machine uses (the worker's, shared with the UI), an
// untrusted snapshot is built twice: first into scratch memory, where anything
// may fail harmlessly, then for real. `trusted` (our own checkpoints) skips that
// and the image hashes.
import { MachineMemory } from '../../mem/memory';
import { FRAME_BYTES, memoryLayout, type MemoryLayout } from '../../shared/layout';
import { Rec, RecordError } from '../../shared/record';
import { sha256Hex } from '../../shared/sha256';
import { ECS_INTERDOMAIN } from '../../hv/evtchn/ports';
import { applyHv, checkHv, readHv } from '../../hv/state';
import { readMm } from '../../hv/mm/snapshot';
import { readEvtchn } from '../../hv/evtchn/state';
import { readGnttab } from '../../hv/gnttab/state';
import { readXenstore } from '../../dom0/xenstore/state';
import { readConsoles } from '../../dom0/console/state';
import { readToolstack } from '../../dom0/toolstack/state';
import type { RunOutcome } from '../../hv/hypervisor';
import type { Machine, MachineConfig, MachineEvents } from '../machine';
import { imagePages, PAGE } from './baseline';
import { Container } from './container';
import { SnapshotError } from './errors';
import { decodeRam, maxRamEncoding } from './memory';
import { MACHINE_STATE_VERSION } from './save';

export interface RestoreOptions {
  /** Build into this memory (the worker's shared one); its size must match the snapshot's. */
  memory?: MachineMemory;
  /** Output of the restored machine. */
  events?: MachineEvents;
  /** Bytes of an image the snapshot names but does not include, by id; undefined if unknown. */
  images?: (id: string) => Uint8Array | undefined;
  /** Our own bytes (a checkpoint): faster, fewer checks. Never for files or links. */
  trusted?: boolean;
}

type Make = (cfg: MachineConfig, events: MachineEvents) => Machine;

const dec = new TextDecoder('utf-8', { fatal: true });
const OUTCOMES: readonly RunOutcome[] = ['budget', 'waiting', 'idle', 'stopped'];

function section(c: Container, name: string, max: number): Rec {
  const { data } = c.section(name, [1], max);
  let v: unknown;
  try {
    v = JSON.parse(dec.decode(data));
  } catch {
    throw new SnapshotError(`the snapshot is corrupt: its ${name} section is not readable`);
  }
  return Rec.of(v, name);
}

/** Everything read and checked, before any machine is touched. */
function plan(bytes: Uint8Array, opts: RestoreOptions) {
  const c = Container.decode(bytes, opts.trusted);
  const m = section(c, 'machine', 64 << 20);
  if (m.get('version').int() !== MACHINE_STATE_VERSION) m.get('version').fail(`version ${MACHINE_STATE_VERSION} expected`);
  const ramBytes = m.get('ramBytes').int(1 << 20, 2048 * 1048576);
  if (ramBytes % (1 << 20)) m.get('ramBytes').fail('not a whole number of MiB');
  const slots = m.get('vcpuSlots').int(1, 1024);
  const layout: MemoryLayout = memoryLayout(ramBytes, slots);
  if (opts.memory && (opts.memory.layout.ramBytes !== ramBytes || opts.memory.layout.vcpus !== slots)) {
    throw new SnapshotError(`the snapshot is of a machine with ${ramBytes >> 20} MiB and ${slots} vcpu slots; this one has ${opts.memory.layout.ramBytes >> 20} MiB and ${opts.memory.layout.vcpus}`);
  }
  // Images: included bytes first, else the caller's; checked against their ids.
  const list = m.get('images').list(1024).map((x) => ({
    id: x.get('id').str(64), name: x.get('name').str(4096), size: x.get('size').int(0, 1 << 30), included: x.get('included').bool(),
  }));
  const inc = list.filter((x) => x.included).reduce((n, x) => n + x.size, 0);
  const blob = c.section('images', [1], inc).data;
  if (blob.length !== inc) throw new SnapshotError('the snapshot is corrupt: its images are cut short');
  let at = 0;
  const images = list.map((x) => {
    let bytes: Uint8Array | undefined;
    if (x.included) { bytes = blob.slice(at, at + x.size); at += x.size; }
    else bytes = opts.images?.(x.id);
    if (bytes && !opts.trusted && sha256Hex(bytes) !== x.id) {
      throw new SnapshotError(`the image ${x.name} ${x.included ? 'in the snapshot is corrupt' : 'given for it is a different file'} (its hash does not match)`);
    }
    return { ...x, bytes };
  });
  const byId = new Map(images.map((x) => [x.id, x]));
  const files = m.get('files').list(4096).map((f) => {
    const [p, id] = f.list(2);
    if (!id) f.fail('not [path, image]');
    const path = p.str(4096), image = id.str(64);
    if (!byId.has(image)) f.fail(`names image ${image}, which the snapshot does not list`);
    return [path, image] as const;
  });
  const pages = images.map((x) => (x.bytes ? imagePages(x.bytes, ramBytes) : undefined));
  const ram = decodeRam(c.section('ram', [1], maxRamEncoding(ramBytes / PAGE)).data, ramBytes / PAGE, pages, (k) => images[k].name);
  const regsLen = slots * layout.regFileBytes, ftLen = layout.frames * FRAME_BYTES;
  const tailLen = layout.totalBytes - layout.frameTableOffset - ftLen;
  const regs = c.section('regs', [1], regsLen).data, frames = c.section('frames', [1], ftLen).data;
  const tail = c.section('tail', [1], Math.max(tailLen, 0)).data;
  if (regs.length !== regsLen || frames.length !== ftLen || tail.length !== tailLen) {
    throw new SnapshotError('the snapshot is from a version of pvplay whose machine memory is laid out differently');
  }
  const dmesg = m.get('dmesg');
  return {
    layout, images, files, ram, regs, frames, tail,
    outcome: m.opt('outcome')?.oneOf(OUTCOMES) ?? null,
    shutdowns: m.get('shutdowns').ints(0x7ff0, 1, 0x7fef),
    dom0Events: (() => {
      const b = m.get('dom0Events').bytes(PAGE);
      if (b.length !== PAGE) m.get('dom0Events').fail('not one page');
      return b;
    })(),
    scrollback: m.get('scrollback').list(0x7ff0).map((s) => ({ domid: s.get('domid').int(0, 0x7fef), bytes: s.get('bytes').bytes(1 << 20) })),
    dmesg: {
      bytes: dmesg.get('bytes').bytes(1 << 20),
      lineStart: dmesg.get('lineStart').list(0x7ff0).map((e) => {
        const [d, b] = e.list(2);
        if (!b) e.fail('not [domain, flag]');
        return [d.int(-1, 0x7fef), b.bool()] as [number, boolean];
      }),
    },
    hv: readHv(section(c, 'hv', 64 << 20), layout),
    mm: readMm(section(c, 'mm', 64 << 20), layout.frames),
    evtchn: readEvtchn(section(c, 'evtchn', 64 << 20)),
    gnttab: readGnttab(section(c, 'gnttab', 256 << 20), layout.frames),
    xenstore: readXenstore(section(c, 'xenstore', 256 << 20)),
    consoles: readConsoles(section(c, 'consoles', 64 << 20)),
    toolstack: readToolstack(section(c, 'toolstack', 64 << 20)),
  };
}

type Plan = ReturnType<typeof plan>;

/** Build a machine from a checked plan in `mem`; SnapshotError if the whole does not hold together. */
function build(p: Plan, mem: MachineMemory, fresh: boolean, make: Make): Machine {
  const buf = new Uint8Array(mem.buffer);
  const L = p.layout;
  // What follows the frame table (the trace ring) first: the hypervisor's trace
  // writer, made by the Machine constructor, goes on from the ring's head.
  buf.set(p.tail, L.frameTableOffset + p.frames.length);
  const m = make({ ramMiB: L.ramBytes >> 20, maxVcpus: L.vcpus, memory: mem }, {});
  // The constructor wrote the M2P into fresh memory; everything else there is zero.
  if (fresh) for (const f of [...m.hv.mm.ft.m2pFrames, ...m.hv.mm.ft.m2pL1s]) mem.u8.fill(0, f * PAGE, (f + 1) * PAGE);
  p.ram(mem.u8, fresh);
  buf.set(p.regs, L.regFileOffset);
  buf.set(p.frames, L.frameTableOffset);
  const bad: string[] = [];
  const hv = m.hv;
  applyHv(hv, p.hv);
  bad.push(...p.mm(hv.mm));
  const internals = m.internals();
  bad.push(...p.evtchn(hv.evtchn, (dom) => {
    if (dom === 0) return { memory: internals.dom0Events, nrVcpus: 1 };
    const d = hv.domains.get(dom), view = hv.sharedInfo.get(dom);
    return d && view ? { memory: view, nrVcpus: d.vcpus.length } : undefined;
  }));
  bad.push(...p.gnttab(hv.gnttab, mem, (dom) => hv.domains.has(dom)));
  // A dom0 port serving a guest's ring: interdomain, to that guest's port for it.
  const dom0Port = (port: number, domid: number, remote: number): string | null => {
    const t = hv.evtchn.snapshotView().doms.get(0);
    if (!t || t.state[port] !== ECS_INTERDOMAIN || t.remoteDom[port] !== domid || t.remotePort[port] !== remote) return `dom0 port ${port} is not its channel`;
    return null;
  };
  bad.push(...p.xenstore(m.xenstore, (domid, base, port) => {
    const d = hv.domains.get(domid);
    if (!d) return 'no such domain';
    if (base !== d.storeMfn * PAGE) return 'not its store page';
    return dom0Port(port, domid, d.storePort);
  }));
  bad.push(...p.consoles(m.consoles, (domid) => hv.domains.get(domid), (dom, port) => dom0Port(port, dom.id, dom.consolePort)));
  const imageOf = new Map(p.images.map((x) => [x.id, x.bytes]));
  for (const x of p.images) if (x.bytes) m.images.add(x.bytes, x.name);
  for (const [path, id] of p.files) {
    if (!imageOf.get(id)) bad.push(`the file ${path} is an image that is not available here`);
    else m.images.files.set(path, id);
  }
  bad.push(...p.toolstack(m.toolstack, (id) => m.images.get(id)?.bytes, (domid) => hv.domains.has(domid)));
  internals.dom0Events.page().set(p.dom0Events);
  internals.shutdowns.push(...p.shutdowns);
  internals.setOutcome(p.outcome);
  for (const s of p.scrollback) m.scrollback.append(s.domid, s.bytes);
  m.dmesg.restoreState(p.dmesg.bytes, p.dmesg.lineStart);
  if (bad.length === 0) {
    const holds = hv.gnttab.heldReferences();
    bad.push(...checkHv(hv, holds));
    bad.push(...hv.mm.audit(holds));
  }
  if (bad.length > 0) {
    const more = bad.length > 3 ? ` (and ${bad.length - 3} more problems)` : '';
    throw new SnapshotError(`the snapshot describes a machine that cannot be: ${bad.slice(0, 3).join('; ')}${more}`);
  }
  return m;
}

export function restoreMachine(bytes: Uint8Array, opts: RestoreOptions, make: Make): Machine {
  let p: Plan;
  try {
    p = plan(bytes, opts);
  } catch (e) {
    throw asSnapshotError(e);
  }
  const attempt = (mem: MachineMemory, fresh: boolean): Machine => {
    try {
      return build(p, mem, fresh, make);
    } catch (e) {
      throw asSnapshotError(e);
    }
  };
  if (opts.memory && !opts.trusted) {
    // A dry run in scratch memory: the caller's memory is touched only once this held.
    attempt(MachineMemory.create({ ramMiB: p.layout.ramBytes >> 20, vcpus: p.layout.vcpus }), true);
  }
  const mem = opts.memory ?? MachineMemory.create({ ramMiB: p.layout.ramBytes >> 20, vcpus: p.layout.vcpus });
  const m = attempt(mem, opts.memory === undefined);
  m.events = opts.events ?? {};
  m.logFromBoot = false;
  return m;
}

function asSnapshotError(e: unknown): SnapshotError {
  if (e instanceof SnapshotError) return e;
  if (e instanceof RecordError) return new SnapshotError(`the snapshot is inconsistent: ${e.message}`);
  // Anything else escaping a checked plan is our own bug; still one error type for the caller.
  return new SnapshotError(`the snapshot could not be restored (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`);
}
