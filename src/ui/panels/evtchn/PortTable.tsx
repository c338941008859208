// A domain's bound ports as a virtualized table: a handful of ports or all 1024 cost the same.
import { useFixedVirtualizer } from '../trace/useFixedVirtualizer';
import { useRef } from 'react';
import type { PortInfo } from '../../../protocol/messages';
import type { DomainActivity } from '../../lib/evtchn/activity';
import { PortRow } from './PortRow';

const ROW_PX = 34;
const NO_SERIES: readonly number[] = [];

interface PortTableProps {
  domid: number;
  ports: readonly PortInfo[];
  bits: Uint8Array;
  readable: boolean;
  activity: DomainActivity | undefined;
  /** The current bucket for the charts and the time flashes are measured against. */
  bucket: number;
  now: number;
}

export function PortTable({ domid, ports, bits, readable, activity, bucket, now }: PortTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useFixedVirtualizer(ports.length, ROW_PX, scroller);
  return (
    <div className="evt-table" role="table" aria-label={`Event channels of d${domid}`} aria-rowcount={ports.length + 1}>
      <div className="evt-row evt-head" role="row">
        <span role="columnheader">Port</span>
        <span role="columnheader">Bound to</span>
        <span role="columnheader" title="The vcpu the port notifies">vcpu</span>
        <span role="columnheader" title="Pending bit in shared_info">P</span>
        <span role="columnheader" title="Mask bit in shared_info">M</span>
        <span role="columnheader" className="evt-num">sent</span>
        <span role="columnheader" className="evt-num">notified</span>
        <span role="columnheader" className="evt-num">delivered</span>
        <span role="columnheader">activity</span>
        <span role="columnheader">actions</span>
      </div>
      <div ref={scroller} className="evt-scroller" data-testid="evtchn-ports">
        <div style={{ height: v.getTotalSize(), position: 'relative' }} role="rowgroup">
          {v.getVirtualItems().map((item) => {
            const p = ports[item.index]!;
            const a = activity?.ports.get(p.port);
            return (
              <PortRow
                key={p.port}
                domid={domid}
                port={p}
                bits={bits[item.index] ?? 0}
                readable={readable}
                activity={a}
                series={a ? a.series.values(bucket) : NO_SERIES}
                now={now}
                top={item.start}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
