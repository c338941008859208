// The selected record in full: every raw argument and both clocks, and a shortcut to break
// on its hypercall.
import { TK_HYPERCALL, TK_MULTICALL_ENTRY } from '../../../shared/trace';
import { formatRecord, hypercallName } from '../../../protocol/tracefmt';
import { timeText } from './TraceRow';
import { traceFeed } from './traceFeed';
import { toggleBreakpoint, useTraceUi } from './traceUi';

export function TraceDetails({ selected }: { selected: number }) {
  const breaks = useTraceUi((s) => s.breakHypercalls);
  const r = selected >= 0 ? traceFeed.history.record(selected) : undefined;
  if (!r) return <div className="trace-details is-empty">Select a record to see it in full.</div>;
  const t = formatRecord(r);
  const hc = r.kind === TK_HYPERCALL || r.kind === TK_MULTICALL_ENTRY ? r.code : -1;
  return (
    <div className="trace-details" data-testid="trace-details">
      <div>
        <strong>#{r.seq}</strong> {t.who} · {t.kind} · {t.text}
        {t.result && <> → <span className={t.error ? 'is-error' : ''}>{t.result}</span></>}
      </div>
      <div className="trace-details-raw">
        code {r.code} · args [{r.args.map((a) => `0x${a.toString(16)}`).join(', ')}] · instruction {r.icount.toLocaleString('en')} ·
        virtual time {timeText(r.timeNs)} s
        {hc >= 0 && hc < 64 && (
          <button type="button" className="pv-button" onClick={() => toggleBreakpoint(hc)}>
            {breaks.includes(hc) ? 'Stop breaking on' : 'Break on'} {hypercallName(hc)}
          </button>
        )}
      </div>
    </div>
  );
}
