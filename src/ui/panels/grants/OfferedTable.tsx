// What a domain grants: each entry in use of its grant table, and who has it mapped.
import type { GrantUse, OfferedGrant } from '../../lib/grants/mappings';
import { hex } from '../../lib/grants/mappings';
import { mapFlagsText } from '../../lib/grants/entries';
import { GrantFlags } from './GrantFlags';
import { VirtualRows } from './VirtualRows';

const ROW_PX = 32;

function describeUse(u: GrantUse): string {
  return `d${u.mapper} (handle ${u.handle}${u.hostAddr ? ` at ${hex(u.hostAddr)}` : ''}, ${mapFlagsText(u.flags)})`;
}

export function OfferedTable({ domid, rows }: { domid: number; rows: readonly OfferedGrant[] }) {
  if (rows.length === 0) return <p className="pv-empty">d{domid} grants nothing right now.</p>;
  return (
    <div className="gnt-table" role="table" aria-label={`Grants offered by d${domid}`} aria-rowcount={rows.length + 1}>
      <div className="gnt-row gnt-offered gnt-head" role="row">
        <span role="columnheader">ref</span>
        <span role="columnheader">flags</span>
        <span role="columnheader">to</span>
        <span role="columnheader">frame</span>
        <span role="columnheader">mapped by</span>
      </div>
      <VirtualRows
        count={rows.length}
        rowPx={ROW_PX}
        testId="grants-offered"
        row={(i, top) => {
          const g = rows[i]!;
          return (
            <div key={g.ref} className="gnt-row gnt-offered" role="row" style={{ transform: `translateY(${top}px)` }} data-ref={g.ref} data-mapped={g.uses.length}>
              <span role="cell" className="gnt-ref">{g.ref}</span>
              <span role="cell"><GrantFlags flags={g.flags} /></span>
              <span role="cell">d{g.domid}</span>
              <span role="cell">{hex(g.frame, 5)}</span>
              <span role="cell" className={g.uses.length ? 'gnt-mapped' : 'pv-muted'}>
                {g.uses.length ? g.uses.map(describeUse).join('; ') : 'not mapped'}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}
