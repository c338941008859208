import { describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../../protocol/messages';
import { F, FRAME_FREE, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L3, PGT_WRITABLE } from '../../../shared/layout';
import { MAP_CLASSES, MC, markOverlay } from './classes';
import { palette } from './palette';
import { FramePainter } from './painter';

const pal = palette('dark');

/** A frame table of `n` free frames. */
function frameTable(n: number): Int32Array {
  const t = new Int32Array(n * 4);
  for (let m = 0; m < n; m++) t[m * 4 + F.OWNER] = FRAME_FREE;
  return t;
}

function setFrame(t: Int32Array, mfn: number, owner: number, type: number, typeCount: number): void {
  t[mfn * 4 + F.OWNER] = owner;
  t[mfn * 4 + F.TYPE] = type;
  t[mfn * 4 + F.TYPE_COUNT] = typeCount;
  t[mfn * 4 + F.REF_COUNT] = 1;
}

function domain(domid: number, sharedInfoMfn: number, grantFrames: number[]): DomainInfo {
  return {
    domid, name: `d${domid}`, state: 'running', shutdownReason: -1, crashReason: '', maxMemKiB: 0, memKiB: 0,
    sharedInfoMfn, grantFrames, vcpus: [],
  };
}

describe('markOverlay', () => {
  it('marks shared_info, grant-table and grant-mapped frames, the last winning, and ignores frames outside', () => {
    const out = new Uint8Array(8);
    markOverlay(out, { 1: domain(1, 2, [3, 4, 99]) }, { 5: [{ handle: 0, granter: 1, ref: 8, mfn: 4, flags: 0, hostAddr: 0 }] });
    expect([...out]).toEqual([0, 0, MC.SHARED_INFO, MC.GRANT_TABLE, MC.GRANT_MAPPED, 0, 0, 0]);
  });
});

describe('FramePainter', () => {
  const none = new Uint8Array(10);

  it('paints one cell per frame in its class colour, with the pinned marker in the middle', () => {
    const ft = frameTable(10);
    setFrame(ft, 1, 1, PGT_WRITABLE | PGF_VALIDATED, 1);
    setFrame(ft, 5, 1, PGT_L3 | PGF_VALIDATED | PGF_PINNED, 1);
    const p = new FramePainter(10);
    p.resize(4, 3);
    expect([p.width, p.height]).toEqual([12, 9]);
    expect(p.paint(ft, none, pal, { byOwner: false, owner: null })).toBe(true);
    const at = (x: number, y: number) => p.pixels[y * p.width + x];
    expect(at(0, 0)).toBe(pal.classPixel[MC.FREE]);
    expect(at(3, 0)).toBe(pal.classPixel[MC.WRITABLE]);
    // Frame 5: column 1, row 1; its centre pixel is the marker, its corner the L3 colour.
    expect(at(3, 3)).toBe(pal.classPixel[MC.L3]);
    expect(at(4, 4)).toBe(pal.marker);
    // Past the last frame stays background.
    expect(at(11, 8)).toBe(pal.background);
    expect(p.counts[MC.FREE]).toBe(8);
    expect(p.counts[MC.L3]).toBe(1);
    expect(p.pinned[MC.L3]).toBe(1);
    expect(p.frameAt(4, 4)).toBe(5);
    expect(p.frameAt(11, 8)).toBe(-1);
  });

  it('repaints only what changed, and reports the rows', () => {
    const ft = frameTable(10);
    const p = new FramePainter(10);
    p.resize(4, 3);
    p.paint(ft, none, pal, { byOwner: false, owner: null });
    expect(p.paint(ft, none, pal, { byOwner: false, owner: null })).toBe(false);
    setFrame(ft, 9, 2, PGT_L1 | PGF_VALIDATED, 1);
    const before = p.pixels.slice();
    expect(p.paint(ft, none, pal, { byOwner: false, owner: null })).toBe(true);
    expect([p.dirtyTop, p.dirtyBottom]).toEqual([6, 9]);
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== p.pixels[i]) changed++;
    expect(changed).toBe(9);
    expect(p.pixels[6 * 12 + 3]).toBe(pal.classPixel[MC.L1]);
  });

  it('counts only the chosen owner’s frames and dims the others; by owner, tables are a lighter shade', () => {
    const ft = frameTable(10);
    setFrame(ft, 0, 1, PGT_L1 | PGF_VALIDATED, 1);
    setFrame(ft, 1, 2, PGT_L1 | PGF_VALIDATED, 1);
    setFrame(ft, 2, 2, 0, 0);
    const overlay = new Uint8Array(10);
    overlay[2] = MC.SHARED_INFO;
    const p = new FramePainter(10);
    p.resize(10, 2);
    p.paint(ft, overlay, pal, { byOwner: false, owner: 2 });
    expect(p.counts[MC.L1]).toBe(1);
    expect(p.counts[MC.SHARED_INFO]).toBe(1);
    expect(p.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(p.pixels[0]).toBe(pal.dimPixel[MC.L1]);
    expect(p.pixels[2]).toBe(pal.classPixel[MC.L1]);
    p.paint(ft, overlay, pal, { byOwner: true, owner: null });
    expect(p.pixels[0]).toBe(pal.ownerPixel(1, true));
    expect(p.pixels[2]).toBe(pal.ownerPixel(2, true));
    expect(p.pixels[4]).toBe(pal.ownerPixel(2, false));
    expect(p.pixels[6]).toBe(pal.classPixel[MC.FREE]);
    expect(pal.ownerPixel(1, true)).not.toBe(pal.ownerPixel(2, true));
    expect(pal.ownerPixel(2, true)).not.toBe(pal.ownerPixel(2, false));
  });

  it('centres the pinned marker in cells of 3 pixels and more, and marks a corner of smaller ones', () => {
    const ft = frameTable(1);
    setFrame(ft, 0, 1, PGT_L3 | PGF_VALIDATED | PGF_PINNED, 1);
    const painted = (cell: number) => {
      const p = new FramePainter(1);
      p.resize(1, cell);
      p.paint(ft, new Uint8Array(1), pal, { byOwner: false, owner: null });
      return p.pixels;
    };
    expect(Array.from(painted(2), (px) => px === pal.marker)).toEqual([true, false, false, false]);
    for (let cell = 3; cell <= 24; cell++) {
      const inner = cell >= 6 ? cell - 1 : cell;
      const mid = Array.from(painted(cell).subarray((cell >> 1) * cell, (cell >> 1) * cell + inner), (px) => px === pal.marker);
      expect(mid[cell >> 1], `cell ${cell}`).toBe(true);
      expect(mid.indexOf(true), `cell ${cell}`).toBe(inner - 1 - mid.lastIndexOf(true));
    }
  });

  it('gives every class its own colour in both themes', () => {
    for (const scheme of ['dark', 'light'] as const) {
      const colours = new Set(palette(scheme).classPixel);
      expect(colours.size).toBe(MAP_CLASSES);
      expect(colours.has(palette(scheme).marker)).toBe(false);
    }
  });
});
