// The console text a machine kept (each guest's last output, and the hypervisor
// console ring `xl dmesg` shows), for repainting the UI's terminals when the
// machine the UI sees is replaced: a restored snapshot or link, a step back.
import type { Machine } from '../machine/machine';

export function scrollbackOf(m: Machine): { guest: { domid: number; data: Uint8Array }[]; xen: Uint8Array } {
  return {
    guest: m.scrollback.domains().map((domid) => ({ domid, data: m.scrollback.bytes(domid) })),
    xen: new TextEncoder().encode(m.dmesg.text()),
  };
}
