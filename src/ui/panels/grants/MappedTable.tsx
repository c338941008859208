// What a domain has mapped of other domains' grants (its maptrack), as the worker reports it.
import type { GrantMapInfo } from '../../../protocol/messages';
import { mapFlagsText } from '../../lib/grants/entries';
import { hex } from '../../lib/grants/mappings';
import { VirtualTable } from '../trace/VirtualTable';

const ROW_PX = 32;
const HEAD_PX = 28;

const header = (
  <div className="gnt-row gnt-mapped-row pv-th" role="row">
    <span role="columnheader">handle</span>
    <span role="columnheader">grant</span>
    <span role="columnheader">frame</span>
    <span role="columnheader">mapped at</span>
    <span role="columnheader">how</span>
  </div>
);

export function MappedTable({ domid, maps }: { domid: number; maps: readonly GrantMapInfo[] }) {
  if (maps.length === 0) return <p className="pv-empty">d{domid} has no foreign grants mapped.</p>;
  return (
    <VirtualTable
      count={maps.length}
      rowPx={ROW_PX}
      headPx={HEAD_PX}
      header={header}
      label={`Grants mapped by d${domid}`}
      testId="grants-mapped"
      row={(i, top) => {
        const m = maps[i]!;
        return (
          <div
            key={m.handle}
            className={`gnt-row gnt-mapped-row${i % 2 ? ' pv-odd' : ''}`}
            role="row"
            style={{ transform: `translateY(${top}px)` }}
            data-granter={m.granter}
            data-ref={m.ref}
          >
            <span role="cell">{m.handle}</span>
            <span role="cell" className="gnt-ref">d{m.granter} ref {m.ref}</span>
            <span role="cell">{m.mfn >= 0 ? hex(m.mfn, 5) : '?'}</span>
            <span role="cell">{m.hostAddr ? hex(m.hostAddr) : 'no host mapping'}</span>
            <span role="cell">{mapFlagsText(m.flags)}</span>
          </div>
        );
      }}
    />
  );
}
