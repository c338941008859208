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
