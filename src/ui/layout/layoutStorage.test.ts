import { describe, expect, it } from 'vitest';
import type { SerializedDockview } from 'dockview-react';
import { LAYOUT_KEY, forgetLayout, loadLayout, saveLayout } from './layoutStorage';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

const layout = { grid: { root: {}, height: 1, width: 1, orientation: 'HORIZONTAL' }, panels: {} } as unknown as SerializedDockview;

describe('layout storage', () => {
  it('round-trips a layout', () => {
    const s = memoryStorage();
    saveLayout(s, layout);
    expect(loadLayout(s)).toEqual(layout);
    forgetLayout(s);
    expect(loadLayout(s)).toBeNull();
  });

  it('drops what is not a layout', () => {
    expect(loadLayout(memoryStorage({ [LAYOUT_KEY]: '{not json' }))).toBeNull();
    expect(loadLayout(memoryStorage({ [LAYOUT_KEY]: '{"grid":1}' }))).toBeNull();
  });

  it('survives storage that throws', () => {
    const denied = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadLayout(denied)).toBeNull();
    expect(() => saveLayout(denied, layout)).not.toThrow();
  });
});
