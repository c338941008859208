// What the share actions do: ask the worker, then tell the user. Kept apart
// from the actions and components so that each is a few lines and this is
// testable without a DOM (the page's own pieces are passed in).
import { linkFragment, parseLinkFragment } from '../../protocol/share';
import type { MachineSummary, StepBackUnit } from '../../protocol/snapshots';
import type { SnapshotPort } from './port';
import { say, type ShareStore } from './shareStore';
import { linkNote, snapshotFileName } from './text';

export interface Page {
  /** The page's address without its fragment (origin + path + query). */
  base: string;
  /** Absolute URLs of the guests the app ships. */
  shipped: string[];
  copy(text: string): Promise<boolean>;
  save(bytes: ArrayBuffer, name: string): void;
  /** A machine from a link or file replaced the running one. */
  restored?(summary: MachineSummary): void;
}

/** "What failed: why." with one closing stop. */
export function because(what: string, why: string): string {
  const w = why.trim();
  return `${what}: ${w}${/[.?!]$/.test(w) ? '' : '.'}`;
}

async function busy<T>(store: ShareStore, what: string, work: () => Promise<T>): Promise<T> {
  store.setState({ busy: what });
  try {
    return await work();
  } finally {
    store.setState({ busy: null });
  }
}

export async function shareMachine(port: SnapshotPort, store: ShareStore, page: Page): Promise<string | null> {
  const r = await busy(store, 'sharing', () => port.request({ type: 'share', shipped: page.shipped }));
  if (r.error !== undefined || r.fragment === undefined || !r.summary) {
    say(store, 'error', because('Could not share', r.error ?? 'no link came back'));
    return null;
  }
  const url = `${page.base}#${r.fragment}`;
  const copied = await page.copy(url);
  store.setState({ link: { url, summary: r.summary, why: r.why ?? '', copied } });
  say(store, 'info', linkNote(url, r.summary, copied, r.why));
  return url;
}

export async function downloadSnapshot(port: SnapshotPort, store: ShareStore, page: Page): Promise<boolean> {
  const r = await busy(store, 'saving', () => port.request({ type: 'snapshot' }));
  if (r.error !== undefined || !r.bytes || !r.summary) {
    say(store, 'error', because('Could not save a snapshot', r.error ?? 'no bytes came back'));
    return false;
  }
  const name = snapshotFileName(r.summary);
  page.save(r.bytes, name);
  say(store, 'info', `Saved ${name} (${r.bytes.byteLength.toLocaleString('en-US')} bytes).`);
  return true;
}

/** Restore from a file's bytes; the machine that ran goes on when this fails. */
export async function uploadSnapshot(port: SnapshotPort, store: ShareStore, page: Page, file: { name: string; bytes: ArrayBuffer }): Promise<boolean> {
  const r = await busy(store, 'restoring', () =>
    port.request({ type: 'restore', source: { kind: 'file', bytes: file.bytes, name: file.name }, shipped: page.shipped }));
  if (r.error !== undefined || !r.summary) {
    say(store, 'error', `${because(`Could not open “${file.name}”`, r.error ?? 'no answer')} The machine you had is still here.`);
    return false;
  }
  store.setState({ banner: { from: 'file', name: file.name, summary: r.summary } });
  page.restored?.(r.summary);
  return true;
}

/**
 * Open the machine a link's fragment holds. Returns false (having said why)
 * when the fragment is not a usable link; the machine that ran goes on
 * (`running`: there is one, and the message says so).
 */
export async function openLink(port: SnapshotPort, store: ShareStore, page: Page, fragment: string, running = false): Promise<boolean> {
  const parsed = parseLinkFragment(fragment);
  if (parsed === null) return false;
  const still = running ? ' The machine you had is still here.' : '';
  if (!parsed.ok) {
    say(store, 'error', parsed.message + still);
    return false;
  }
  const r = await busy(store, 'restoring', () =>
    port.request({ type: 'restore', source: { kind: 'link', fragment: linkFragment(parsed.kind, parsed.payload) }, shipped: page.shipped }));
  if (r.error !== undefined || !r.summary) {
    say(store, 'error', because('This link could not be opened', r.error ?? 'no answer') + still);
    return false;
  }
  store.setState({ banner: { from: 'link', summary: r.summary } });
  page.restored?.(r.summary);
  return true;
}

export async function seek(port: SnapshotPort, store: ShareStore, instructions: number): Promise<void> {
  const r = await busy(store, 'seeking', () => port.request({ type: 'seek', instructions }));
  if (r.error !== undefined) say(store, 'error', because('Could not go there', r.error));
}

const UNIT_WORDS: Record<StepBackUnit, string> = {
  instruction: 'one instruction',
  hypercall: 'to the previous hypercall',
  event: 'to the previous event delivery',
};

export async function stepBack(port: SnapshotPort, store: ShareStore, unit: StepBackUnit): Promise<void> {
  const r = await busy(store, 'stepping back', () => port.request({ type: 'step-back', unit }));
  if (r.error !== undefined) say(store, 'error', because(`Could not step back ${UNIT_WORDS[unit]}`, r.error));
}
