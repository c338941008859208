// The map of machine frames: a canvas repainted from the frame table on every
// animation frame while visible (painter.ts does the work without allocating),
// with hover, click and keyboard selection. The selected and hovered cells are
// outlined by positioned boxes over the canvas, so moving them repaints nothing.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { useFrameLoop } from '../../lib/useFrameLoop';
import type { SharedViews } from '../../lib/sharedViews';
import { MAP_CLASSES } from './classes';
import { fitCell, mapLayout } from './geometry';
import type { Palette } from './palette';
import { FramePainter, type PaintOptions } from './painter';

export interface Counts {
  counts: number[];
  pinned: number[];
}

interface Props {
  views: SharedViews;
  overlay: Uint8Array;
  pal: Palette;
  opts: PaintOptions;
  /** Cell size in CSS pixels, or null to fit the panel. */
  cell: number | null;
  selected: number | null;
  onSelect(mfn: number | null): void;
  /** One line about a frame, for the hover tip. */
  describe(mfn: number): string;
  active: boolean;
  /** Frames per class and pinned per class, when they change (at most four times a second). */
  onCounts(c: Counts): void;
  /** The fitted cell size, so zooming can start from it. */
  onFit(cell: number): void;
}

const COUNTS_MS = 250;

function useSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // The content box: the cells go inside the padding.
    const ro = new ResizeObserver(([entry]) => setSize({ width: entry.contentRect.width, height: entry.contentRect.height }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

export function FrameMap({ views, overlay, pal, opts, cell, selected, onSelect, describe, active, onCounts, onFit }: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const { width, height } = useSize(wrap);
  const frames = views.layout.frames;
  const painter = useMemo(() => new FramePainter(frames), [frames]);
  const dpr = window.devicePixelRatio || 1;
  const fitted = fitCell(frames, width, height);
  const geo = mapLayout(frames, width, cell ?? fitted, dpr);
  const [hover, setHover] = useState<{ mfn: number; x: number; y: number } | null>(null);
  const image = useRef<ImageData | null>(null);
  const lastCounts = useRef({ at: 0, sig: '' });

  useEffect(() => onFit(fitted), [fitted, onFit]);

  // A new layout: new pixels, a new ImageData over them, everything repainted.
  useEffect(() => {
    painter.resize(geo.cols, geo.cellPx);
    const c = canvas.current;
    if (!c) return;
    c.width = painter.width;
    c.height = painter.height;
    image.current = painter.width > 0 ? new ImageData(new Uint8ClampedArray(painter.pixels.buffer), painter.width, painter.height) : null;
  }, [painter, geo.cols, geo.cellPx]);

  // New colours or options: repaint every cell.
  useEffect(() => {
    painter.invalidate();
  }, [painter, pal, opts.byOwner, opts.owner, overlay]);

  useFrameLoop((now) => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !image.current) return;
    if (painter.paint(views.frames, overlay, pal, opts)) {
      ctx.putImageData(image.current, 0, 0, 0, painter.dirtyTop, painter.width, painter.dirtyBottom - painter.dirtyTop);
    }
    if (now - lastCounts.current.at >= COUNTS_MS) {
      lastCounts.current.at = now;
      const sig = `${painter.counts.join()}/${painter.pinned.join()}`;
      if (sig !== lastCounts.current.sig) {
        lastCounts.current.sig = sig;
        onCounts({ counts: Array.from(painter.counts), pinned: Array.from(painter.pinned) });
      }
    }
  }, active);

  const cellCss = geo.cellPx / dpr;
  const frameAtEvent = (e: MouseEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return painter.frameAt((e.clientX - r.left) * dpr, (e.clientY - r.top) * dpr);
  };

  const move = (mfn: number) => onSelect(Math.max(0, Math.min(frames - 1, mfn)));

  // Keep the selection in view when it moves (keys, the tree, the details' links).
  useEffect(() => {
    const el = wrap.current;
    if (!el || selected === null) return;
    const top = Math.floor(selected / geo.cols) * cellCss;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + cellCss > el.scrollTop + el.clientHeight) el.scrollTop = top + cellCss - el.clientHeight;
  }, [selected, geo.cols, cellCss]);
  const onKey = (e: KeyboardEvent) => {
    const rowsInView = Math.max(1, Math.floor((wrap.current?.clientHeight ?? 0) / cellCss));
    const at = selected ?? 0;
    const step: Record<string, number> = {
      ArrowLeft: -1, ArrowRight: 1, ArrowUp: -geo.cols, ArrowDown: geo.cols,
      PageUp: -geo.cols * rowsInView, PageDown: geo.cols * rowsInView, Home: -frames, End: frames,
    };
    if (e.key in step) {
      move(selected === null && e.key !== 'End' ? 0 : at + step[e.key]);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      onSelect(null);
    }
  };

  const box = (mfn: number) => ({
    left: (mfn % geo.cols) * cellCss,
    top: Math.floor(mfn / geo.cols) * cellCss,
    width: cellCss,
    height: cellCss,
  });

  return (
    <div className="pt-map-wrap" ref={wrap}>
      <div className="pt-map-inner" style={{ width: geo.width / dpr, height: geo.height / dpr }}>
        <canvas
          ref={canvas}
          className="pt-map"
          style={{ width: geo.width / dpr, height: geo.height / dpr }}
          tabIndex={0}
          role="application"
          aria-roledescription="frame map"
          aria-label={`Map of ${frames} machine frames, ${geo.cols} to a row; arrow keys, Page Up and Down, Home and End move the selection`}
          data-testid="pt-map"
          data-frames={frames}
          data-cols={geo.cols}
          data-cell-px={geo.cellPx}
          onKeyDown={onKey}
          onMouseMove={(e) => {
            const mfn = frameAtEvent(e);
            const r = wrap.current!.getBoundingClientRect();
            setHover(mfn < 0 ? null : { mfn, x: e.clientX - r.left + wrap.current!.scrollLeft, y: e.clientY - r.top + wrap.current!.scrollTop });
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const mfn = frameAtEvent(e);
            onSelect(mfn < 0 ? null : mfn);
          }}
        />
        {hover && <div className="pt-cell-hover" style={box(hover.mfn)} />}
        {selected !== null && selected < frames && <div className="pt-cell-selected" style={box(selected)} />}
        {hover && (
          <div className="pt-tip" style={{ left: hover.x + 14, top: hover.y + 14 }} role="tooltip">
            {describe(hover.mfn)}
          </div>
        )}
      </div>
    </div>
  );
}

/** Frames per class, for tests and the legend, before the first paint. */
export function emptyCounts(): Counts {
  return { counts: new Array<number>(MAP_CLASSES).fill(0), pinned: new Array<number>(MAP_CLASSES).fill(0) };
}
