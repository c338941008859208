// Whether a dockview panel is on screen (not a background tab): live views run
// their animation-frame loops only while it is.
import { useSyncExternalStore } from 'react';

/** The part of dockview's panel API this needs. */
export interface VisibilityApi {
  readonly isVisible: boolean;
  onDidVisibilityChange(listener: (e: { isVisible: boolean }) => void): { dispose(): void };
}

export function usePanelVisible(api: VisibilityApi | undefined): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const sub = api?.onDidVisibilityChange(onChange);
      return () => sub?.dispose();
    },
    () => api?.isVisible ?? true,
  );
}
