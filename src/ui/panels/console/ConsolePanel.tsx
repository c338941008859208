import { machineStore, useMachine } from '../../store/machineStore';
import { describeDomain, describeMachine } from './domainText';
import { GuestTerminal } from './GuestTerminal';

/** The Console panel: one tab per guest domain, its hvc0 terminal below. */
export function ConsolePanel() {
  const domid = useMachine((s) => s.consoleDomid);
  const domains = useMachine((s) => s.domains);
  const phase = useMachine((s) => s.phase);
  const message = useMachine((s) => s.message);
  const imageName = useMachine((s) => s.imageName);
  const guests = Object.values(domains).filter((d) => d.domid !== 0).sort((a, b) => a.domid - b.domid);
  const domain = domid === null ? undefined : domains[domid];
  const state = domain && phase !== 'failed' ? describeDomain(domain) : describeMachine(phase, message, imageName);
  return (
    <section className="console-panel" data-panel="console">
      <header className="console-header">
        <div className="console-tabs" role="tablist" aria-label="Guest consoles">
          {guests.map((d) => (
            <button
              key={d.domid}
              type="button"
              role="tab"
              className="console-tab"
              aria-selected={d.domid === domid}
              data-testid={`console-tab-${d.domid}`}
              onClick={() => machineStore.setState({ consoleDomid: d.domid })}
            >
              {d.name} <span className="console-tab-id">d{d.domid}</span>
            </button>
          ))}
        </div>
        <span className="console-state" data-testid="console-state" data-phase={phase}>
          {state}
        </span>
      </header>
      <GuestTerminal domid={domid} />
    </section>
  );
}
