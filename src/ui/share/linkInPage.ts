// Whether the page's address holds a share link: read at the very start
// (client/earlyStart.ts), so this module imports nothing heavy.
import { parseLinkFragment } from '../../protocol/share';

/** Does the page's address hold a share link (usable or not)? Then the default guest waits. */
export function linkInPage(): boolean {
  return typeof window !== 'undefined' && parseLinkFragment(window.location.hash) !== null;
}
