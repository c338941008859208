import { useEffect } from 'react';
import { consoleStreams } from '../../client/consoleStreams';
import { sendConsoleInput } from '../../client/useWorkerClient';
import { useTerminal } from './useTerminal';

const encoder = new TextEncoder();

/** A domain's PV console (hvc0): its output, and keystrokes back to it. */
export function GuestTerminal({ domid }: { domid: number | null }) {
  const { ref, term } = useTerminal({ input: true });

  useEffect(() => {
    if (!term || domid === null) return;
    term.reset();
    // Bytes go straight to xterm, which decodes UTF-8 itself.
    const unsubscribe = consoleStreams.subscribe(`guest:${domid}`, (bytes) => term.write(bytes));
    const typing = term.onData((data) => sendConsoleInput(domid, encoder.encode(data)));
    return () => {
      typing.dispose();
      unsubscribe();
    };
  }, [term, domid]);

  return <div className="terminal guest-terminal" ref={ref} data-testid="guest-console" />;
}
