// The UI's own state, apart from the machine's: the theme, which overlays are
// open, the step count, and requests to show a panel (`xl console 2` asks for the
// console of domain 2). A vanilla zustand store like the others; the theme
// choice is remembered in localStorage.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export type ThemeChoice = 'system' | 'dark' | 'light';

export interface UiState {
  theme: ThemeChoice;
  helpOpen: boolean;
  newDomainOpen: boolean;
  /** Instructions one 'step instruction' runs. */
  stepCount: number;
  /** A panel to bring to the front; `seq` makes a repeated request new. */
  focus: { panel: string; seq: number } | null;
}

export const THEME_KEY = 'pvplay.theme';

type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

export function loadTheme(storage: KeyValue | undefined): ThemeChoice {
  try {
    const t = storage?.getItem(THEME_KEY);
    return t === 'dark' || t === 'light' || t === 'system' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function createUiStore(storage?: KeyValue) {
  const store = createStore<UiState>()(() => ({
    theme: loadTheme(storage),
    helpOpen: false,
    newDomainOpen: false,
    stepCount: 1,
    focus: null,
  }));
  store.subscribe((s, prev) => {
    if (s.theme === prev.theme) return;
    try {
      storage?.setItem(THEME_KEY, s.theme);
    } catch {
      // Storage may be full or denied; the theme is a convenience.
    }
  });
  return store;
}

export type UiStore = ReturnType<typeof createUiStore>;

/** The page's one UI store. */
export const uiStore = createUiStore(typeof window === 'undefined' ? undefined : window.localStorage);

export function useUi<T>(select: (s: UiState) => T): T {
  return useStore(uiStore, select);
}

/** Bring a panel to the front (the workspace listens). */
export function focusPanel(panel: string): void {
  uiStore.setState((s) => ({ focus: { panel, seq: (s.focus?.seq ?? 0) + 1 } }));
}
