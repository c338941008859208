// Tearing down a dead domain's memory (Xen's domain_relinquish_resources for a
// PV guest): drop each vcpu's L3, unpin every pinned table (devalidation then
// cascades through the whole tree, dropping every reference the tables held),
// drop the permanent type reference of pages Xen shared with it, and give up
// the allocation reference of every frame. A frame is freed when its last
// reference goes, so frames that something outside the domain still references
// -- a grant mapping in another domain, or a GDT/LDT reference the hypervisor
// has not released yet -- stay owned until that reference is dropped; they are
// reported back so the caller can see what is still pinned down.
//
// Page-table references cannot form cycles (L3 -> L2 -> L1; linear L2 entries
// never point at a table that has linear entries; an L2 in slot 3 of an L3 is
// referenced by nothing else), so unpinning is enough: unlike Xen we never have
// to break a cycle or finish a half-validated table by force.
import { PGF_PINNED } from '../../shared/layout';
import { clearBaseptr } from './pin';
import { putPageAndType, putPageType } from './refs';
import type { MmState } from './state';

export interface ReleaseResult {
  /** Frames returned to the free pool. */
  freed: number;
  /** Frames still owned by the domain because something else references them. */
  remaining: number[];
}

export function releaseDomain(s: MmState, dom: number): ReleaseResult {
  const ft = s.ft;
  const vcpus: number[] = [];
  for (const key of s.bases.keys()) if (Math.floor(key / 65536) === dom) vcpus.push(key % 65536);
  for (const v of vcpus) clearBaseptr(s, dom, v);

  for (let m = 0; m < ft.frames; m++) {
    if (ft.owner(m) !== dom) continue;
    const w = ft.typeWord(m);
    if (w & PGF_PINNED) {
      ft.setTypeWord(m, w & ~PGF_PINNED);
      putPageAndType(s, m);
    }
  }

  const before = ft.pagesOf(dom);
  for (let m = 0; m < ft.frames; m++) {
    if (ft.owner(m) !== dom) continue;
    if (ft.isXenShared(m)) putPageType(s, m);
    ft.dropAllocation(m, true);
  }
  const remaining: number[] = [];
  for (let m = 0; m < ft.frames; m++) if (ft.owner(m) === dom) remaining.push(m);
  return { freed: before - remaining.length, remaining };
}
