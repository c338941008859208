// Taking a snapshot: every layer's state into one container (container.ts).
//
//   machine    JSON: the memory layout, images and files, domain 0's own event
//              page, shutdowns not yet handled, how the last run ended, console
//              scrollback, the hypervisor console ring
//   hv mm evtchn gnttab xenstore consoles toolstack
//              JSON: each layer's state (its state.ts / snapshot.ts)
//   ram        RAM pages (memory.ts): zero pages and pages equal to an image's omitted
//   regs       every vcpu register file, raw
//   frames     the frame table, raw
//   tail       shared memory after the frame table, raw (regions other layers add)
//   images     the images' bytes, unless the caller has them by id
//
// Only between run() calls (never from inside a hook).
import { toBase64 } from '../../shared/base64';
import { FRAME_BYTES } from '../../shared/layout';
import { saveHv } from '../../hv/state';
import { saveMm } from '../../hv/mm/snapshot';
import { saveEvtchn } from '../../hv/evtchn/state';
import { saveGnttab } from '../../hv/gnttab/state';
import { saveXenstore } from '../../dom0/xenstore/state';
import { saveConsoles } from '../../dom0/console/state';
import { saveToolstack } from '../../dom0/toolstack/state';
import type { Machine } from '../machine';
import { imagePages } from './baseline';
import { encodeContainer, type Section } from './container';
import { encodeRam } from './memory';

export const MACHINE_STATE_VERSION = 1;

export interface SnapshotOptions {
  /** DEFLATE level, 0 (store) to 9; default 6. Checkpoints use 1. */
  level?: number;
  /**
   * Images the restoring side will have by id (the playground's own guests):
   * true for all, or a test per id. Their bytes are then not stored.
   */
  omitImages?: boolean | ((id: string) => boolean);
}

const enc = new TextEncoder();

function json(name: string, value: unknown): Section {
  return { name, version: 1, data: enc.encode(JSON.stringify(value)) };
}

export function saveMachine(m: Machine, opts: SnapshotOptions = {}): Uint8Array {
  if (m.hv.current) throw new Error('a snapshot is taken between runs, not from inside one');
  const layout = m.mem.layout;
  const buf = new Uint8Array(m.mem.buffer);
  const images = m.images.all();
  const omit = (id: string): boolean => (typeof opts.omitImages === 'function' ? opts.omitImages(id) : opts.omitImages === true);
  const included = images.filter((img) => !omit(img.id));
  const imageBytes = new Uint8Array(included.reduce((n, img) => n + img.bytes.length, 0));
  let at = 0;
  for (const img of included) { imageBytes.set(img.bytes, at); at += img.bytes.length; }
  const internals = m.internals();
  const dmesg = m.dmesg.saveState();
  const machine = {
    version: MACHINE_STATE_VERSION,
    ramBytes: layout.ramBytes, vcpuSlots: layout.vcpus,
    executed: m.executed, time: m.hv.time.now,
    outcome: internals.outcome, shutdowns: [...internals.shutdowns],
    dom0Events: toBase64(internals.dom0Events.page()),
    images: images.map((img) => ({ id: img.id, name: img.name, size: img.bytes.length, included: !omit(img.id) })),
    files: [...m.images.files],
    scrollback: m.scrollback.domains().map((domid) => ({ domid, bytes: toBase64(m.scrollback.bytes(domid)) })),
    dmesg: { bytes: toBase64(dmesg.bytes), lineStart: dmesg.lineStart },
  };
  const ftEnd = layout.frameTableOffset + layout.frames * FRAME_BYTES;
  const sections: Section[] = [
    json('machine', machine),
    json('hv', saveHv(m.hv)),
    json('mm', saveMm(m.hv.mm)),
    json('evtchn', saveEvtchn(m.hv.evtchn)),
    json('gnttab', saveGnttab(m.hv.gnttab)),
    json('xenstore', saveXenstore(m.xenstore)),
    json('consoles', saveConsoles(m.consoles)),
    json('toolstack', saveToolstack(m.toolstack, (b) => m.images.idOf(b))),
    { name: 'ram', version: 1, data: encodeRam(m.mem.u8, images.map((img) => imagePages(img.bytes, layout.ramBytes))) },
    { name: 'regs', version: 1, data: buf.slice(layout.regFileOffset, layout.regFileOffset + layout.vcpus * layout.regFileBytes) },
    { name: 'frames', version: 1, data: buf.slice(layout.frameTableOffset, ftEnd) },
    { name: 'tail', version: 1, data: buf.slice(ftEnd, layout.totalBytes) },
    { name: 'images', version: 1, data: imageBytes },
  ];
  return encodeContainer(sections, opts.level ?? 6);
}
