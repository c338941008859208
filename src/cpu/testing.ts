// A CPU on a small flat machine, for unit tests, the differential tests and
// benchmarks: protected mode, flat segments, paging off, at the CPL asked for.
import { MachineMemory } from '../mem/memory';
import { R } from '../shared/layout';
import { CodeCache } from './codecache';
import { Cpu } from './cpu';
import { run } from './exec';

export interface TestMachine {
  mem: MachineMemory;
  code: CodeCache;
  cpu: Cpu;
  /** Copy bytes into physical memory (keeps decoded code coherent). */
  load(addr: number, bytes: ArrayLike<number>): void;
  run(max: number): number;
}

export function testMachine(opts: { ramMiB?: number; cpl?: number } = {}): TestMachine {
  const mem = MachineMemory.create({ ramMiB: opts.ramMiB ?? 4, vcpus: 1 });
  const code = new CodeCache(mem.ramBytes, 1 << 16);
  const cpu = new Cpu(mem, code, 0);
  cpu.resetFlat(opts.cpl ?? 0);
  return {
    mem, code, cpu,
    load(addr, bytes) {
      mem.u8.set(bytes, addr);
      code.notifyWrite(addr, bytes.length);
    },
    run(max) {
      return run(cpu, max);
    },
  };
}

export { R };
