import { memo } from 'react';
import { formatRecord } from '../../../protocol/tracefmt';
import { kindGroup } from '../../lib/trace/names';
import { traceFeed } from './traceFeed';

/** Virtual time in seconds, to the microsecond. */
export function timeText(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

interface TraceRowProps {
  /** History position: the record there never changes within a generation of the feed. */
  abs: number;
  generation: number;
  top: number;
  selected: boolean;
  highlighted: boolean;
  onSelect(abs: number): void;
}

/** One record of the trace list, absolutely placed by the virtualizer. */
export const TraceRow = memo(function TraceRow({ abs, top, selected, highlighted, onSelect }: TraceRowProps) {
  const record = traceFeed.history.record(abs);
  const style = { transform: `translateY(${top}px)` };
  if (!record) {
    return (
      <div className="trace-row trace-row-gone" style={style} role="option" aria-selected={false}>
        dropped from the history
      </div>
    );
  }
  const t = formatRecord(record);
  const group = kindGroup(record.kind) ?? 'other';
  return (
    <div
      className={`trace-row${selected ? ' is-selected' : ''}${highlighted ? ' is-highlighted' : ''}`}
      style={style}
      role="option"
      aria-selected={selected}
      data-seq={record.seq}
      data-group={group}
      onClick={() => onSelect(abs)}
    >
      <span className="trace-seq">{record.seq}</span>
      <span className="trace-time">{timeText(record.timeNs)}</span>
      <span className="trace-dom">{t.who}</span>
      <span className={`trace-kind trace-kind-${group}`}>{t.kind}</span>
      <span className="trace-detail" title={t.text}>{t.text}</span>
      <span className={`trace-result${t.error ? ' is-error' : ''}`} title={t.result}>{t.result}</span>
    </div>
  );
});
