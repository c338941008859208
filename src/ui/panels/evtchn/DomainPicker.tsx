// Which domain a per-domain panel shows: one tab per domain. Remembers nothing itself; the
// panel keeps the choice, and falls back to the console's domain when its choice goes away.
import type { KeyboardEvent } from 'react';
import { useMachine } from '../../store/machineStore';

/** Domain ids the machine knows, domain 0 first. */
export function useDomainIds(): number[] {
  const domains = useMachine((s) => s.domains);
  const ports = useMachine((s) => s.ports);
  return [...new Set([...Object.keys(domains), ...Object.keys(ports)].map(Number))].sort((a, b) => a - b);
}

/** The domain to show: the chosen one if it still exists, else the console's, else the first guest. */
export function useShownDomain(chosen: number | null): number | null {
  const ids = useDomainIds();
  const consoleDomid = useMachine((s) => s.consoleDomid);
  if (chosen !== null && ids.includes(chosen)) return chosen;
  if (consoleDomid !== null && ids.includes(consoleDomid)) return consoleDomid;
  return ids.find((d) => d !== 0) ?? ids[0] ?? null;
}

/** One tab per domain; arrow keys move between them, as in any tab list. */
export function DomainPicker({ value, onChange, label }: { value: number | null; onChange(domid: number): void; label: string }) {
  const ids = useDomainIds();
  const domains = useMachine((s) => s.domains);
  if (ids.length === 0) return null;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = value === null ? -1 : ids.indexOf(value);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? ids.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    const next = ids[(to + ids.length) % ids.length]!;
    onChange(next);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-domid="${next}"]`)?.focus();
  };
  return (
    <div className="pv-tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {ids.map((d) => (
        <button
          key={d}
          type="button"
          role="tab"
          className="pv-tab"
          aria-selected={d === value}
          tabIndex={d === value ? 0 : -1}
          onClick={() => onChange(d)}
          data-domid={d}
        >
          d{d} {domains[d]?.name ?? (d === 0 ? 'Domain-0' : '')}
        </button>
      ))}
    </div>
  );
}
