// A scrolling body of fixed-height rows of which only those in view are rendered.
import { useFixedVirtualizer } from '../trace/useFixedVirtualizer';
import { useRef, type ReactNode } from 'react';

export interface VirtualRowsProps {
  count: number;
  rowPx: number;
  /** The row at `index`, placed at `top` px (as a transform) by the caller. */
  row(index: number, top: number): ReactNode;
  testId?: string;
  className?: string;
}

export function VirtualRows({ count, rowPx, row, testId, className }: VirtualRowsProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useFixedVirtualizer(count, rowPx, scroller);
  return (
    <div ref={scroller} className={`gnt-scroller ${className ?? ''}`} data-testid={testId}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }} role="rowgroup">
        {v.getVirtualItems().map((item) => row(item.index, item.start))}
      </div>
    </div>
  );
}
