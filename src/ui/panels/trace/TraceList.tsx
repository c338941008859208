// The virtualized list of trace records: only the rows in view exist in the DOM, so 50,000
// records cost what 40 do. It keeps the newest record in view while following, stops
// following when the user scrolls up (and starts again at the bottom), scrolls to the record
// that ended a step, and moves a selection with the keyboard.
import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { traceFeed } from './traceFeed';
import { useFixedVirtualizer } from './useFixedVirtualizer';
import { TraceRow } from './TraceRow';
import type { TraceRows } from './useFilteredTrace';

/** Row height in px (CSS .trace-row has the same). */
export const ROW_PX = 26;

export interface TraceListProps {
  rows: TraceRows;
  follow: boolean;
  onFollow(follow: boolean): void;
  /** History position of the selected record, or -1. */
  selected: number;
  onSelect(abs: number): void;
  /** History position of the record that ended the last step, or -1. */
  highlight: number;
}

export function TraceList({ rows, follow, onFollow, selected, onSelect, highlight }: TraceListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useFixedVirtualizer(rows.length, ROW_PX, scroller, 10);

  useEffect(() => {
    if (follow && rows.length > 0) v.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [follow, rows, v]);

  // A panel brought to the front (or resized) has a new height: keep the tail in view.
  useEffect(() => {
    const el = scroller.current;
    if (!el || !follow) return;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight > 0) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [follow]);

  // Scroll to the record that ended a step once, when it first shows up in the list.
  const shownHighlight = useRef(-1);
  useEffect(() => {
    if (highlight < 0 || highlight === shownHighlight.current) return;
    const i = rows.indexOf(highlight);
    if (i < 0) return;
    shownHighlight.current = highlight;
    onFollow(false);
    v.scrollToIndex(i, { align: 'center' });
  }, [highlight, rows, v, onFollow]);

  // Not following, the record at the top of the view stays there while old records leave
  // the history (which would otherwise shift every row up under the reader's eyes). Only
  // then: a scroll of our own (to a highlight, by a key) moves the view on purpose.
  const anchor = useRef<{ abs: number; within: number } | null>(null);
  const firstShown = useRef(-1);
  useLayoutEffect(() => {
    const el = scroller.current, a = anchor.current;
    const first = rows.length > 0 ? rows.at(0) : -1;
    const shifted = first !== firstShown.current;
    firstShown.current = first;
    if (follow || !shifted || !el || !a) return;
    const i = rows.indexOf(a.abs);
    if (i < 0) return;
    const want = i * ROW_PX + a.within;
    if (Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
  }, [rows, follow]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const top = Math.floor(el.scrollTop / ROW_PX);
    anchor.current = top < rows.length ? { abs: rows.at(top), within: el.scrollTop - top * ROW_PX } : null;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_PX;
    if (atBottom !== follow) onFollow(atBottom);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_PX) / ROW_PX) - 1);
    const current = selected >= 0 ? rows.indexOf(selected) : -1;
    const from = current >= 0 ? current : rows.length - 1;
    const to = ({ ArrowUp: from - 1, ArrowDown: from + 1, PageUp: from - page, PageDown: from + page, Home: 0, End: rows.length - 1 } as Record<string, number>)[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const i = Math.max(0, Math.min(rows.length - 1, to));
    onSelect(rows.at(i));
    onFollow(i === rows.length - 1);
    v.scrollToIndex(i, { align: 'auto' });
  };

  return (
    <div
      ref={scroller}
      className="trace-scroller"
      role="listbox"
      aria-label="Trace records"
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      data-testid="trace-list"
      data-rows={rows.length}
    >
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const abs = rows.at(item.index);
          return (
            <TraceRow
              key={abs}
              abs={abs}
              generation={traceFeed.generation}
              top={item.start}
              selected={abs === selected}
              highlighted={abs === highlight}
              onSelect={onSelect}
            />
          );
        })}
      </div>
    </div>
  );
}
