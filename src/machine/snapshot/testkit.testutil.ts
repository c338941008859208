// Shared by the snapshot tests: guest images built from guests/ (the tests need
// the 32-bit compiler, as the other boot tests; each test file hands over its
// node-side loader, since this file may not use node), and a few helpers to
// drive and compare machines.
import type { Machine } from '../machine';
import { machineHash } from '../hash';
import { saveHv } from '../../hv/state';
import { saveMm } from '../../hv/mm/snapshot';
import { saveEvtchn } from '../../hv/evtchn/state';
import { saveGnttab } from '../../hv/gnttab/state';
import { saveXenstore } from '../../dom0/xenstore/state';
import { saveConsoles } from '../../dom0/console/state';
import { saveToolstack } from '../../dom0/toolstack/state';

/** Makes `target` in guests/ and reads `file` (a path under guests/). */
export type GuestLoader = (target: string, file: string) => Uint8Array;
let loader: GuestLoader | null = null;
const built = new Map<string, Uint8Array>();

export function useGuestLoader(l: GuestLoader): void {
  loader = l;
}

/** A guest image from guests/build, made first (`target` is a make target, `file` the result). */
export function guestImage(target: string, file = target): Uint8Array {
  let b = built.get(file);
  if (!b) {
    if (!loader) throw new Error('useGuestLoader first');
    b = loader(target, file);
    built.set(file, b);
  }
  return b;
}

export const pvosImage = (): Uint8Array => guestImage('pvos', 'build/kernel/pvos.elf');
export const testKernel = (name: string): Uint8Array => guestImage(`build/tests/${name}.elf`);

/** Run until exactly `target` instructions have retired (or the machine can go no further). */
export function runTo(m: Machine, target: number, step = 1_000_000): void {
  while (m.executed < target) {
    const before = m.executed, t = m.hv.time.now;
    const o = m.run(Math.min(step, target - m.executed));
    if (o !== 'budget' && m.executed === before && m.hv.time.now === t) break;
  }
}

/** Every layer's saved state, as JSON text: two machines that agree here agree everywhere we save. */
export function layers(m: Machine): Record<string, string> {
  const hv = saveHv(m.hv);
  // What is left of a slice nobody holds is not state (the next pick starts a new
  // one); its value then depends on how the host sliced run(), so it is not compared.
  if (hv.running === null || (hv.sliceLeft as number) <= 0) hv.sliceLeft = 0;
  return {
    hv: JSON.stringify(hv), mm: JSON.stringify(saveMm(m.hv.mm)), evtchn: JSON.stringify(saveEvtchn(m.hv.evtchn)),
    gnttab: JSON.stringify(saveGnttab(m.hv.gnttab)), xenstore: JSON.stringify(saveXenstore(m.xenstore)),
    consoles: JSON.stringify(saveConsoles(m.consoles)), toolstack: JSON.stringify(saveToolstack(m.toolstack, (b) => m.images.idOf(b))),
    dmesg: m.dmesg.text(), hash: machineHash(m),
  };
}

/** Collects a machine's console output per domain, as text. */
export class Output {
  readonly guest = new Map<number, string>();
  readonly xen = new Map<number, string>();
  private readonly dec = new TextDecoder();
  readonly events = {
    guestConsole: (d: number, b: Uint8Array) => this.guest.set(d, (this.guest.get(d) ?? '') + this.dec.decode(b)),
    hvConsole: (d: number, b: Uint8Array) => this.xen.set(d, (this.xen.get(d) ?? '') + this.dec.decode(b)),
  };
  text(d: number): string {
    return this.guest.get(d) ?? '';
  }
}

/** Type a line into pvos and run until its next prompt (or the budget ends). */
export function command(m: Machine, out: Output, domid: number, line: string, budget = 400_000_000): string {
  const start = out.text(domid).length;
  m.type(domid, new TextEncoder().encode(line + '\n'));
  const limit = m.executed + budget;
  while (out.text(domid).indexOf('\n$ ', start) < 0 && m.executed < limit) {
    const o = m.run(1_000_000);
    if (o === 'stopped' || o === 'idle') break;
  }
  const text = out.text(domid).slice(start);
  const end = text.indexOf('\n$ ');
  return end < 0 ? text : text.slice(0, end);
}
