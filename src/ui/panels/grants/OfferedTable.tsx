// What a domain grants: each entry in use of its grant table, and who has it mapped.
import { GNTMAP } from '../../../abi/xen';
import { mapFlagsText } from '../../lib/grants/entries';
import { hex, type GrantUse, type OfferedGrant } from '../../lib/grants/mappings';
import { VirtualTable } from '../trace/VirtualTable';
import { GrantFlags } from './GrantFlags';

const ROW_PX = 32;
const HEAD_PX = 28;

/** Short, for the cell: who and where. */
function describeUse(u: GrantUse): string {
  const where = u.hostAddr ? ` at ${hex(u.hostAddr)}` : ' (device)';
  return `d${u.mapper}${where}${u.flags & GNTMAP.readonly ? ' ro' : ''}`;
}

/** In full, for the tooltip. */
function titleOf(u: GrantUse): string {
  return `d${u.mapper}: handle ${u.handle}${u.hostAddr ? ` at ${hex(u.hostAddr)}` : ''}, ${mapFlagsText(u.flags)}`;
}

const header = (
  <div className="gnt-row gnt-offered pv-th" role="row">
    <span role="columnheader">ref</span>
    <span role="columnheader">flags</span>
    <span role="columnheader">to</span>
    <span role="columnheader">frame</span>
    <span role="columnheader">mapped by</span>
  </div>
);

export function OfferedTable({ domid, rows }: { domid: number; rows: readonly OfferedGrant[] }) {
  if (rows.length === 0) return <p className="pv-empty">d{domid} grants nothing right now.</p>;
  return (
    <VirtualTable
      count={rows.length}
      rowPx={ROW_PX}
      headPx={HEAD_PX}
      header={header}
      label={`Grants offered by d${domid}`}
      testId="grants-offered"
      row={(i, top) => {
        const g = rows[i]!;
        return (
          <div
            key={g.ref}
            className={`gnt-row gnt-offered${i % 2 ? ' pv-odd' : ''}`}
            role="row"
            style={{ transform: `translateY(${top}px)` }}
            data-ref={g.ref}
            data-to={g.domid}
            data-mapped-by={g.uses.map((u) => u.mapper).join(' ')}
          >
            <span role="cell" className="gnt-ref">{g.ref}</span>
            <span role="cell"><GrantFlags flags={g.flags} /></span>
            <span role="cell">d{g.domid}</span>
            <span role="cell">{hex(g.frame, 5)}</span>
            <span role="cell" className={g.uses.length ? 'gnt-mapped' : 'pv-muted'} title={g.uses.map(titleOf).join('\n')}>
              {g.uses.length ? g.uses.map(describeUse).join('; ') : 'not mapped'}
            </span>
          </div>
        );
      }}
    />
  );
}
