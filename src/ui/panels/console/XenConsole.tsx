import { useEffect } from 'react';
import { consoleStreams } from '../../client/consoleStreams';
import { useTerminal } from './useTerminal';

/** The hypervisor console: console_io from the domains and the hypervisor's own messages. */
export function XenConsole() {
  const { ref, term } = useTerminal({ input: false, fontSize: 12 });

  useEffect(() => {
    if (!term) return;
    return consoleStreams.subscribe('xen', (bytes) => term.write(bytes));
  }, [term]);

  return (
    <section className="xen-console" aria-label="Xen console">
      <div className="xen-console-title">Xen console</div>
      <div className="terminal" ref={ref} data-testid="xen-console" />
    </section>
  );
}
