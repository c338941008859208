// The playground's panels: one entry each, read by the workspace (which panels
// exist and what their tabs say), the help overlay ('?': each panel's `help`) and
// PanelHost (which component draws it). To add a panel, add an entry here and
// put it somewhere in layout/defaultLayout.ts. The ids are stored in saved
// layouts, so keep them stable.
import type { ComponentType } from 'react';
import { ConsolePanel } from './console/ConsolePanel';
import { XenConsolePanel } from './console/XenConsolePanel';
import { CpuPanel } from './cpu/CpuPanel';
import { Dom0Panel } from './dom0/Dom0Panel';
import { DomainsPanel } from './domains/DomainsPanel';
import { PageTypesPanel } from './pagetypes/PageTypesPanel';

export interface PanelInfo {
  id: string;
  title: string;
  /** One sentence: what the panel shows once a machine runs (its placeholder says this). */
  shows: string;
  /** Two sentences for the help overlay: what it shows and what you can do there. */
  help: string;
  /** The view; absent: a placeholder that says what will be here. */
  component?: ComponentType;
}

export const PANELS: readonly PanelInfo[] = [
  {
    id: 'console',
    title: 'Console',
    shows: "Each guest's hvc console: what its kernel prints, and a terminal to type into.",
    help: "Each guest domain's PV console (hvc0), one tab per domain: the bytes its console ring carries, shown by xterm.js. Click into it and type; Ctrl+Shift+C and Ctrl+Shift+V copy and paste.",
    component: ConsolePanel,
  },
  {
    id: 'dom0',
    title: 'Domain-0',
    shows: "Domain 0's shell: xl and xenstore commands, as on a real Xen host.",
    help: "A shell in Domain 0, the TypeScript services that play dom0 here: xl list, xl create, xl destroy, xl debug-keys, xenstore-ls and more ('help' lists them). Up and down recall earlier lines; Ctrl+C stops a command that follows, like xenstore-watch.",
    component: Dom0Panel,
  },
  {
    id: 'xen-console',
    title: 'Xen console',
    shows: 'The hypervisor console: what guests print with console_io, and what the hypervisor says.',
    help: "The hypervisor's console: lines the guests write with the console_io hypercall, prefixed with their domain as Xen does, and the hypervisor's own (XEN) messages. Crashes and their reasons show up here first.",
    component: XenConsolePanel,
  },
  {
    id: 'domains',
    title: 'Domains',
    shows: 'Every domain with its vcpus, run state, memory, and why it crashed if it did.',
    help: "What xl list shows, live: each domain's id, state letters (r running, b blocked, p paused, s shut down, c crashed, d dying), vcpus, memory, virtual CPU time and hypercall count. The buttons pause, unpause, reboot and destroy a domain through the toolstack; New domain starts another guest.",
    component: DomainsPanel,
  },
  {
    id: 'event-channels',
    title: 'Event channels',
    shows: "Each domain's ports: what they are bound to, and their pending and masked bits, live from shared_info.",
    help: "Each domain's event-channel ports with their binding, and the pending and masked bits read live from its shared_info page. A port flashes when an event is sent and when it is delivered; inject, mask and unmask act on it.",
  },
  {
    id: 'grant-table',
    title: 'Grant table',
    shows: 'The grants each domain offers: to which domain, which frame, read-only or writable, and whether mapped.',
    help: "The grant entries each domain has filled in (which domain may use which frame, and how) and the foreign grants it has mapped. Entries change as guests share pages and map each other's.",
  },
  {
    id: 'page-types',
    title: 'Page types',
    shows: 'Every machine frame coloured by type or owner, pinned tables marked; a frame’s counts and mappings on click, and a vcpu’s page tables from CR3.',
    help: "Every machine frame, coloured by type (free, writable, L1, L2, L3, descriptors, shared_info, grant) or by owner, live from the hypervisor's frame table; a dot marks a pinned table. Click a frame, or move with the arrow keys, for its counts and every entry that maps it, and open the chosen vcpu's tables from CR3 in the tree.",
    component: PageTypesPanel,
  },
  {
    id: 'cpu',
    title: 'CPU',
    shows: "A vcpu's registers, ring and mode, with what changed since the last pause, and the code around EIP.",
    help: "One vcpu's registers, EFLAGS decoded, ring and mode, read live from its register file; while paused, what the last step changed is highlighted. Below them, the code around EIP, read through the vcpu's own page tables; AT&T switches to Intel syntax.",
    component: CpuPanel,
  },
  {
    id: 'trace',
    title: 'Trace',
    shows: 'The stream of hypercalls, event sends and deliveries, faults, pins and grant maps, as they happen.',
    help: 'The hypercalls, events, faults, pins and grant maps the hypervisor records in its trace ring, newest last, with decoded arguments and results. Filter it, and break on chosen hypercalls.',
  },
];

export function panelInfo(id: string): PanelInfo | undefined {
  return PANELS.find((p) => p.id === id);
}
