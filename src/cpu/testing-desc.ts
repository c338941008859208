// Descriptor tables in test memory, for unit tests of segmentation, far
// transfers and interrupt delivery: a protected-mode machine with a GDT, an
// IDT and a 32-bit TSS built from the encodings in the Intel SDM vol. 3
// (3.4.5 segment descriptors, 5.8.3 call gates, 6.11 IDT gates, 7.2.1 TSS),
// written here independently of segments.ts so the tests check it.
//
//   0x1000 GDT (256 entries)   0x2000 IDT (256 gates)   0x3000 TSS   0x4000 LDT
//   0x10000 test code          0x20000 + vec * 16: handler stubs (nop; jmp $)
//   stacks: ring 0 below 0x90000, ring 1 0x80000, ring 2 0x70000, ring 3 0x60000
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../shared/layout';
import { testMachine, type TestMachine } from './testing';

export const GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, LDT = 0x4000, CODE = 0x10000, HANDLERS = 0x20000;
export const STACK = [0x90000, 0x80000, 0x70000, 0x60000];

// Flat selectors in the GDT (with RPL = DPL).
export const CS0 = 0x08, DS0 = 0x10, CS1 = 0x19, DS1 = 0x21, CS3 = 0x2b, DS3 = 0x33, TSS_SEL = 0x38,
  CS2 = 0x42, DS2 = 0x4a;
/** The LDT's descriptor. */
export const LDT_SEL = 0x50;
/** First GDT index that tests may fill (selector 0x58). */
export const FREE = 11;

export const CODE_SEL = [CS0, CS1, CS2, CS3];
export const DATA_SEL = [DS0, DS1, DS2, DS3];

// Segment types (descriptor bits 40..43).
export const T_DATA_RO = 0x0, T_DATA_RW = 0x2, T_DATA_RW_DOWN = 0x6, T_CODE_X = 0x8, T_CODE_XR = 0xa,
  T_CODE_CONF_XR = 0xe;
// System types.
export const T_TSS32_AVAIL = 0x9, T_TSS32_BUSY = 0xb, T_CALL16 = 0x4, T_TASK = 0x5, T_INT16 = 0x6,
  T_TRAP16 = 0x7, T_CALL32 = 0xc, T_INT32 = 0xe, T_TRAP32 = 0xf, T_LDT = 0x2;

export interface SegOpts {
  base?: number;
  /** Byte limit; above 0xfffff it is stored page-granular. Default 4 GiB. */
  limit?: number;
  type: number;
  dpl?: number;
  /** Code/data (true, default) or system descriptor. */
  s?: boolean;
  present?: boolean;
  /** Default-size / big bit (default true). */
  db?: boolean;
  /** Leave the accessed bit as `type` gives it (default: set it for code/data). */
  keepAccessed?: boolean;
}

/** A segment or system descriptor as [low dword, high dword]. */
export function segDesc(o: SegOpts): [number, number] {
  const base = o.base ?? 0, s = o.s ?? true;
  let limit = o.limit ?? 0xffffffff, g = 0;
  if (limit > 0xfffff) { g = 1; limit = Math.floor(limit / 4096); }
  const type = s && !o.keepAccessed ? o.type | 1 : o.type;
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | ((s ? 1 : 0) << 12) | ((o.dpl ?? 0) << 13)
    | ((o.present ?? true) ? 1 << 15 : 0) | (limit & 0xf0000) | ((o.db ?? true) ? 1 << 22 : 0) | (g << 23)
    | (base & 0xff000000);
  return [lo | 0, hi | 0];
}

/** A call, interrupt, trap or task gate. */
export function gateDesc(sel: number, offset: number, type: number, dpl: number, present = true, count = 0): [number, number] {
  const lo = (offset & 0xffff) | (sel << 16);
  const hi = (offset & 0xffff0000) | (present ? 0x8000 : 0) | (dpl << 13) | (type << 8) | (count & 0x1f);
  return [lo | 0, hi | 0];
}

export interface PmMachine extends TestMachine {
  /** Write GDT entry `index`. */
  gdt(index: number, d: [number, number]): void;
  /** Write LDT entry `index` (the LDT is installed, 32 entries). */
  ldt(index: number, d: [number, number]): void;
  /** Write IDT gate `vec`. */
  idt(vec: number, d: [number, number]): void;
  /** Read a dword / word of physical memory. */
  rd32(addr: number): number;
  rd16(addr: number): number;
  wr32(addr: number, v: number): void;
  /** Put CPU in ring `cpl`: CS/SS/DS/ES/FS/GS from the flat selectors of that ring, ESP = its stack top. */
  enter(cpl: number): void;
  /** Load segment register `seg` from GDT entry of `sel` without any check (test setup). */
  loadSeg(seg: number, sel: number): void;
  /** Place code at CODE (or `at`) and point EIP at it. */
  prog(bytes: number[], at?: number): void;
}

/**
 * A protected-mode machine with the flat GDT above, a TSS whose ring 0-2
 * stacks are the ring stacks above, and every IDT vector pointing at a DPL-0
 * 32-bit interrupt gate to its handler stub `nop; jmp $` in ring 0.
 */
export function pmMachine(cpl = 0): PmMachine {
  const m = testMachine({ cpl });
  const c = m.cpu, u8 = m.mem.u8;
  const rd32 = (a: number) => u8[a] | (u8[a + 1] << 8) | (u8[a + 2] << 16) | (u8[a + 3] << 24);
  const rd16 = (a: number) => u8[a] | (u8[a + 1] << 8);
  const wr32 = (a: number, v: number) => m.load(a, [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
  const put = (a: number, d: [number, number]) => { wr32(a, d[0]); wr32(a + 4, d[1]); };
  const pm: PmMachine = Object.assign(m, {
    gdt: (index: number, d: [number, number]) => put(GDT + index * 8, d),
    ldt: (index: number, d: [number, number]) => put(LDT + index * 8, d),
    idt: (vec: number, d: [number, number]) => put(IDT + vec * 8, d),
    rd32, rd16, wr32,
    loadSeg(seg: number, sel: number) {
      const a = ((sel & 4) ? LDT : GDT) + (sel & ~7);
      const lo = rd32(a), hi = rd32(a + 4);
      const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
      const raw = (lo & 0xffff) | (hi & 0xf0000);
      const limit = hi & 0x800000 ? (raw * 4096 + 0xfff) | 0 : raw;
      c.setSeg(seg, sel, base, limit, (hi >>> 8) & 0xf0ff);
    },
    enter(ring: number) {
      pm.loadSeg(SEG_CS, CODE_SEL[ring]);
      for (const s of [SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS]) pm.loadSeg(s, DATA_SEL[ring]);
      c.setCpl(ring);
      c.r[R.ESP] = STACK[ring];
    },
    prog(bytes: number[], at = CODE) {
      m.load(at, bytes);
      c.r[R.EIP] = at;
    },
  });
  for (let d = 0; d < 4; d++) {
    pm.gdt([1, 3, 8, 5][d], segDesc({ type: T_CODE_XR, dpl: d }));
    pm.gdt([2, 4, 9, 6][d], segDesc({ type: T_DATA_RW, dpl: d }));
  }
  pm.gdt(7, segDesc({ base: TSS, limit: 0x67, type: T_TSS32_BUSY, s: false, db: false }));
  pm.gdt(10, segDesc({ base: LDT, limit: 32 * 8 - 1, type: T_LDT, s: false, db: false }));
  c.r[R.GDTR_BASE] = GDT; c.r[R.GDTR_LIMIT] = 256 * 8 - 1;
  c.r[R.IDTR_BASE] = IDT; c.r[R.IDTR_LIMIT] = 256 * 8 - 1;
  c.r[R.TR] = TSS_SEL; c.r[R.TR + 1] = TSS; c.r[R.TR + 2] = 0x67; c.r[R.TR + 3] = 0x8b;
  c.r[R.LDTR] = LDT_SEL; c.r[R.LDTR + 1] = LDT; c.r[R.LDTR + 2] = 32 * 8 - 1; c.r[R.LDTR + 3] = 0x82;
  for (let ring = 0; ring < 3; ring++) {
    wr32(TSS + 4 + ring * 8, STACK[ring]);
    wr32(TSS + 8 + ring * 8, DATA_SEL[ring]);
  }
  for (let v = 0; v < 256; v++) {
    m.load(HANDLERS + v * 16, [0x90, 0xeb, 0xfe]);
    pm.idt(v, gateDesc(CS0, HANDLERS + v * 16, T_INT32, 0));
  }
  pm.enter(cpl);
  return pm;
}
