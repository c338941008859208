import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateAbiHeader, HEADER_PATH } from './genheaders';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function hasGcc32(): boolean {
  try {
    execFileSync('gcc', ['-m32', '-fsyntax-only', '-x', 'c', '-'], { input: 'int x;', stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

describe('genheaders', () => {
  it('the committed guests/include/xen/abi.h matches src/abi/xen.ts (run `npm run genheaders`)', () => {
    const committed = readFileSync(resolve(root, HEADER_PATH), 'utf8');
    expect(committed === generateAbiHeader(), `${HEADER_PATH} is stale: run \`npm run genheaders\``).toBe(true);
  });

  it('says in its first line that it is generated', () => {
    expect(generateAbiHeader().split('\n')[0]).toMatch(/^\/\* GENERATED FILE: do not edit/);
  });

  it('compiles with gcc -m32, struct offsets agreeing (C and assembly)', () => {
    // Needs a gcc that emits 32-bit code (.ci/run installs gcc-multilib): fail, never skip.
    expect(hasGcc32(), 'gcc -m32 cannot compile here: install gcc-multilib').toBe(true);
    const header = resolve(root, HEADER_PATH);
    const c = `#include "${header}"\nint main(void) { return 0; }\n`;
    execFileSync('gcc', ['-m32', '-ffreestanding', '-fsyntax-only', '-Wall', '-Werror', '-x', 'c', '-'], { input: c });
    const s = `#include "${header}"\nmovl $__HYPERVISOR_console_io, %eax\n`;
    execFileSync('gcc', ['-m32', '-c', '-o', '/dev/null', '-x', 'assembler-with-cpp', '-'], { input: s });
  });
});
