import { PROTOCOL_VERSION, type DomainOp } from '../../../protocol/messages';
import { workerClient } from '../../client/useWorkerClient';
import { machineStore, useMachine } from '../../store/machineStore';
import { focusPanel, uiStore } from '../../store/uiStore';
import { domainRows } from './rows';

const OP_LABELS: Record<DomainOp, string> = {
  pause: 'Pause', unpause: 'Unpause', reboot: 'Reboot', shutdown: 'Shut down', destroy: 'Destroy',
};
const OP_TIPS: Record<DomainOp, string> = {
  pause: 'xl pause: stop scheduling its vcpus',
  unpause: 'xl unpause: let its vcpus run again',
  reboot: 'xl reboot: ask the guest (control/shutdown = reboot); it is restarted when it goes down',
  shutdown: 'xl shutdown: ask the guest to power off (control/shutdown = poweroff)',
  destroy: 'xl destroy: tear it down now, releasing every frame, port and grant',
};

function op(domid: number, which: DomainOp): void {
  workerClient()?.command({ v: PROTOCOL_VERSION, type: 'domain-op', domid, op: which });
}

/** `xl list`, live, with the lifecycle operations of each domain. */
export function DomainsPanel() {
  const domains = useMachine((s) => s.domains);
  const counters = useMachine((s) => s.counters);
  const rows = domainRows(domains, counters);
  return (
    <section className="domains-panel" data-panel="domains">
      <header className="panel-header">
        <span className="panel-summary">{rows.length === 0 ? 'no machine yet' : `${rows.length} domains`}</span>
        <button type="button" className="small-button" onClick={() => uiStore.setState({ newDomainOpen: true })} data-testid="new-domain">
          New domain…
        </button>
      </header>
      <div className="table-scroll">
        <table className="domains-table" data-testid="domains-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">ID</th>
              <th className="num" title="Memory in MiB">Mem</th>
              <th className="num">VCPUs</th>
              <th title="xl's state letters: r running, b blocked, p paused, s shut down, c crashed, d dying">State</th>
              <th className="num" title="Virtual CPU time in seconds">Time(s)</th>
              <th className="num" title="Hypercalls made">Hcalls</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.domid} data-domid={r.domid} data-testid={`domain-row-${r.domid}`}>
                <td>
                  {r.domid === 0 ? (
                    r.name
                  ) : (
                    <button
                      type="button"
                      className="link-button"
                      title="Show its console"
                      onClick={() => {
                        machineStore.setState({ consoleDomid: r.domid });
                        focusPanel('console');
                      }}
                    >
                      {r.name}
                    </button>
                  )}
                  {r.crashReason && <div className="crash-reason">{r.crashReason}</div>}
                </td>
                <td className="num">{r.domid}</td>
                <td className="num">{r.memMiB}</td>
                <td className="num">{r.vcpus}</td>
                <td>
                  <code className="xl-state" data-testid="xl-state">{r.state}</code>
                  <div className="state-word">{r.stateWord}</div>
                </td>
                <td className="num">{r.cpuSeconds}</td>
                <td className="num">{r.hypercalls.toLocaleString('en-US')}</td>
                <td>
                  <div className="row-ops">
                    {r.ops.map((o) => (
                      <button key={o} type="button" className={`small-button op-${o}`} title={OP_TIPS[o]} onClick={() => op(r.domid, o)}>
                        {OP_LABELS[o]}
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
