// The groups of record kinds the trace filter's chips offer. (Names of hypercalls, errors and
// everything else in a record come from src/protocol/tracefmt.ts.)
import {
  TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP,
  TK_GNT_UNMAP, TK_HYPERCALL, TK_MULTICALL_ENTRY, TK_PIN, TK_UNPIN,
} from '../../../shared/trace';

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
