// Words for what the share features show: the banner of an opened link or
// file, the note under a made link, and a snapshot file's name.
import type { MachineSummary } from '../../protocol/snapshots';
import type { Banner } from './shareStore';

const n = (x: number): string => x.toLocaleString('en-US');

/** About the longest URL Chromium opens (2 MB); others allow more. */
export const BROWSER_URL_MAX = 2 * 1024 * 1024;

function domainsText(s: MachineSummary): string {
  if (s.domains.length === 0) return 'no domains';
  return s.domains.map((d) => `${d.name} (d${d.domid}, ${d.state})`).join(', ');
}

/** What the machine is, in one line. */
export function describeSummary(s: MachineSummary): string {
  const what = s.kind === 'recipe'
    ? `a replay recipe${s.inputs !== undefined ? ` of ${n(s.inputs)} input${s.inputs === 1 ? '' : 's'}` : ''}`
    : 'a snapshot';
  return `${what} · ${n(s.instructions)} instructions · virtual time ${(s.timeNs / 1e9).toFixed(2)} s · ${domainsText(s)}`;
}

export function bannerText(b: Banner): string {
  const from = b.from === 'link' ? 'Opened from a link' : `Opened from the file ${b.name ? `“${b.name}”` : ''}`.trimEnd();
  return `${from}: ${describeSummary(b.summary)}. The machine is paused.`;
}

/** The note beside a link just made; `why`: the worker's reason for its kind. */
export function linkNote(url: string, s: MachineSummary, copied: boolean, why = ''): string {
  const kind = s.kind === 'recipe' ? 'replay recipe' : 'snapshot';
  const long = url.length > BROWSER_URL_MAX
    ? ' That is more than a browser takes in its address bar: use Save to pass this machine on as a file.'
    : url.length > 2000 ? ' Over 2,000 characters: some chat apps cut such links; a snapshot file travels better.' : '';
  return `${copied ? 'Copied' : 'Made'} a ${kind} link of ${n(url.length)} characters${why ? `: ${why}` : ''}.${long}`;
}

/** A file name for a snapshot: the guests it holds and where it stands. */
export function snapshotFileName(s: MachineSummary): string {
  const names = [...new Set(s.domains.map((d) => d.name.replace(/[^A-Za-z0-9_-]+/g, '_')).filter((x) => x !== '' && x !== '_'))];
  const who = names.length > 0 ? names.slice(0, 3).join('+') : 'machine';
  return `pvplay-${who}-${Math.round(s.instructions / 1e6)}M.pvsnap`;
}
