// Event channels, per domain: every bound port with its binding, notify vcpu and live
// pending / masked bits from shared_info, each vcpu's upcall bits from its vcpu_info, and
// activity gathered from the trace ring (counts, flashes, charts). Inject, mask and unmask
// go to the worker as commands.
import { useState } from 'react';
import type { PortInfo } from '../../../protocol/messages';
import { useMachine } from '../../store/machineStore';
import { portSummary } from '../../lib/evtchn/ports';
import { traceFeed } from '../trace/traceFeed';
import { DomainPicker, useShownDomain } from './DomainPicker';
import { PortTable } from './PortTable';
import { Sparkline } from './Sparkline';
import { useBucketClock } from './useBucketClock';
import { useDomainActivity } from './useDomainActivity';
import { useLiveEvents } from './useLiveEvents';
import { VcpuStrip } from './VcpuStrip';
import './evtchn.css';

const NO_PORTS: readonly PortInfo[] = [];

export function EventChannelsPanel() {
  const [chosen, setChosen] = useState<number | null>(null);
  const domid = useShownDomain(chosen);
  const domain = useMachine((s) => (domid === null ? undefined : s.domains[domid]));
  const ports = useMachine((s) => (domid === null ? NO_PORTS : (s.ports[domid] ?? NO_PORTS)));
  const live = useLiveEvents(domain, ports);
  const act = useDomainActivity(domid);
  const activity = traceFeed.activity;
  const windowMs = activity.buckets * activity.bucketMs;
  // The clock runs while the chart still shows something (or a row is still lit).
  const clock = useBucketClock(activity.bucketMs, act !== undefined && traceFeed.now - act.lastMs < windowMs + activity.bucketMs);
  const now = Math.max(clock, traceFeed.now);
  const bucket = activity.bucketAt(now);
  const sum = portSummary(ports, live.bits);
  const seconds = windowMs / 1000;

  return (
    <section className="pv-panel evt-panel" data-panel="event-channels" aria-label="Event channels">
      <header className="pv-bar pv-head">
        <h2>Event channels</h2>
        <DomainPicker value={domid} onChange={setChosen} label="Domain" />
        <span className="pv-spacer" />
        {domid !== null && (
          <span className="pv-muted" data-testid="evtchn-summary">
            {sum.bound} ports · {sum.pending} pending · {sum.masked} masked
          </span>
        )}
      </header>
      {domid === null ? (
        <p className="pv-empty">No machine is running yet.</p>
      ) : (
        <>
          <div className="pv-bar evt-overview">
            <VcpuStrip vcpus={live.vcpus} upcalls={act?.upcalls ?? []} />
            <span className="pv-spacer" />
            <span className="evt-legend">
              <span className="evt-key evt-key-signal" /> signalled <span className="evt-key evt-key-deliver" /> delivered · last {seconds} s
            </span>
            <Sparkline
              values={act ? act.signals.values(bucket) : []}
              overlay={act ? act.deliveries.values(bucket) : []}
              width={200}
              height={30}
              label={`d${domid}: events signalled and delivered over the last ${seconds} seconds`}
            />
          </div>
          {ports.length === 0 ? (
            <p className="pv-empty">d{domid} has no bound ports yet.</p>
          ) : (
            <PortTable domid={domid} ports={ports} bits={live.bits} readable={live.readable} activity={act} bucket={bucket} now={now} />
          )}
        </>
      )}
    </section>
  );
}
