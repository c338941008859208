// A table of fixed-height rows of which only those in view are rendered, with a header that
// stays put while the body scrolls either way (it sits in the same scroller, sticky on top).
// Rows are placed by the caller with `transform: translateY(top)`.
import { useRef, type ReactNode } from 'react';
import { useFixedVirtualizer } from './useFixedVirtualizer';

export interface VirtualTableProps {
  count: number;
  rowPx: number;
  headPx: number;
  header: ReactNode;
  row(index: number, top: number): ReactNode;
  label: string;
  testId?: string;
  className?: string;
}

export function VirtualTable({ count, rowPx, headPx, header, row, label, testId, className }: VirtualTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useFixedVirtualizer(count, rowPx, scroller, 8, headPx);
  return (
    <div ref={scroller} className={`pv-vtable ${className ?? ''}`} role="table" aria-label={label} aria-rowcount={count + 1} data-testid={testId}>
      <div className="pv-vtable-body" style={{ height: v.getTotalSize() }} role="rowgroup">
        <div className="pv-vtable-head" role="rowgroup">
          {header}
        </div>
        {v.getVirtualItems().map((item) => row(item.index, item.start))}
      </div>
    </div>
  );
}
