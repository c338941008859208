import { useEffect } from 'react';
import { consoleStreams } from '../../client/consoleStreams';
import { sendConsoleInput } from '../../client/useWorkerClient';
import { uiStore } from '../../store/uiStore';
import { useMachine } from '../../store/machineStore';
import { useTerminal } from './useTerminal';

const encoder = new TextEncoder();

/** A domain's PV console (hvc0): its output, and keystrokes back to it. */
export function GuestTerminal({ domid }: { domid: number | null }) {
  const { ref, term } = useTerminal({ input: true });
  // A new machine (boot, reset): start the screen afresh even if the domid is the same.
  const bootSeq = useMachine((s) => s.bootSeq);

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
  }, [term, domid, bootSeq]);

  // `xl console N` (and the domains panel) bring the console forward: take the keyboard too.
  useEffect(() => {
    if (!term) return;
    return uiStore.subscribe((s, prev) => {
      if (s.focus !== prev.focus && s.focus?.panel === 'console') term.focus();
    });
  }, [term]);

  return <div className="term-host guest-terminal" ref={ref} data-testid="guest-console" />;
}
