import type { RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

/**
 * A virtualizer for `count` rows of `rowPx` each inside `scroller`, after `headPx` of header.
 * The lint rule below warns that the React Compiler cannot memoize around this library; we
 * do not run the compiler, and the virtualizer re-renders its component itself on scroll.
 */
export function useFixedVirtualizer(count: number, rowPx: number, scroller: RefObject<HTMLDivElement | null>, overscan = 8, headPx = 0) {
  // eslint-disable-next-line react-hooks/incompatible-library
  return useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => rowPx, overscan, paddingStart: headPx });
}
