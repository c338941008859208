import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { testMachine } from './testing';

// A loop that mixes memory, stack, branches and flags: sum a table, push/pop.
//   mov esi,0x3000; mov ecx,200; xor eax,eax
// l: add eax,[esi]; push eax; pop edx; add esi,4; and esi,0x33ff; dec ecx; jnz l; jmp $
const program = [
  0xbe, 0x00, 0x30, 0, 0, 0xb9, 200, 0, 0, 0, 0x31, 0xc0,
  0x03, 0x06, 0x50, 0x5a, 0x83, 0xc6, 0x04, 0x81, 0xe6, 0xff, 0x33, 0, 0, 0x49, 0x75, 0xef, 0xeb, 0xfe,
];

function boot() {
  const m = testMachine();
  m.load(0x1000, program);
  const table = new Uint8Array(0x400).map((_, i) => (i * 37 + 11) & 0xff);
  m.load(0x3000, table);
  m.cpu.r[R.EIP] = 0x1000;
  m.cpu.r[R.ESP] = 0x8000;
  return m;
}

describe('CPU state', () => {
  it('is the register file plus memory: a copy continues exactly like the original', () => {
    const a = boot();
    a.run(517);
    const b = testMachine();
    b.mem.u8.set(a.mem.u8);
    b.cpu.r.set(a.cpu.r);
    b.cpu.refresh();
    a.run(1000);
    b.run(1000);
    expect(Array.from(b.cpu.r)).toEqual(Array.from(a.cpu.r));
    expect(Buffer.compare(Buffer.from(a.mem.u8), Buffer.from(b.mem.u8))).toBe(0);
  });

  it('is deterministic whatever the slicing and the compiler threshold', () => {
    const runs = [
      { threshold: 0, slices: [1500] },
      { threshold: 1, slices: [7, 500, 3, 990] },
      { threshold: 8, slices: [1, 1, 1, 1497] },
    ].map(({ threshold, slices }) => {
      const m = boot();
      m.code.compileThreshold = threshold;
      for (const s of slices) m.run(s);
      return { regs: Array.from(m.cpu.r), mem: Buffer.from(m.mem.u8.subarray(0, 0x10000)) };
    });
    for (const r of runs.slice(1)) {
      expect(r.regs).toEqual(runs[0].regs);
      expect(Buffer.compare(r.mem, runs[0].mem)).toBe(0);
    }
  });
});
