// What the UI knows of snapshots, links and the timeline: the banner of a
// machine opened from a link or file, the last link made, a message about the
// last thing that could not be done, and the timeline. A vanilla zustand store,
// written by the snapshot port (port.ts) and the share actions.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { MachineSummary, TimelineInfo } from '../../protocol/snapshots';

export interface Banner {
  /** Where the machine came from. */
  from: 'link' | 'file';
  /** The file's name, for a file. */
  name?: string;
  summary: MachineSummary;
}

export interface MadeLink {
  url: string;
  summary: MachineSummary;
  why: string;
  /** Did the clipboard take it? (It may refuse: no permission, no focus.) */
  copied: boolean;
}

export interface ShareMessage {
  tone: 'error' | 'info';
  text: string;
  /** Counts messages, so the same text twice still shows as new. */
  seq: number;
}

export interface ShareState {
  banner: Banner | null;
  link: MadeLink | null;
  message: ShareMessage | null;
  timeline: TimelineInfo | null;
  /** What is under way ('sharing', 'restoring', 'seeking'...), or null. */
  busy: string | null;
}

export const INITIAL_SHARE_STATE: ShareState = { banner: null, link: null, message: null, timeline: null, busy: null };

export function createShareStore() {
  return createStore<ShareState>()(() => INITIAL_SHARE_STATE);
}

export type ShareStore = ReturnType<typeof createShareStore>;

/** The page's one share store. */
export const shareStore = createShareStore();

export function useShare<T>(select: (s: ShareState) => T): T {
  return useStore(shareStore, select);
}

/** Say something about the last share, restore or seek. */
export function say(store: ShareStore, tone: ShareMessage['tone'], text: string): void {
  store.setState((s) => ({ message: { tone, text, seq: (s.message?.seq ?? 0) + 1 } }));
}
