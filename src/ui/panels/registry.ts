// The playground's panels. Each later issue replaces one placeholder with the real
// view; the ids are stored in saved layouts, so keep them stable.

export interface PanelInfo {
  id: string;
  title: string;
  /** One sentence: what the panel shows once a machine runs. */
  shows: string;
}

export const PANELS: readonly PanelInfo[] = [
  {
    id: 'console',
    title: 'Console',
    shows: "Each guest's hvc console: what its kernel prints, and a terminal to type into.",
  },
  {
    id: 'domains',
    title: 'Domains',
    shows: 'Every domain with its vcpus, run state, memory, and why it crashed if it did.',
  },
  {
    id: 'event-channels',
    title: 'Event channels',
    shows: "Each domain's ports: what they are bound to, and their pending and masked bits, live from shared_info.",
  },
  {
    id: 'grant-table',
    title: 'Grant table',
    shows: 'The grants each domain offers: to which domain, which frame, read-only or writable, and whether mapped.',
  },
  {
    id: 'page-types',
    title: 'Page types',
    shows: 'Every machine frame: its owner, its type (page table level, descriptor table, writable), counts and pin state.',
  },
  {
    id: 'trace',
    title: 'Trace',
    shows: 'The stream of hypercalls, event sends and deliveries, faults, pins and grant maps, as they happen.',
  },
];

export function panelInfo(id: string): PanelInfo | undefined {
  return PANELS.find((p) => p.id === id);
}
