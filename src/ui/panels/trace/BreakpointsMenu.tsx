// Break-on-hypercall: pick hypercalls (and optionally one domain); the machine pauses when
// one of them completes, and the trace scrolls to it. The choice goes to the worker at once.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useMachine } from '../../store/machineStore';
import { HYPERCALLS } from '../../../protocol/tracefmt';
import { setBreakpoints, toggleBreakpoint, useTraceUi } from './traceUi';

export function BreakpointsMenu() {
  const [open, setOpen] = useState(false);
  const chosen = useTraceUi((s) => s.breakHypercalls);
  const domid = useTraceUi((s) => s.breakDomid);
  const domains = useMachine((s) => s.domains);
  const id = useId();
  const first = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  };

  return (
    <span className="trace-break">
      <button
        ref={button}
        type="button"
        className={`pv-button${chosen.length ? ' is-armed' : ''}`}
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        onClick={() => setOpen(!open)}
        data-testid="trace-break-button"
      >
        Break on{chosen.length ? ` (${chosen.length})` : '…'}
      </button>
      {open && (
        <div id={`${id}-menu`} className="trace-break-menu" role="dialog" aria-label="Break on hypercalls" onKeyDown={onKeyDown}>
          <div className="trace-break-head">
            <label htmlFor={`${id}-dom`}>Pause when one of these completes in</label>
            <select
              id={`${id}-dom`}
              value={domid ?? ''}
              onChange={(e) => setBreakpoints(chosen, e.target.value === '' ? null : Number(e.target.value))}
            >
              <option value="">any domain</option>
              {Object.keys(domains).map((d) => (
                <option key={d} value={d}>
                  d{d}
                </option>
              ))}
            </select>
          </div>
          <div className="trace-break-list">
            {HYPERCALLS.map((h, i) => (
              <label key={h.nr} className="trace-break-item">
                <input
                  ref={i === 0 ? first : undefined}
                  type="checkbox"
                  checked={chosen.includes(h.nr)}
                  onChange={() => toggleBreakpoint(h.nr)}
                />
                {h.name}
              </label>
            ))}
          </div>
          <div className="trace-break-foot">
            <button type="button" className="pv-button" onClick={() => setBreakpoints([], domid)} disabled={!chosen.length}>
              Clear all
            </button>
            <button type="button" className="pv-button" onClick={close}>
              Done
            </button>
          </div>
        </div>
      )}
    </span>
  );
}
