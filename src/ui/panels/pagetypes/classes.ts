// What the page-types map colours a frame by: its class from the frame table
// (src/shared/frames.ts), unless the frame plays a part the frame table does not
// record, which the domains' descriptions say: a domain's shared_info page, its
// grant-table frames, and frames another domain has mapped through a grant.
import type { DomainInfo, GrantMapInfo } from '../../../protocol/messages';
import { FC, FC_COUNT } from '../../../shared/frames';

export const MC = {
  ...FC,
  SHARED_INFO: FC_COUNT,
  GRANT_TABLE: FC_COUNT + 1,
  GRANT_MAPPED: FC_COUNT + 2,
} as const;
export const MAP_CLASSES = FC_COUNT + 3;

export interface ClassInfo {
  /** Short stable name (data attributes, tests). */
  id: string;
  label: string;
  /** What it means, for the legend's tooltip. */
  about: string;
}

export const CLASS_INFO: readonly ClassInfo[] = [
  { id: 'free', label: 'free', about: 'Not allocated to anyone.' },
  { id: 'xen', label: 'Xen', about: "The hypervisor's own frames, such as the M2P table." },
  { id: 'ram', label: 'RAM', about: "A domain's frame holding no type reference: memory it has not mapped writable or as a table." },
  { id: 'writable', label: 'writable', about: 'Mapped writable somewhere: it can be neither a page table nor a descriptor table while so.' },
  { id: 'l1', label: 'L1', about: 'A validated L1 page table: its entries map 4 KiB pages.' },
  { id: 'l2', label: 'L2', about: 'A validated L2 page directory: its entries point at L1s.' },
  { id: 'l3', label: 'L3', about: 'A validated L3: the top of a PAE address space, what a vcpu’s CR3 holds.' },
  { id: 'l4', label: 'L4', about: 'A validated L4 (64-bit guests only).' },
  { id: 'desc', label: 'descriptors', about: 'A GDT or LDT page: its descriptors were checked, and it cannot be mapped writable.' },
  { id: 'shared-page', label: 'shared page', about: "Xen's shared-page type (memory sharing)." },
  { id: 'shared-info', label: 'shared_info', about: "A domain's shared_info page: event bitmaps, vcpu_info, time." },
  { id: 'grant-table', label: 'grant table', about: "A frame of a domain's grant table." },
  { id: 'grant-mapped', label: 'grant-mapped', about: 'A frame another domain has mapped through a grant.' },
];

/**
 * Mark frames whose class the domains' descriptions give, in `out` (one byte per
 * frame, 0 = none): grant-mapped over shared_info over grant table.
 */
export function markOverlay(out: Uint8Array, domains: Record<number, DomainInfo>, grantMaps: Record<number, GrantMapInfo[]>): void {
  out.fill(0);
  const mark = (mfn: number, cls: number) => {
    if (Number.isInteger(mfn) && mfn >= 0 && mfn < out.length && out[mfn] < cls) out[mfn] = cls;
  };
  for (const d of Object.values(domains)) {
    for (const mfn of d.grantFrames) mark(mfn, MC.GRANT_TABLE);
    if (d.sharedInfoMfn > 0) mark(d.sharedInfoMfn, MC.SHARED_INFO);
  }
  for (const maps of Object.values(grantMaps)) {
    for (const g of maps) mark(g.mfn, MC.GRANT_MAPPED);
  }
}
