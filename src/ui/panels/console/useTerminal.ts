// An xterm.js terminal living in a div for as long as the component is mounted,
// sized to the div (FitAddon, refitted whenever the div changes size, which the
// dock layout does often) and coloured to match the page's scheme.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { useColorScheme } from '../../theme/useColorScheme';

const DARK: ITheme = { background: '#15171b', foreground: '#d8dbe2', cursor: '#6cb6ff', selectionBackground: '#3a4a63' };
const LIGHT: ITheme = { background: '#ffffff', foreground: '#1f2329', cursor: '#0b62c4', selectionBackground: '#c6dcf5' };

function applyTheme(t: Terminal, dark: boolean): void {
  t.options.theme = dark ? DARK : LIGHT;
}

export interface TerminalOptions {
  /** Accept keyboard input (the Xen console is read-only). */
  input: boolean;
  fontSize?: number;
}

export function useTerminal(options: TerminalOptions): { ref: RefObject<HTMLDivElement | null>; term: Terminal | null } {
  const ref = useRef<HTMLDivElement | null>(null);
  const [term, setTerm] = useState<Terminal | null>(null);
  const scheme = useColorScheme();
  const { input, fontSize } = options;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const t = new Terminal({
      convertEol: false,
      cursorBlink: input,
      disableStdin: !input,
      fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: fontSize ?? 13,
      scrollback: 5000,
    });
    const fit = new FitAddon();
    t.loadAddon(fit);
    t.attachCustomKeyEventHandler((e) => clipboardKey(t, e, input));
    t.open(el);
    const refit = () => {
      // A hidden or collapsed panel has no size; fitting then would give 0 columns.
      if (el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    setTerm(t);
    return () => {
      observer.disconnect();
      setTerm(null);
      t.dispose();
    };
  }, [input, fontSize]);

  useEffect(() => {
    if (term) applyTheme(term, scheme === 'dark');
  }, [term, scheme]);

  return { ref, term };
}

/**
 * Copy and paste as terminals on Linux do: Ctrl+Shift+C copies the selection,
 * Ctrl+Shift+V pastes; Ctrl+C with a selection copies instead of sending ^C.
 * Returns false for keys handled here (xterm then ignores them).
 */
function clipboardKey(t: Terminal, e: KeyboardEvent, input: boolean): boolean {
  if (e.type !== 'keydown' || !e.ctrlKey || e.altKey || e.metaKey) return true;
  const key = e.key.toLowerCase();
  if (key === 'c' && (e.shiftKey || t.hasSelection())) {
    const text = t.getSelection();
    if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
    e.preventDefault();
    return false;
  }
  if (key === 'v' && e.shiftKey) {
    e.preventDefault();
    if (input) void navigator.clipboard?.readText().then((text) => t.paste(text)).catch(() => undefined);
    return false;
  }
  return true;
}
