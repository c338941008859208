// Port rows for the event-channel panel: what each bound port is connected to, in words a
// Xen developer recognises (VIRQ_TIMER, dom:port), with its live pending and masked bits.
// The structure (PortInfo) comes from the worker's `evtchn` message; the bits come from
// shared memory on every animation frame, so they are kept apart: `liveBits` packs them
// into one small array whose contents say whether anything changed.
import { VIRQ } from '../../../abi/xen';
import type { PortInfo } from '../../../protocol/messages';
import type { SharedInfoBits } from './sharedInfo';

const VIRQ_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(VIRQ).map(([name, n]) => [n, `VIRQ_${name}`]));

/** VIRQ_TIMER for 0, and so on; the number for ones Xen's header does not name. */
export function virqName(virq: number): string {
  return VIRQ_NAMES.get(virq) ?? `VIRQ ${virq}`;
}

/** What a port is connected to, in one short phrase. */
export function bindingText(p: PortInfo): string {
  switch (p.state) {
    case 'interdomain':
      return `d${p.remoteDom}:${p.remotePort}`;
    case 'unbound':
      return `waiting for d${p.remoteDom}`;
    case 'virq':
      return virqName(p.virq);
    case 'ipi':
      return 'IPI';
    case 'pirq':
      return 'physical IRQ';
    case 'reserved':
      return 'reserved';
  }
}

/** Bit 0: pending; bit 1: masked. One entry per port of `ports`, in the same order. */
export const BIT_PENDING = 1, BIT_MASKED = 2;

/** Read the pending and masked bits of `ports` into `out` (reused when it fits); say whether any changed. */
export function liveBits(bits: SharedInfoBits, ports: readonly PortInfo[], out: Uint8Array): boolean {
  let changed = false;
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i]!.port;
    const v = (bits.pending(port) ? BIT_PENDING : 0) | (bits.masked(port) ? BIT_MASKED : 0);
    if (out[i] !== v) {
      out[i] = v;
      changed = true;
    }
  }
  return changed;
}

/** Counts of the ports in each state, for the panel's summary line. */
export function portSummary(ports: readonly PortInfo[], bits: Uint8Array): { bound: number; pending: number; masked: number } {
  let pending = 0, masked = 0;
  for (let i = 0; i < ports.length; i++) {
    if (bits[i]! & BIT_PENDING) pending++;
    if (bits[i]! & BIT_MASKED) masked++;
  }
  return { bound: ports.length, pending, masked };
}
