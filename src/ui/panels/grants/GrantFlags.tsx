import { decodeGrantFlags, grantFlagsText } from '../../lib/grants/entries';

/**
 * A grant's GTF_ flags as tags: its type, then readonly / reading / writing and the rest.
 * Writable is the default (no GTF_readonly), so it gets no tag of its own.
 */
export function GrantFlags({ flags }: { flags: number }) {
  const d = decodeGrantFlags(flags);
  return (
    <span className="gnt-flags" title={`${grantFlagsText(flags)} (0x${flags.toString(16).padStart(4, '0')})`}>
      <span className="pv-tag gnt-type">{d.type}</span>
      {d.readonly && <span className="pv-tag gnt-ro">readonly</span>}
      {d.reading && <span className="pv-tag is-on gnt-reading">reading</span>}
      {d.writing && <span className="pv-tag is-on gnt-writing">writing</span>}
      {d.other.map((o) => (
        <span key={o} className="pv-tag">
          {o}
        </span>
      ))}
    </span>
  );
}
