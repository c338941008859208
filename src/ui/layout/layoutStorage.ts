// The docking layout survives reloads in localStorage. A layout that fails to
// parse, or was saved by an incompatible version, is dropped, not repaired.
import type { SerializedDockview } from 'dockview-react';

export const LAYOUT_KEY = 'pvplay.layout.v1';

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadLayout(storage: KeyValue): SerializedDockview | null {
  const raw = safely(() => storage.getItem(LAYOUT_KEY));
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isSerializedDockview(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveLayout(storage: KeyValue, layout: SerializedDockview): void {
  // Storage may be full or denied (private windows); the layout is a convenience.
  safely(() => storage.setItem(LAYOUT_KEY, JSON.stringify(layout)));
}

export function forgetLayout(storage: KeyValue): void {
  safely(() => storage.removeItem(LAYOUT_KEY));
}

function isSerializedDockview(x: unknown): x is SerializedDockview {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.grid === 'object' && o.grid !== null && typeof o.panels === 'object' && o.panels !== null;
}

function safely<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
