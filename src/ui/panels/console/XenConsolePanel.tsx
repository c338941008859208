import { useEffect } from 'react';
import { consoleStreams } from '../../client/consoleStreams';
import { useTerminal } from './useTerminal';
import { useMachine } from '../../store/machineStore';

/** The hypervisor console: console_io from the domains and the hypervisor's own messages. */
export function XenConsolePanel() {
  const { ref, term } = useTerminal({ input: false, fontSize: 12 });
  const bootSeq = useMachine((s) => s.bootSeq);

  useEffect(() => {
    if (!term) return;
    term.reset();
    return consoleStreams.subscribe('xen', (bytes) => term.write(bytes));
  }, [term, bootSeq]);

  return (
    <section className="xen-console" aria-label="Xen console" data-panel="xen-console">
      <div className="term-host" ref={ref} data-testid="xen-console" />
    </section>
  );
}
