// Links in the page's address: at load, the machine a link holds is opened
// instead of the default guest (which boots only if the link cannot be used);
// later, pasting another link into the address bar changes only the fragment,
// and that machine is opened in place of the running one.
import { useEffect } from 'react';
import { openLink } from './operations';
import { sharePage, snapshotPort } from './session';
import { shareStore } from './shareStore';
import { machineStore } from '../store/machineStore';

/** Open the page's link; `fallback` (booting the default guest) when it cannot be used. */
export async function openAtLoad(fallback: () => void): Promise<void> {
  const port = snapshotPort();
  const ok = port !== null && (await openLink(port, shareStore, sharePage(), window.location.hash));
  if (!ok) fallback();
}

/** Open each link the address bar is given while the page is open. */
export function useLinkChanges(): void {
  useEffect(() => {
    const open = () => {
      const port = snapshotPort();
      const phase = machineStore.getState().phase;
      const running = phase === 'running' || phase === 'paused' || phase === 'stopped';
      if (port) void openLink(port, shareStore, sharePage(), window.location.hash, running);
    };
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);
}
