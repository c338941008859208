// What every hypercall handler gets: the calling domain and vcpu, guest memory
// through the caller's page tables, and the hypervisor. Handlers return the
// value for EAX (0, a count, or a negative Xen errno), or null when they have
// set the guest's registers themselves (iret).
import type { Domain } from '../domain';
import type { GuestMem } from '../guestmem';
import type { Hypervisor } from '../hypervisor';
import type { Vcpu } from '../vcpu';

export interface HcCtx {
  hv: Hypervisor;
  dom: Domain;
  v: Vcpu;
  g: GuestMem;
  /** Inside a multicall: some calls (iret, nested multicall) behave differently there. */
  inMulticall: boolean;
}

export type HcFn = (x: HcCtx, a1: number, a2: number, a3: number, a4: number, a5: number) => number | null;
