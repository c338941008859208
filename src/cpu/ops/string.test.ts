import { describe, expect, it } from 'vitest';
import { R, SEG_FS } from '../../shared/layout';
import { CF, DF, EXIT_EXCEPTION, EXIT_LIMIT, PF_, SF, ZF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';
import { CHUNK } from './string';

const CODE = 0x1000;

function machine(ramMiB = 4): TestMachine {
  const m = testMachine({ ramMiB });
  m.cpu.interceptExc = -1;
  return m;
}
function load(m: TestMachine, code: number[]): void {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
}
function regs(m: TestMachine, esi: number, edi: number, ecx: number, df = false): void {
  m.cpu.r[R.ESI] = esi; m.cpu.r[R.EDI] = edi; m.cpu.r[R.ECX] = ecx;
  if (df) m.cpu.r[R.EFLAGS] |= DF; else m.cpu.r[R.EFLAGS] &= ~DF;
}
function fillPattern(m: TestMachine, at: number, n: number): void {
  for (let k = 0; k < n; k++) m.mem.u8[at + k] = (k * 7 + 3) & 0xff;
}
const flags = (m: TestMachine) => getEflags(m.cpu.r);

describe('single string instructions', () => {
  it('MOVSB/MOVSW/MOVSD step by the element size, forwards and with DF = 1 backwards', () => {
    const m = machine();
    m.mem.i32[0x2000 >> 2] = 0x44332211;
    load(m, [0xa4, 0x66, 0xa5, 0xa5]); // movsb; movsw; movsd
    regs(m, 0x2000, 0x3000, 99);
    expect(m.run(3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESI]).toBe(0x2007);
    expect(m.cpu.r[R.EDI]).toBe(0x3007);
    expect(m.cpu.r[R.ECX]).toBe(99); // no REP: the count is not touched
    expect(Array.from(m.mem.u8.subarray(0x3000, 0x3004))).toEqual([0x11, 0x22, 0x33, 0x44]);
    load(m, [0xa5]); // movsd, DF = 1
    regs(m, 0x2000, 0x3100, 0, true);
    m.run(1);
    expect(m.mem.i32[0x3100 >> 2]).toBe(0x44332211);
    expect(m.cpu.r[R.ESI]).toBe(0x2000 - 4);
    expect(m.cpu.r[R.EDI]).toBe(0x3100 - 4);
  });

  it('16-bit address size uses SI/DI, wraps them and keeps the upper halves', () => {
    const m = machine();
    m.mem.u8[0xffff] = 0x5a;
    load(m, [0x67, 0xa4]); // movsb with a 16-bit address size
    regs(m, 0x1234_ffff, 0x7777_4000, 0);
    m.run(1);
    expect(m.mem.u8[0x4000]).toBe(0x5a);
    expect(m.cpu.r[R.ESI] >>> 0).toBe(0x1234_0000);
    expect(m.cpu.r[R.EDI] >>> 0).toBe(0x7777_4001);
  });

  it('STOS and LODS use the accumulator; the source segment can be overridden', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0xa1b2c3d4 | 0;
    load(m, [0xab, 0x66, 0xab, 0xaa]); // stosd; stosw; stosb
    regs(m, 0, 0x3000, 0);
    m.run(3);
    expect(Array.from(m.mem.u8.subarray(0x3000, 0x3007))).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 0xd4, 0xc3, 0xd4]);
    m.cpu.setSeg(SEG_FS, 0x10, 0x100, -1, 0x93 | 0x4000 | 0x8000);
    m.mem.i32[0x2100 >> 2] = 0x01020304;
    m.mem.i32[0x2000 >> 2] = 0x0a0b0c0d;
    load(m, [0x64, 0xac, 0x66, 0xad]); // lodsb fs:[esi]; lodsw
    regs(m, 0x2000, 0, 0);
    m.run(2);
    expect(m.cpu.r[R.EAX] >>> 0).toBe(0xa1b20b0c); // AL = 04 (FS: 0x2100), then AX from DS:0x2001
    expect(m.cpu.r[R.ESI]).toBe(0x2003);
  });

  it('CMPS compares [eSI] - [eDI]; SCAS compares the accumulator - [eDI]', () => {
    const m = machine();
    m.mem.u8[0x2000] = 1; m.mem.u8[0x3000] = 2;
    load(m, [0xa6]); // cmpsb
    regs(m, 0x2000, 0x3000, 0);
    m.run(1);
    expect(flags(m) & (CF | ZF | SF)).toBe(CF | SF);
    expect(m.cpu.r[R.ESI]).toBe(0x2001);
    m.mem.i32[0x3000 >> 2] = 0x1234;
    m.cpu.r[R.EAX] = 0x1234;
    load(m, [0xaf]); // scasd
    regs(m, 0, 0x3000, 0);
    m.run(1);
    expect(flags(m) & (CF | ZF | SF)).toBe(ZF);
    expect(m.cpu.r[R.EDI]).toBe(0x3004);
  });

  it('XLAT: AL = [eBX + AL], segment overridable', () => {
    const m = machine();
    m.mem.u8[0x2000 + 0xf0] = 0x99;
    m.mem.u8[0x2100 + 0xf0] = 0x77;
    m.cpu.r[R.EBX] = 0x2000; m.cpu.r[R.EAX] = 0x55_00f0;
    load(m, [0xd7]);
    m.run(1);
    expect(m.cpu.r[R.EAX]).toBe(0x55_0099);
    m.cpu.setSeg(SEG_FS, 0x10, 0x100, -1, 0x93 | 0x4000 | 0x8000);
    m.cpu.r[R.EAX] = 0xf0;
    load(m, [0x64, 0xd7]); // xlat fs:
    m.run(1);
    expect(m.cpu.r[R.EAX]).toBe(0x77);
  });
});

describe('REP', () => {
  it('a zero count does nothing and counts once', () => {
    const m = machine();
    load(m, [0xf3, 0xa5, 0x90]); // rep movsd; nop
    regs(m, 0x2000, 0x3000, 0);
    m.mem.i32[0x3000 >> 2] = 7;
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(m.cpu.instructions).toBe(1);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 2);
    expect(m.cpu.r[R.ESI]).toBe(0x2000);
    expect(m.mem.i32[0x3000 >> 2]).toBe(7);
  });

  it('REP MOVSB copies across pages and counts once per iteration', () => {
    const m = machine();
    const N = 3 * 4096 + 123;
    fillPattern(m, 0x10003, N);
    load(m, [0xf3, 0xa4, 0x90]); // rep movsb; nop
    regs(m, 0x10003, 0x20ffe, N);
    expect(m.run(N + 1)).toBe(EXIT_LIMIT);
    expect(m.cpu.instructions).toBe(N + 1);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 3);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.cpu.r[R.ESI]).toBe(0x10003 + N);
    expect(m.cpu.r[R.EDI]).toBe(0x20ffe + N);
    expect(Buffer.compare(m.mem.u8.subarray(0x20ffe, 0x20ffe + N), m.mem.u8.subarray(0x10003, 0x10003 + N))).toBe(0);
  });

  it('REP MOVSB with the destination one byte above the source replicates bytes, as element order does', () => {
    const m = machine();
    m.mem.u8.set([0xab, 1, 2, 3, 4, 5, 6, 7, 8], 0x2000);
    load(m, [0xf3, 0xa4]);
    regs(m, 0x2000, 0x2001, 8);
    m.run(8);
    expect(Array.from(m.mem.u8.subarray(0x2000, 0x2009))).toEqual(new Array(9).fill(0xab));
  });

  it('REP MOVSD with DF = 1 over an overlapping range moves like memmove upwards', () => {
    const m = machine();
    for (let k = 0; k < 8; k++) m.mem.i32[(0x2000 >> 2) + k] = k + 1;
    load(m, [0xf3, 0xa5]);
    regs(m, 0x2000 + 4 * 7, 0x2000 + 4 * 9, 8, true); // last element first
    m.run(8);
    for (let k = 0; k < 8; k++) expect(m.mem.i32[(0x2008 >> 2) + k]).toBe(k + 1);
    expect(m.cpu.r[R.ESI]).toBe(0x2000 - 4);
    expect(m.cpu.r[R.EDI]).toBe(0x2004);
  });

  it('REP MOVSD with DF = 1 and the destination below the source copies element by element', () => {
    const m = machine();
    for (let k = 0; k < 8; k++) m.mem.i32[(0x2000 >> 2) + k] = k + 1;
    load(m, [0xf3, 0xa5]);
    regs(m, 0x2000 + 4 * 7, 0x2000 + 4 * 6, 8, true);
    m.run(8);
    // Each element read was written by the previous iteration: the top one spreads down.
    for (let k = -1; k < 8; k++) expect(m.mem.i32[(0x2000 >> 2) + k]).toBe(8);
  });

  it('REP STOSD fills, aligned or not; REP STOSB with DF = 1 fills downwards', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0x11223344;
    load(m, [0xf3, 0xab]);
    regs(m, 0, 0x3001, 1500);
    m.run(1500);
    for (let k = 0; k < 1500; k++) {
      const a = 0x3001 + 4 * k;
      expect([m.mem.u8[a], m.mem.u8[a + 1], m.mem.u8[a + 2], m.mem.u8[a + 3]]).toEqual([0x44, 0x33, 0x22, 0x11]);
    }
    expect(m.mem.u8[0x3001 + 6000]).toBe(0);
    expect(m.cpu.r[R.EDI]).toBe(0x3001 + 6000);
    m.cpu.r[R.EAX] = 0xee;
    load(m, [0xf3, 0xaa]);
    regs(m, 0, 0x5005, 0x10, true);
    m.run(16);
    expect(Array.from(m.mem.u8.subarray(0x4ff5, 0x5007))).toEqual([0, ...new Array(16).fill(0xee), 0]);
    expect(m.cpu.r[R.EDI]).toBe(0x4ff5);
  });

  it('REPE CMPSB stops after the first difference; REPNE SCASB after the first match', () => {
    const m = machine();
    m.mem.u8.set([1, 2, 3, 4, 5], 0x2000);
    m.mem.u8.set([1, 2, 9, 4, 5], 0x3000);
    load(m, [0xf3, 0xa6, 0x90]); // repe cmpsb; nop
    regs(m, 0x2000, 0x3000, 5);
    expect(m.run(3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 2);
    expect(m.cpu.r[R.ECX]).toBe(2);
    expect(m.cpu.r[R.ESI]).toBe(0x2003);
    expect(flags(m) & (ZF | CF)).toBe(CF); // 3 - 9
    // strlen: repne scasb with AL = 0 and ECX = -1.
    m.mem.u8.set([0x41, 0x42, 0x43, 0], 0x4000);
    m.cpu.r[R.EAX] = 0;
    load(m, [0xf2, 0xae]);
    regs(m, 0, 0x4000, -1);
    m.run(4);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 2);
    expect(~m.cpu.r[R.ECX] - 1).toBe(3);
    expect(flags(m) & ZF).toBe(ZF);
  });

  it('REPE CMPSW that runs out of count with everything equal ends with ZF = 1', () => {
    const m = machine();
    load(m, [0x66, 0xf3, 0xa7]); // repe cmpsw
    regs(m, 0x2000, 0x3000, 3);
    m.run(3);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.cpu.r[R.EDI]).toBe(0x3006);
    expect(flags(m) & ZF).toBe(ZF);
    expect(m.cpu.instructions).toBe(3);
  });

  it('F2 on MOVS is a plain REP', () => {
    const m = machine();
    fillPattern(m, 0x2000, 10);
    load(m, [0xf2, 0xa4]);
    regs(m, 0x2000, 0x3000, 10);
    m.run(10);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.mem.u8[0x3009]).toBe(m.mem.u8[0x2009]);
  });

  it('16-bit address size counts with CX and keeps the upper half of ECX', () => {
    const m = machine();
    load(m, [0x67, 0xf3, 0xaa]); // rep stosb (a16)
    m.cpu.r[R.EAX] = 0x3c;
    regs(m, 0, 0x9999_fffe | 0, 0x5555_0004);
    m.run(4);
    expect(m.cpu.r[R.ECX]).toBe(0x5555_0000);
    expect(m.cpu.r[R.EDI] >>> 0).toBe(0x9999_0002);
    expect([m.mem.u8[0xfffe], m.mem.u8[0xffff], m.mem.u8[0], m.mem.u8[1]]).toEqual([0x3c, 0x3c, 0x3c, 0x3c]);
  });
});

describe('REP and the instruction budget', () => {
  /** The full state a run leaves: registers and the bytes the test touches. */
  function snapshot(m: TestMachine, lo: number, hi: number): string {
    const regsText = Array.from(m.cpu.r.subarray(0, 9)).join(',');
    return `${regsText} f=${getEflags(m.cpu.r)} n=${m.cpu.instructions} ${Buffer.from(m.mem.u8.subarray(lo, hi)).toString('hex')}`;
  }

  const programs: [string, number[], (m: TestMachine) => void, number][] = [
    // mov ecx,N; rep movsd; nop  (bulk path, across a page)
    ['rep movsd', [0xb9, 200, 0, 0, 0, 0xf3, 0xa5, 0x90], (m) => {
      fillPattern(m, 0x2f00, 1000); regs(m, 0x2f00, 0x3f80, 0);
    }, 1 + 200 + 1],
    // rep stosb, DF = 1
    ['std rep stosb', [0xb9, 77, 0, 0, 0, 0xf3, 0xaa, 0x90], (m) => {
      m.cpu.r[R.EAX] = 0x61; regs(m, 0, 0x3020, 0, true);
    }, 1 + 77 + 1],
    // repne scasb (element path), stops on a match
    ['repne scasb', [0xb9, 90, 0, 0, 0, 0xf2, 0xae, 0x90], (m) => {
      fillPattern(m, 0x3000, 90); m.cpu.r[R.EAX] = (40 * 7 + 3) & 0xff; regs(m, 0, 0x3000, 0);
    }, -1],
    // rep movsb with 16-bit addressing (element path)
    ['a16 rep movsb', [0xb9, 50, 0, 0, 0, 0x67, 0xf3, 0xa4, 0x90], (m) => {
      fillPattern(m, 0x2000, 64); regs(m, 0x2000, 0x3000, 0);
    }, 1 + 50 + 1],
  ];

  it.each(programs)('%s: stopping after any instruction and resuming gives the same final state', (_n, code, setup, total) => {
    const ref = machine();
    load(ref, code);
    setup(ref);
    let steps = total;
    if (steps < 0) {
      // Run to the NOP to learn how many instructions the program takes.
      steps = 0;
      while (ref.cpu.r[R.EIP] !== CODE + code.length) { ref.run(1); steps++; }
    } else {
      expect(ref.run(steps)).toBe(EXIT_LIMIT);
    }
    expect(ref.cpu.r[R.EIP]).toBe(CODE + code.length);
    expect(ref.cpu.instructions).toBe(steps);
    const want = snapshot(ref, 0x2000, 0x5000);
    for (let k = 1; k < steps; k++) {
      const m = machine();
      load(m, code);
      setup(m);
      expect(m.run(k)).toBe(EXIT_LIMIT);
      expect(m.cpu.instructions).toBe(k);
      if (k >= 2 && k < steps - 1) expect(m.cpu.r[R.EIP]).toBe(CODE + 5); // still on the REP
      m.run(steps - k);
      expect(snapshot(m, 0x2000, 0x5000)).toBe(want);
    }
  });

  it('counts the same in compiled blocks, stopped anywhere', () => {
    // l: mov ecx,5; rep stosb; dec ebx; jnz l   (20 rounds of 8 instructions)
    const code = [0xb9, 5, 0, 0, 0, 0xf3, 0xaa, 0x4b, 0x75, 0xf6];
    const TOTAL = 20 * 8;
    const start = (threshold: number): TestMachine => {
      const m = machine();
      m.code.compileThreshold = threshold;
      load(m, code);
      m.cpu.r[R.EBX] = 20; m.cpu.r[R.EAX] = 0x33;
      regs(m, 0, 0x3000, 0);
      return m;
    };
    const ref = start(1 << 30);
    ref.run(TOTAL);
    expect(ref.cpu.r[R.EIP]).toBe(CODE + code.length);
    expect(ref.cpu.r[R.EDI]).toBe(0x3000 + 100);
    const want = Array.from(ref.cpu.r.subarray(0, 9)).join();
    for (const threshold of [1, 3]) {
      for (let k = 1; k < TOTAL; k += 7) {
        const m = start(threshold);
        m.run(k);
        expect(m.cpu.instructions).toBe(k);
        m.run(TOTAL - k);
        expect(m.cpu.instructions).toBe(TOTAL);
        expect(Array.from(m.cpu.r.subarray(0, 9)).join()).toBe(want);
      }
    }
  });

  it('a long REP runs in chunks that still add up exactly', () => {
    const m = machine();
    const N = CHUNK * 3 + 17;
    m.cpu.r[R.EAX] = 0x7e;
    load(m, [0xf3, 0xaa, 0x90]);
    regs(m, 0, 0x40000, N);
    expect(m.run(N + 1)).toBe(EXIT_LIMIT);
    expect(m.cpu.instructions).toBe(N + 1);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 3);
    expect(m.mem.u8[0x40000 + N - 1]).toBe(0x7e);
    expect(m.mem.u8[0x40000 + N]).toBe(0);
  });
});

describe('REP and faults', () => {
  /** Paging on, identity map of the first 4 MiB, with the page at `hole` not present. */
  function paged(hole: number): TestMachine {
    const m = machine();
    const PD = 0x100000, PT = 0x101000;
    m.mem.i32[PD >> 2] = PT | 7;
    for (let k = 0; k < 1024; k++) m.mem.i32[(PT >> 2) + k] = (k << 12) | 7;
    m.mem.i32[(PT >> 2) + (hole >>> 12)] = 0;
    m.cpu.r[R.CR3] = PD;
    m.cpu.r[R.CR0] |= 0x80000000;
    m.cpu.tlbFlush(true);
    return m;
  }
  function mapHole(m: TestMachine, hole: number): void {
    m.mem.i32[(0x101000 >> 2) + (hole >>> 12)] = hole | 7;
    m.cpu.tlbFlush(true);
  }

  const forms: [string, number[]][] = [
    ['rep movsb (bulk path)', [0xf3, 0xa4]],
    ['rep movsb, 16-bit addresses (element path)', [0x67, 0xf3, 0xa4]],
  ];
  it.each(forms)('%s: a fault after k iterations leaves ECX/ESI/EDI after exactly k, counted', (_n, code) => {
    const m = paged(0x5000);
    fillPattern(m, 0x2000, 0x40);
    load(m, code);
    regs(m, 0x2000, 0x4ff0, 0x40);
    expect(m.run(1000)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(PF_);
    expect(m.cpu.r[R.EXIT_ERROR]).toBe(2); // not present, write, supervisor
    expect(m.cpu.r[R.CR2]).toBe(0x5000);
    expect(m.cpu.r[R.EIP]).toBe(CODE);
    expect(m.cpu.instructions).toBe(16);
    expect(m.cpu.r[R.ECX]).toBe(0x30);
    expect(m.cpu.r[R.ESI]).toBe(0x2010);
    expect(m.cpu.r[R.EDI]).toBe(0x5000);
    expect(Buffer.compare(m.mem.u8.subarray(0x4ff0, 0x5000), m.mem.u8.subarray(0x2000, 0x2010))).toBe(0);
    // The handler maps the page; the instruction restarts and finishes.
    mapHole(m, 0x5000);
    expect(m.run(0x30)).toBe(EXIT_LIMIT);
    expect(m.cpu.instructions).toBe(0x40);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(Buffer.compare(m.mem.u8.subarray(0x4ff0, 0x5030), m.mem.u8.subarray(0x2000, 0x2040))).toBe(0);
  });

  it('a fault on the source of the first iteration changes nothing and counts nothing', () => {
    const m = paged(0x6000);
    load(m, [0xf3, 0xa5]); // rep movsd
    regs(m, 0x6000, 0x3000, 8);
    expect(m.run(100)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.EXIT_ERROR]).toBe(0); // not present, read
    expect(m.cpu.r[R.CR2]).toBe(0x6000);
    expect(m.cpu.instructions).toBe(0);
    expect(m.cpu.r[R.ECX]).toBe(8);
    expect(m.cpu.r[R.ESI]).toBe(0x6000);
  });

  it('REPE CMPSD faulting mid-way keeps its registers at the last completed element', () => {
    const m = paged(0x7000);
    load(m, [0xf3, 0xa7]); // repe cmpsd (all zero: equal)
    regs(m, 0x6ff8, 0x2000, 5);
    expect(m.run(100)).toBe(EXIT_EXCEPTION);
    expect(m.cpu.r[R.CR2]).toBe(0x7000);
    expect(m.cpu.instructions).toBe(2);
    expect(m.cpu.r[R.ECX]).toBe(3);
    expect(m.cpu.r[R.ESI]).toBe(0x7000);
    expect(m.cpu.r[R.EDI]).toBe(0x2008);
  });
});

describe('REP writes and decoded code', () => {
  it('REP STOSB over code already decoded runs the new bytes', () => {
    for (const code of [[0xf3, 0xaa], [0x67, 0xf3, 0xaa]]) {
      const m = machine();
      const after = CODE + code.length;
      // rep stos[b]; inc eax x4 ; decode and run the INCs once first.
      m.load(CODE, [...code, 0x40, 0x40, 0x40, 0x40]);
      m.cpu.r[R.EIP] = after;
      m.run(4);
      expect(m.cpu.r[R.EAX]).toBe(4);
      // Now overwrite them with NOPs from the REP itself.
      m.cpu.r[R.EAX] = 0x90;
      m.cpu.r[R.EIP] = CODE;
      regs(m, 0, after, 4);
      m.run(4 + 4);
      expect(m.cpu.r[R.EIP]).toBe(after + 4);
      expect(m.cpu.r[R.EAX]).toBe(0x90);
    }
  });
});
