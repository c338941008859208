// xenstored's quotas (tools/xenstored/domain.c quota table) with their defaults:
// they bind unprivileged domains only; 0 disables one. A domain may change them
// with SET_QUOTA (dom0 only), globally or per domain. Going over any of them is
// ENOSPC. "outstanding" limits the requests we read from a ring while replies
// to earlier ones are still waiting for space in it.
export const QUOTA_NAMES = [
  'nodes', 'watches', 'outstanding', 'transactions', 'transaction-nodes', 'node-permissions', 'path-max', 'node-size',
] as const;

export type QuotaName = (typeof QUOTA_NAMES)[number];

export const DEFAULT_QUOTAS: ReadonlyMap<QuotaName, number> = new Map<QuotaName, number>([
  ['nodes', 1000],
  ['watches', 128],
  ['outstanding', 20],
  ['transactions', 10],
  ['transaction-nodes', 1024],
  ['node-permissions', 5],
  ['path-max', 2048],
  ['node-size', 2048],
]);
