import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { EXIT_LIMIT } from './defs';
import { getEflags } from './flags';
import { testMachine } from './testing';

describe('run loop', () => {
  it('runs a counted loop and stops on an exact instruction boundary', () => {
    const m = testMachine();
    // mov ecx,10; xor eax,eax; l: add eax,ecx; dec ecx; jnz l
    m.load(0x1000, [0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb]);
    m.cpu.r[R.EIP] = 0x1000;
    expect(m.run(32)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(55);
    expect(m.cpu.r[R.ECX]).toBe(0);
    expect(m.cpu.instructions).toBe(32);
    expect(m.cpu.r[R.EIP]).toBe(0x100c);
    expect(getEflags(m.cpu.r) & 0x40).toBe(0x40);
  });

  it('stops mid-loop at any instruction count and resumes to the same result', () => {
    const m = testMachine();
    m.load(0x1000, [0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb]);
    m.cpu.r[R.EIP] = 0x1000;
    m.run(7);
    expect(m.cpu.instructions).toBe(7);
    expect(m.cpu.r[R.EIP]).toBe(0x100a); // at "jnz" of the second iteration
    m.run(25);
    expect(m.cpu.r[R.EAX]).toBe(55);
  });
});

describe('block compiler', () => {
  const loop = [0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb];
  for (const threshold of [0, 1, 3]) {
    it(`gives the same state and count with compile threshold ${threshold}`, () => {
      const m = testMachine();
      m.code.compileThreshold = threshold;
      m.load(0x1000, loop);
      m.cpu.r[R.EIP] = 0x1000;
      // 32 instructions in uneven slices, so slices end inside compiled blocks.
      for (const n of [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2]) m.run(n);
      expect(m.cpu.instructions).toBe(32);
      expect(m.cpu.r[R.EAX]).toBe(55);
      expect(m.cpu.r[R.EIP]).toBe(0x100c);
      if (threshold > 0) expect(m.code.compiled).toBeGreaterThan(0);
    });
  }

  it('sees code written over an already compiled block', () => {
    const m = testMachine();
    m.code.compileThreshold = 1;
    // l: inc eax; dec ecx; jnz l  (then patched to add eax,eax)
    m.load(0x1000, [0xb9, 4, 0, 0, 0, 0x40, 0x49, 0x75, 0xfc, 0x90, 0x90]);
    m.cpu.r[R.EIP] = 0x1000;
    m.run(1 + 3 * 4);
    expect(m.cpu.r[R.EAX]).toBe(4);
    // Guest-side write through the CPU: mov byte [0x1005], 0x48 (inc eax -> dec eax)
    m.load(0x2000, [0xc6, 0x05, 0x05, 0x10, 0, 0, 0x48, 0xb9, 2, 0, 0, 0, 0xe9, 0xf4, 0xef, 0xff, 0xff]);
    m.cpu.r[R.EIP] = 0x2000;
    m.run(3 + 3 * 2);
    expect(m.cpu.r[R.EAX]).toBe(2);
  });
});

describe('instruction count with REP in compiled blocks', () => {
  it('counts every iteration whether the block is interpreted or compiled', () => {
    const counts = [0, 1].map((threshold) => {
      const m = testMachine();
      m.code.compileThreshold = threshold;
      // mov ebx,5; l: mov edi,0x3000; mov ecx,7; rep stosb; dec ebx; jnz l; jmp $
      m.load(0x1000, [0xbb, 5, 0, 0, 0, 0xbf, 0, 0x30, 0, 0, 0xb9, 7, 0, 0, 0, 0xf3, 0xaa, 0x4b, 0x75, 0xf1, 0xeb, 0xfe]);
      m.cpu.r[R.EIP] = 0x1000;
      m.run(1 + 5 * (2 + 7 + 2));
      return { n: m.cpu.instructions, eip: m.cpu.r[R.EIP], ebx: m.cpu.r[R.EBX] };
    });
    expect(counts[0]).toEqual({ n: 56, eip: 0x1014, ebx: 0 });
    expect(counts[1]).toEqual(counts[0]);
  });
});
