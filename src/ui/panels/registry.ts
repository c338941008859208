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
    shows: 'Every machine frame coloured by type or owner, pinned tables marked; a frame’s counts and mappings on click, and a vcpu’s page tables from CR3.',
  },
  {
    id: 'trace',
    title: 'Trace',
    shows: 'The stream of hypercalls, event sends and deliveries, faults, pins and grant maps, as they happen.',
  },
  {
    id: 'cpu',
    title: 'CPU',
    shows: "A vcpu's registers, ring and mode, with what changed since the last pause, and the code around EIP.",
  },
];

export function panelInfo(id: string): PanelInfo | undefined {
  return PANELS.find((p) => p.id === id);
}
