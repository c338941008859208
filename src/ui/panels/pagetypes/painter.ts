// Paints the page-types map: one square cell per machine frame, row by row, into
// an RGBA pixel buffer the canvas shows as ImageData. Each call reads the whole
// frame table from shared memory but repaints only the cells whose look changed
// (a key per frame remembers the last look), and allocates nothing: at 65,536
// frames a pass is a fraction of a millisecond, so it runs every animation frame.
// It also counts frames per class, and pinned ones, for the legend.
import { F, PGF_PINNED } from '../../../shared/layout';
import { FRAME_SLOTS, frameClass } from '../../../shared/frames';
import { MAP_CLASSES, MC } from './classes';
import type { Palette } from './palette';

export interface PaintOptions {
  /** Colour by owning domain instead of by class. */
  byOwner: boolean;
  /** Only this owner's frames in colour (and in the counts); null for all. */
  owner: number | null;
}

const STALE = 0xffffffff;

function isTable(cls: number): boolean {
  return (cls >= MC.L1 && cls <= MC.L4) || cls === MC.DESC;
}

export class FramePainter {
  readonly frames: number;
  cols = 1;
  cell = 1;
  width = 0;
  height = 0;
  pixels = new Uint32Array(0);
  /** Frames per class, and pinned frames per class, from the last paint (owner filter applied). */
  readonly counts = new Int32Array(MAP_CLASSES);
  readonly pinned = new Int32Array(MAP_CLASSES);
  /** Pixel rows [dirtyTop, dirtyBottom) the last paint changed; empty when equal. */
  dirtyTop = 0;
  dirtyBottom = 0;
  private readonly keys: Uint32Array;
  private background = 0;

  constructor(frames: number) {
    this.frames = frames;
    this.keys = new Uint32Array(frames).fill(STALE);
  }

  /** Lay the cells out `cols` to a row, `cell` pixels square; everything is repainted next time. */
  resize(cols: number, cell: number): void {
    this.cols = Math.max(1, Math.floor(cols));
    this.cell = Math.max(1, Math.floor(cell));
    this.width = this.cols * this.cell;
    this.height = Math.ceil(this.frames / this.cols) * this.cell;
    this.pixels = new Uint32Array(this.width * this.height);
    this.invalidate();
  }

  /** Forget what was painted (new colours, new options). */
  invalidate(): void {
    this.keys.fill(STALE);
    this.background = -1;
  }

  /** The frame under pixel (x, y), or -1. */
  frameAt(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width) return -1;
    const mfn = Math.floor(y / this.cell) * this.cols + Math.floor(x / this.cell);
    return mfn < this.frames ? mfn : -1;
  }

  /**
   * Bring the pixels up to date with frame table `ft` and `overlay` (classes.ts
   * markOverlay). Returns whether any pixel changed.
   */
  paint(ft: Int32Array, overlay: Uint8Array, pal: Palette, opts: PaintOptions): boolean {
    if (this.background !== pal.background) {
      this.pixels.fill(pal.background);
      this.background = pal.background;
      this.keys.fill(STALE);
    }
    this.counts.fill(0);
    this.pinned.fill(0);
    let top = this.height, bottom = 0;
    const filter = opts.owner;
    for (let mfn = 0; mfn < this.frames; mfn++) {
      const b = mfn * FRAME_SLOTS;
      const owner = ft[b + F.OWNER];
      const cls = overlay[mfn] || frameClass(ft, mfn);
      const pin = (ft[b + F.TYPE] & PGF_PINNED) !== 0 ? 1 : 0;
      const shown = filter === null || owner === filter ? 1 : 0;
      if (shown) {
        this.counts[cls]++;
        this.pinned[cls] += pin;
      }
      const key = (cls | (pin << 4) | (shown << 5) | (opts.byOwner ? (owner & 0x7fff) << 6 : 0)) >>> 0;
      if (this.keys[mfn] === key) continue;
      this.keys[mfn] = key;
      let colour: number;
      if (!shown) colour = pal.dimPixel[cls];
      else if (opts.byOwner) colour = pal.ownerPixel(owner, isTable(cls));
      else colour = pal.classPixel[cls];
      const y = this.drawCell(mfn, colour, pin ? pal.marker : colour);
      if (y < top) top = y;
      if (y + this.cell > bottom) bottom = y + this.cell;
    }
    this.dirtyTop = top < bottom ? top : 0;
    this.dirtyBottom = top < bottom ? bottom : 0;
    return top < bottom;
  }

  /** Fill one cell, with a centred marker in `marker` (the fill colour when none); returns its top row. */
  private drawCell(mfn: number, colour: number, marker: number): number {
    const c = this.cell, w = this.width, px = this.pixels;
    // A one-pixel gap between cells once they are big enough to read as a grid.
    const inner = c >= 6 ? c - 1 : c;
    const x0 = (mfn % this.cols) * c, y0 = Math.floor(mfn / this.cols) * c;
    for (let dy = 0; dy < inner; dy++) {
      const row = (y0 + dy) * w + x0;
      px.fill(colour, row, row + inner);
    }
    if (marker !== colour) {
      // A third of the cell, exactly centred (same parity as the cell); tiny cells mark a corner.
      let m = inner >= 3 ? Math.max(1, Math.round(inner / 3)) : 1;
      if (inner >= 3 && (inner - m) & 1) m++;
      const off = inner >= 3 ? (inner - m) >> 1 : 0;
      for (let dy = 0; dy < m; dy++) {
        const row = (y0 + off + dy) * w + x0 + off;
        px.fill(marker, row, row + m);
      }
    }
    return y0;
  }
}
