import { describe, expect, it } from 'vitest';
import { isGlobal, matches } from './keys';
import { ACTIONS } from './index';

const ev = (key: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean; code: string }> = {}) => ({
  key, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods,
});

describe('key matching', () => {
  it('matches function keys with and without Shift exactly', () => {
    expect(matches(ev('F9'), 'F9')).toBe(true);
    expect(matches(ev('F9', { shiftKey: true }), 'F9')).toBe(false);
    expect(matches(ev('F9', { shiftKey: true }), 'Shift+F9')).toBe(true);
    expect(matches(ev('F10'), 'F1')).toBe(false);
  });

  it('matches printable characters whatever Shift it took to type them', () => {
    expect(matches(ev('?', { shiftKey: true }), '?')).toBe(true);
    expect(matches(ev(']'), ']')).toBe(true);
    expect(matches(ev('?', { ctrlKey: true, shiftKey: true }), '?')).toBe(false);
  });

  it('matches letters by their physical key when Alt changes the character', () => {
    expect(matches(ev('®', { altKey: true, shiftKey: true, code: 'KeyR' }), 'Alt+Shift+R')).toBe(true);
    expect(matches(ev('r', { altKey: true, code: 'KeyR' }), 'Alt+Shift+R')).toBe(false);
    expect(matches(ev('n', { code: 'KeyN' }), 'N')).toBe(true);
    expect(matches(ev('¡', { altKey: true, code: 'Digit1' }), 'Alt+1')).toBe(true);
  });

  it('lets function keys and Alt/Ctrl combos through from terminals, not plain keys', () => {
    expect(isGlobal('F8')).toBe(true);
    expect(isGlobal('Alt+Shift+R')).toBe(true);
    expect(isGlobal('?')).toBe(false);
    expect(isGlobal('N')).toBe(false);
  });
});

describe('the action registry', () => {
  it('has unique ids, and no key fires two actions that can be enabled together', () => {
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
    const owners = new Map<string, string[]>();
    for (const a of ACTIONS) for (const k of a.keys) owners.set(k, [...(owners.get(k) ?? []), a.id]);
    // F8 is shared on purpose: run when paused, pause when running.
    for (const [k, ids] of owners) expect(ids.length === 1 || (k === 'F8' && ids.join() === 'run,pause'), k).toBe(true);
  });
});
