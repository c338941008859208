// What a domain has mapped of other domains' grants (its maptrack), as the worker reports it.
import type { GrantMapInfo } from '../../../protocol/messages';
import { hex } from '../../lib/grants/mappings';
import { mapFlagsText } from '../../lib/grants/entries';
import { VirtualRows } from './VirtualRows';

const ROW_PX = 32;

export function MappedTable({ domid, maps }: { domid: number; maps: readonly GrantMapInfo[] }) {
  if (maps.length === 0) return <p className="pv-empty">d{domid} has no foreign grants mapped.</p>;
  return (
    <div className="gnt-table" role="table" aria-label={`Grants mapped by d${domid}`} aria-rowcount={maps.length + 1}>
      <div className="gnt-row gnt-mapped-row gnt-head" role="row">
        <span role="columnheader">handle</span>
        <span role="columnheader">grant</span>
        <span role="columnheader">frame</span>
        <span role="columnheader">mapped at</span>
        <span role="columnheader">how</span>
      </div>
      <VirtualRows
        count={maps.length}
        rowPx={ROW_PX}
        testId="grants-mapped"
        row={(i, top) => {
          const m = maps[i]!;
          return (
            <div key={m.handle} className="gnt-row gnt-mapped-row" role="row" style={{ transform: `translateY(${top}px)` }} data-granter={m.granter} data-ref={m.ref}>
              <span role="cell">{m.handle}</span>
              <span role="cell" className="gnt-ref">d{m.granter} ref {m.ref}</span>
              <span role="cell">{m.mfn >= 0 ? hex(m.mfn, 5) : '?'}</span>
              <span role="cell">{m.hostAddr ? hex(m.hostAddr) : 'no host mapping'}</span>
              <span role="cell">{mapFlagsText(m.flags)}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
