// How big the page-types map's cells are and how many go to a row: by default the
// largest cell at which every frame fits the panel, from 2 CSS pixels (65,536
// frames in about 512 x 512) up; zoomed, a chosen size and the map scrolls.

/** Cell sizes, in CSS pixels, that zooming steps through. */
export const CELL_SIZES = [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24] as const;

/** The largest cell size at which `frames` cells fit `width` x `height`, else the smallest. */
export function fitCell(frames: number, width: number, height: number): number {
  for (let i = CELL_SIZES.length - 1; i >= 0; i--) {
    const s = CELL_SIZES[i];
    const cols = Math.floor(width / s);
    if (cols > 0 && Math.ceil(frames / cols) * s <= height) return s;
  }
  return CELL_SIZES[0];
}

/** The next size up (+1) or down (-1) from `cell`. */
export function zoomStep(cell: number, dir: 1 | -1): number {
  const i = CELL_SIZES.findIndex((s) => s >= cell);
  const at = i < 0 ? CELL_SIZES.length - 1 : i;
  return CELL_SIZES[Math.max(0, Math.min(CELL_SIZES.length - 1, dir > 0 && CELL_SIZES[at] === cell ? at + 1 : dir > 0 ? at : at - 1))];
}

export interface MapLayout {
  cols: number;
  /** Cell size in device pixels (whole pixels, so cells stay crisp). */
  cellPx: number;
  /** The canvas's size in device pixels. */
  width: number;
  height: number;
}

export function mapLayout(frames: number, widthCss: number, cellCss: number, dpr: number): MapLayout {
  const cellPx = Math.max(1, Math.round(cellCss * dpr));
  const cols = Math.max(1, Math.floor((widthCss * dpr) / cellPx));
  return { cols, cellPx, width: cols * cellPx, height: Math.ceil(frames / cols) * cellPx };
}
