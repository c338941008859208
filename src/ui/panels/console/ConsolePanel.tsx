import { useMachine } from '../../store/machineStore';
import { describeDomain, describeMachine } from './domainText';
import { GuestTerminal } from './GuestTerminal';
import { XenConsole } from './XenConsole';

/** The Console panel: the booted guest's hvc0 terminal above the hypervisor console. */
export function ConsolePanel() {
  const domid = useMachine((s) => s.consoleDomid);
  const domain = useMachine((s) => (s.consoleDomid === null ? undefined : s.domains[s.consoleDomid]));
  const phase = useMachine((s) => s.phase);
  const message = useMachine((s) => s.message);
  const imageName = useMachine((s) => s.imageName);
  const state = domain && phase !== 'failed' ? describeDomain(domain) : describeMachine(phase, message, imageName);
  return (
    <section className="console-panel" data-panel="console">
      <header className="console-header">
        <h2>Console</h2>
        <span className="console-state" data-testid="console-state" data-phase={phase}>
          {state}
        </span>
      </header>
      <GuestTerminal domid={domid} />
      <XenConsole />
    </section>
  );
}
