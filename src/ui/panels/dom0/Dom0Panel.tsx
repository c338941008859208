// Domain 0's terminal: shows the shell session's output (dom0Shell.ts, replayed
// from the start when the terminal mounts) and passes keystrokes to it.
import { useEffect } from 'react';
import { consoleStreams } from '../../client/consoleStreams';
import { useTerminal } from '../console/useTerminal';
import { dom0Shell } from './dom0Shell';

export function Dom0Panel() {
  const { ref, term } = useTerminal({ input: true });

  useEffect(() => {
    if (!term) return;
    dom0Shell.start();
    const unsubscribe = consoleStreams.subscribe('dom0', (bytes) => term.write(bytes));
    const typing = term.onData((data) => dom0Shell.input(data));
    return () => {
      typing.dispose();
      unsubscribe();
    };
  }, [term]);

  return (
    <section className="dom0-panel" data-panel="dom0">
      <div className="term-host dom0-terminal" ref={ref} data-testid="dom0-terminal" />
    </section>
  );
}
