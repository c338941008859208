// The selected record in full: every raw argument and both clocks, and a shortcut to break
// on its hypercall.
import { TK_HYPERCALL, TK_MULTICALL_ENTRY, TK_NAMES } from '../../../shared/trace';
import { formatRecord } from '../../lib/trace/format';
import { hypercallName } from '../../lib/trace/names';
import { domText, timeText } from './TraceRow';
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
        <strong>#{r.seq}</strong> {domText(r.domid, r.vcpu)} · {TK_NAMES[r.kind] ?? `kind ${r.kind}`} ·{' '}
        <span className="trace-kind">{t.what}</span> {t.detail}
        {t.result && <> → <span className={t.result.startsWith('-') ? 'is-error' : ''}>{t.result}</span></>}
      </div>
      <div className="trace-details-raw">
        args [{r.args.map((a) => `0x${a.toString(16)}`).join(', ')}] · instruction {r.icount.toLocaleString('en')} · virtual time{' '}
        {timeText(r.timeNs)} s
        {hc >= 0 && (
          <button type="button" className="pv-button" onClick={() => toggleBreakpoint(hc)}>
            {breaks.includes(hc) ? 'Stop breaking on' : 'Break on'} {hypercallName(hc)}
          </button>
        )}
      </div>
    </div>
  );
}
