import { describe, expect, it } from 'vitest';
import { fitCell, mapLayout, zoomStep } from './geometry';

describe('map geometry', () => {
  it('picks the largest cell at which every frame fits', () => {
    // 8192 frames (32 MiB) in 600 x 400: 5 px cells give 120 columns, 69 rows = 345 px.
    expect(fitCell(8192, 600, 400)).toBe(5);
    // 65,536 frames in 600 x 400 cannot fit even at 2 px: the smallest, and the map scrolls.
    expect(fitCell(65536, 600, 400)).toBe(2);
    expect(fitCell(65536, 1200, 600)).toBe(3);
    expect(fitCell(10, 0, 0)).toBe(2);
  });

  it('zooms through the sizes, stopping at the ends', () => {
    expect(zoomStep(5, 1)).toBe(6);
    expect(zoomStep(5, -1)).toBe(4);
    expect(zoomStep(7, 1)).toBe(8);
    expect(zoomStep(7, -1)).toBe(6);
    expect(zoomStep(2, -1)).toBe(2);
    expect(zoomStep(24, 1)).toBe(24);
  });

  it('lays cells out in whole device pixels', () => {
    expect(mapLayout(8192, 600, 5, 1)).toEqual({ cols: 120, cellPx: 5, width: 600, height: 345 });
    expect(mapLayout(100, 301, 3, 2)).toEqual({ cols: 100, cellPx: 6, width: 600, height: 6 });
    expect(mapLayout(65536, 512, 2, 1.5)).toEqual({ cols: 256, cellPx: 3, width: 768, height: 768 });
  });
});
