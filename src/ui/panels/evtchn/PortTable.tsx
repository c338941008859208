// A domain's bound ports as a virtualized table: a handful of ports or all 1024 cost the same.
import type { PortInfo } from '../../../protocol/messages';
import type { DomainActivity } from '../../lib/evtchn/activity';
import { VirtualTable } from '../trace/VirtualTable';
import { FLASH_MS, PortRow } from './PortRow';

const ROW_PX = 34;
const HEAD_PX = 28;

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

const header = (
  <div className="evt-row pv-th" role="row">
    <span role="columnheader" className="evt-num">port</span>
    <span role="columnheader">bound to</span>
    <span role="columnheader" title="The vcpu the port notifies">vcpu</span>
    <span role="columnheader" title="Pending bit in shared_info">P</span>
    <span role="columnheader" title="Mask bit in shared_info">M</span>
    <span role="columnheader" className="evt-num" title="Sent through this port">sent</span>
    <span role="columnheader" className="evt-num" title="Notifications that reached this port">recv</span>
    <span role="columnheader" className="evt-num" title="Taken by the guest's upcall">deliv</span>
    <span role="columnheader" title="Signals over the last seconds">recent</span>
    <span role="columnheader">actions</span>
  </div>
);

export function PortTable({ domid, ports, bits, readable, activity, bucket, now }: PortTableProps) {
  return (
    <VirtualTable
      className="evt-table"
      count={ports.length}
      rowPx={ROW_PX}
      headPx={HEAD_PX}
      header={header}
      label={`Event channels of d${domid}`}
      testId="evtchn-ports"
      row={(i, top) => {
        const p = ports[i]!;
        const a = activity?.ports.get(p.port);
        const lit = !a ? null : now - a.lastDeliverMs < FLASH_MS ? 'deliver' : now - a.lastSignalMs < FLASH_MS ? 'signal' : null;
        return (
          <PortRow
            key={p.port}
            odd={i % 2 === 1}
            domid={domid}
            port={p}
            bits={bits[i] ?? 0}
            readable={readable}
            activity={a}
            version={a?.version ?? -1}
            bucket={bucket}
            lit={lit}
            top={top}
          />
        );
      }}
    />
  );
}
