// The keyboard shortcuts: one listener on the window, in the capture phase so
// that function keys reach us before a focused terminal takes them. Plain keys
// ('?', 'N', '[') are left alone while focus is in a terminal or a text field,
// where they are typing.
import { useEffect } from 'react';
import { ACTIONS } from './index';
import { actionContext, perform } from './context';
import { isGlobal, matches } from './keys';

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest('input, textarea, select, .xterm') !== null;
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat && !/^F\d/.test(e.key)) return;
      const typing = typingIn(e.target);
      const ctx = actionContext();
      for (const action of ACTIONS) {
        const key = action.keys.find((k) => matches(e, k) && (!typing || isGlobal(k)));
        if (!key || !action.enabled(ctx)) continue;
        e.preventDefault();
        e.stopPropagation();
        perform(action, ctx);
        return;
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}
