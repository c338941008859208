// The grant table, per domain: the entries it offers (read live from its grant frames in
// shared memory) with who maps each, and the grants of other domains it has mapped itself
// (its maptrack, from the worker's grant-maps messages). Both sides of a shared page show:
// the granter's entry names the mapper, the mapper's table names the granter and ref.
import { useMemo, useState } from 'react';
import type { GrantMapInfo } from '../../../protocol/messages';
import { useMachine } from '../../store/machineStore';
import { offeredGrants, staleUses, usesOfGrants } from '../../lib/grants/mappings';
import { DomainPicker, useShownDomain } from '../evtchn/DomainPicker';
import { MappedTable } from './MappedTable';
import { OfferedTable } from './OfferedTable';
import { useGrantEntries } from './useGrantEntries';
import './grants.css';

const NO_MAPS: readonly GrantMapInfo[] = [];

export function GrantTablePanel() {
  const [chosen, setChosen] = useState<number | null>(null);
  const domid = useShownDomain(chosen);
  const domain = useMachine((s) => (domid === null ? undefined : s.domains[domid]));
  const grantMaps = useMachine((s) => s.grantMaps);
  const entries = useGrantEntries(domain);
  const uses = useMemo(() => (domid === null ? new Map() : usesOfGrants(domid, grantMaps)), [domid, grantMaps]);
  const rows = useMemo(() => offeredGrants(entries, uses), [entries, uses]);
  const stale = useMemo(() => staleUses(entries, uses), [entries, uses]);
  const mine = domid === null ? NO_MAPS : (grantMaps[domid] ?? NO_MAPS);

  return (
    <section className="pv-panel gnt-panel" data-panel="grant-table" aria-label="Grant table">
      <header className="pv-bar pv-head">
        <h2>Grant table</h2>
        <DomainPicker value={domid} onChange={setChosen} label="Domain" />
        <span className="pv-spacer" />
        {domain && (
          <span className="pv-muted" data-testid="grants-summary">
            {rows.length} in use · {domain.grantFrames.length} frame{domain.grantFrames.length === 1 ? '' : 's'} · {mine.length} mapped from others
          </span>
        )}
      </header>
      {domid === null ? (
        <p className="pv-empty">No machine is running yet.</p>
      ) : !domain ? (
        <p className="pv-empty">d{domid} has no grant table the UI can read.</p>
      ) : (
        <div className="gnt-body">
          <h3 className="pv-section-title">Offered by d{domid}</h3>
          <OfferedTable domid={domid} rows={rows} />
          {stale.length > 0 && (
            <p className="pv-note">
              Still mapped after the grant was revoked:{' '}
              {stale.map((s) => `ref ${s.ref} by d${s.use.mapper}`).join(', ')}
            </p>
          )}
          <h3 className="pv-section-title">Mapped by d{domid} from others</h3>
          <MappedTable domid={domid} maps={mine} />
        </div>
      )}
    </section>
  );
}
