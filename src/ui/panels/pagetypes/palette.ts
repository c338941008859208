// Colours of the page-types map, for each theme: one per frame class (after the
// Okabe-Ito set, so the page-table levels stay apart for colour-blind viewers),
// one per owner when the map is coloured by owner, and the pinned marker. Packed
// as ImageData pixels, and as CSS for the legend, from one table.
import { FRAME_FREE } from '../../../shared/layout';
import { OWNER_XEN } from '../../../shared/frames';
import type { ColorScheme } from '../../theme/useColorScheme';
import { MAP_CLASSES, MC } from './classes';

/** A colour as one Uint32 of RGBA ImageData. */
export type Pixel = number;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function pixel(r: number, g: number, b: number): Pixel {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

function hex(css: string): [number, number, number] {
  const n = parseInt(css.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function mix(a: string, b: string, t: number): [number, number, number] {
  const x = hex(a), y = hex(b);
  return [0, 1, 2].map((i) => Math.round(x[i] + (y[i] - x[i]) * t)) as [number, number, number];
}

const CLASS_CSS: Record<ColorScheme, string[]> = {
  dark: [], light: [],
};
// Index = class (classes.ts MC).
CLASS_CSS.dark[MC.FREE] = '#2a2d34';
CLASS_CSS.dark[MC.XEN] = '#7a808c';
CLASS_CSS.dark[MC.RAM] = '#3f4757';
CLASS_CSS.dark[MC.WRITABLE] = '#2e5f8a';
CLASS_CSS.dark[MC.L1] = '#12b886';
CLASS_CSS.dark[MC.L2] = '#e69f00';
CLASS_CSS.dark[MC.L3] = '#f0643c';
CLASS_CSS.dark[MC.L4] = '#b07aa1';
CLASS_CSS.dark[MC.DESC] = '#d585b9';
CLASS_CSS.dark[MC.SHARED_PAGE] = '#9aa0aa';
CLASS_CSS.dark[MC.SHARED_INFO] = '#7fd0ff';
CLASS_CSS.dark[MC.GRANT_TABLE] = '#a78bfa';
CLASS_CSS.dark[MC.GRANT_MAPPED] = '#f0e442';

CLASS_CSS.light[MC.FREE] = '#e9ebef';
CLASS_CSS.light[MC.XEN] = '#8a909c';
CLASS_CSS.light[MC.RAM] = '#cdd3dc';
CLASS_CSS.light[MC.WRITABLE] = '#8fb8d8';
CLASS_CSS.light[MC.L1] = '#009e73';
CLASS_CSS.light[MC.L2] = '#d08c00';
CLASS_CSS.light[MC.L3] = '#d55e00';
CLASS_CSS.light[MC.L4] = '#8e5a84';
CLASS_CSS.light[MC.DESC] = '#cc79a7';
CLASS_CSS.light[MC.SHARED_PAGE] = '#6b7280';
CLASS_CSS.light[MC.SHARED_INFO] = '#3aa0e0';
CLASS_CSS.light[MC.GRANT_TABLE] = '#7c5cd6';
CLASS_CSS.light[MC.GRANT_MAPPED] = '#b8a800';

const BACKGROUND: Record<ColorScheme, string> = { dark: '#1b1d22', light: '#f6f7f9' };
const MARKER: Record<ColorScheme, string> = { dark: '#ffffff', light: '#111111' };

export interface Palette {
  scheme: ColorScheme;
  /** Per class: CSS colour and pixel, and the pixel for frames the owner filter leaves out. */
  classCss: readonly string[];
  classPixel: Uint32Array;
  dimPixel: Uint32Array;
  background: Pixel;
  backgroundCss: string;
  /** The pinned marker. */
  marker: Pixel;
  markerCss: string;
  /** A domain's colour when colouring by owner (page tables and descriptors a lighter shade). */
  ownerCss(owner: number, table: boolean): string;
  ownerPixel(owner: number, table: boolean): Pixel;
}

export function palette(scheme: ColorScheme): Palette {
  const css = CLASS_CSS[scheme];
  const bg = BACKGROUND[scheme];
  const classPixel = new Uint32Array(MAP_CLASSES);
  const dimPixel = new Uint32Array(MAP_CLASSES);
  for (let c = 0; c < MAP_CLASSES; c++) {
    classPixel[c] = pixel(...hex(css[c]));
    dimPixel[c] = pixel(...mix(css[c], bg, 0.75));
  }
  const ownerCache = new Map<number, Pixel>();
  const ownerCss = (owner: number, table: boolean): string => {
    if (owner === FRAME_FREE) return css[MC.FREE];
    if (owner === OWNER_XEN) return css[MC.XEN];
    // The golden angle spreads consecutive domain ids around the wheel.
    const hue = Math.round((owner * 137.508) % 360);
    const light = scheme === 'dark' ? (table ? 72 : 50) : (table ? 30 : 55);
    return `hsl(${hue} 60% ${light}%)`;
  };
  return {
    scheme,
    classCss: css,
    classPixel,
    dimPixel,
    background: pixel(...hex(bg)),
    backgroundCss: bg,
    marker: pixel(...hex(MARKER[scheme])),
    markerCss: MARKER[scheme],
    ownerCss,
    ownerPixel(owner, table) {
      const key = owner * 2 + (table ? 1 : 0);
      let p = ownerCache.get(key);
      if (p === undefined) {
        p = pixel(...hslRgb(ownerCss(owner, table)));
        ownerCache.set(key, p);
      }
      return p;
    },
  };
}

/** The RGB of a CSS colour this file makes: #rrggbb or hsl(h s% l%). */
function hslRgb(css: string): [number, number, number] {
  const m = /^hsl\((\d+) (\d+)% (\d+)%\)$/.exec(css);
  if (!m) return hex(css);
  const h = Number(m[1]) / 360, s = Number(m[2]) / 100, l = Number(m[3]) / 100;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;
  const ch = (t: number) => {
    t = (t + 1) % 1;
    const v = t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (2 / 3 - t) * 6 : p;
    return Math.round(v * 255);
  };
  return [ch(h + 1 / 3), ch(h), ch(h - 1 / 3)];
}
