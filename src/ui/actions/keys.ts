// Matching key events against an action's key names ('F8', 'Shift+F9',
// 'Alt+Shift+R', '?'), and deciding which keys may fire where.

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

interface Combo {
  key: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean | null;
}

export function parseCombo(name: string): Combo {
  const parts = name.split('+');
  // '+' itself would split into empty parts; we use no such key.
  const key = parts.pop() ?? '';
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  // A printable character already says whether Shift was down ('?' is Shift+/).
  const printable = key.length === 1;
  return { key, ctrl: mods.has('ctrl'), alt: mods.has('alt'), shift: printable && !mods.has('shift') ? null : mods.has('shift') };
}

/** The key a letter or digit combo stands for, whatever the layout or Alt does to e.key. */
function keyOf(e: KeyLike, wanted: string): string {
  if (/^[A-Z]$/i.test(wanted) && e.code?.startsWith('Key')) return e.code.slice(3);
  if (/^\d$/.test(wanted) && e.code?.startsWith('Digit')) return e.code.slice(5);
  return e.key;
}

export function matches(e: KeyLike, name: string): boolean {
  const c = parseCombo(name);
  if (e.metaKey || e.ctrlKey !== c.ctrl || e.altKey !== c.alt) return false;
  if (c.shift !== null && e.shiftKey !== c.shift) return false;
  const k = keyOf(e, c.key);
  return /^[A-Z]$/i.test(c.key) ? k.toUpperCase() === c.key.toUpperCase() : k === c.key;
}

/** Keys that work while typing in a terminal or a field: function keys, and combos with Ctrl or Alt. */
export function isGlobal(name: string): boolean {
  const c = parseCombo(name);
  return c.ctrl || c.alt || /^F\d{1,2}$/.test(c.key);
}

/** How the help overlay and tooltips write a key. */
export function keyLabel(name: string): string {
  return name.replace(/\+/g, ' + ');
}
