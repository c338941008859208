// The trace panel's filter bar: domain, kinds of record, one hypercall, and words to find.
import { useId } from 'react';
import { useMachine } from '../../store/machineStore';
import { HYPERCALLS } from '../../../protocol/tracefmt';
import { KIND_GROUPS, KIND_GROUP_LABELS, type KindGroup } from '../../lib/trace/names';
import { setFilter, useTraceUi } from './traceUi';

/** The kinds chosen after toggling `g` (null: all of them). */
export function toggleGroup(groups: readonly KindGroup[] | null, g: KindGroup): KindGroup[] | null {
  const on = new Set(groups ?? KIND_GROUPS);
  if (on.has(g)) on.delete(g);
  else on.add(g);
  return on.size === KIND_GROUPS.length ? null : KIND_GROUPS.filter((k) => on.has(k));
}

export function TraceFilters() {
  const filter = useTraceUi((s) => s.filter);
  const domains = useMachine((s) => s.domains);
  const id = useId();
  const options = [...new Set([0, ...Object.keys(domains).map(Number)])].sort((a, b) => a - b);
  return (
    <div className="pv-bar" role="group" aria-label="Trace filter">
      <label htmlFor={`${id}-dom`}>Domain</label>
      <select
        id={`${id}-dom`}
        value={filter.domid ?? ''}
        onChange={(e) => setFilter({ domid: e.target.value === '' ? null : Number(e.target.value) })}
      >
        <option value="">all</option>
        <option value={-1}>xen</option>
        {options.map((d) => (
          <option key={d} value={d}>
            d{d}
          </option>
        ))}
      </select>
      <span className="pv-chips" role="group" aria-label="Kinds of record">
        {KIND_GROUPS.map((g) => {
          const on = filter.groups === null || filter.groups.includes(g);
          return (
            <button
              key={g}
              type="button"
              className={`pv-chip trace-kind-${g}`}
              aria-pressed={on}
              onClick={() => setFilter({ groups: toggleGroup(filter.groups, g) })}
            >
              {KIND_GROUP_LABELS[g]}
            </button>
          );
        })}
      </span>
      <label htmlFor={`${id}-hc`}>Hypercall</label>
      <select
        id={`${id}-hc`}
        value={filter.hypercall ?? ''}
        onChange={(e) => setFilter({ hypercall: e.target.value === '' ? null : Number(e.target.value) })}
      >
        <option value="">any</option>
        {HYPERCALLS.map((h) => (
          <option key={h.nr} value={h.nr}>
            {h.name}
          </option>
        ))}
      </select>
      <input
        type="search"
        className="pv-search"
        placeholder="Find text…"
        aria-label="Find text in records"
        value={filter.text}
        onChange={(e) => setFilter({ text: e.target.value })}
      />
    </div>
  );
}
