// The colour scheme in force: the user's choice (uiStore.theme), or the system's
// light or dark preference, followed live. The scheme is also put on <html> as
// data-theme, which the style sheet's colours key on.
import { useEffect, useSyncExternalStore } from 'react';
import { useUi, type ThemeChoice } from '../store/uiStore';

export type ColorScheme = 'light' | 'dark';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

function systemScheme(): ColorScheme {
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

export function resolveScheme(choice: ThemeChoice, system: ColorScheme): ColorScheme {
  return choice === 'system' ? system : choice;
}

export function useColorScheme(): ColorScheme {
  const system = useSyncExternalStore(subscribe, systemScheme, () => 'dark' as const);
  return resolveScheme(useUi((s) => s.theme), system);
}

/** Keeps <html data-theme> in step with the scheme; mount once, at the top. */
export function useThemeAttribute(): void {
  const scheme = useColorScheme();
  useEffect(() => {
    document.documentElement.dataset.theme = scheme;
  }, [scheme]);
}
