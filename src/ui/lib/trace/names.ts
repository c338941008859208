// Names the trace view needs to show and filter records: hypercalls by number, errors by
// Xen errno, and groups of record kinds for the filter chips. All derived from src/abi and
// src/shared/trace, so a number added there shows up here.
import { E, HC } from '../../../abi/xen';
import {
  TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP,
  TK_GNT_UNMAP, TK_HYPERCALL, TK_MULTICALL_ENTRY, TK_PIN, TK_UNPIN,
} from '../../../shared/trace';

const HC_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(HC).map(([name, nr]) => [nr, name]));
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(E).map(([name, n]) => [n, name]));

/** Every hypercall Xen's header names, by number: for pickers. */
export const HYPERCALLS: readonly { nr: number; name: string }[] = [...HC_NAMES]
  .map(([nr, name]) => ({ nr, name }))
  .sort((a, b) => a.nr - b.nr);

export function hypercallName(nr: number): string {
  return HC_NAMES.get(nr) ?? `hypercall_${nr}`;
}

/** A hypercall's result: "-EINVAL" for a Xen errno, else the number (hex when large). */
export function resultText(rc: number): string {
  if (rc < 0 && rc >= -4095) {
    const name = ERRNO_NAMES.get(-rc);
    return name ? `-${name}` : String(rc);
  }
  return rc >= 0 && rc < 0x10000 ? String(rc) : `0x${(rc >>> 0).toString(16)}`;
}

/** The groups of record kinds the trace filter offers. */
export const KIND_GROUPS = ['hypercall', 'event', 'fault', 'pagetable', 'grant', 'domain'] as const;
export type KindGroup = (typeof KIND_GROUPS)[number];

export const KIND_GROUP_LABELS: Readonly<Record<KindGroup, string>> = {
  hypercall: 'Hypercalls',
  event: 'Events',
  fault: 'Faults',
  pagetable: 'Pins',
  grant: 'Grant maps',
  domain: 'Domains',
};

const GROUP_OF_KIND: Readonly<Record<number, KindGroup>> = {
  [TK_HYPERCALL]: 'hypercall', [TK_MULTICALL_ENTRY]: 'hypercall',
  [TK_EVT_SEND]: 'event', [TK_EVT_PENDING]: 'event', [TK_EVT_UPCALL]: 'event', [TK_EVT_BIND]: 'event',
  [TK_EVT_CLOSE]: 'event', [TK_FAULT]: 'fault', [TK_PIN]: 'pagetable', [TK_UNPIN]: 'pagetable',
  [TK_GNT_MAP]: 'grant', [TK_GNT_UNMAP]: 'grant', [TK_DOMAIN]: 'domain',
};

/** The filter group of a record kind (TK_*); undefined for a kind this UI does not know. */
export function kindGroup(kind: number): KindGroup | undefined {
  return GROUP_OF_KIND[kind];
}
