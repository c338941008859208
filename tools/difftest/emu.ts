// The emulator side: one test machine at CPL 3, flat segments, paging off, set
// up to look like the native process (same selectors, a GDT whose user entries
// match what LAR/LSL report natively, no I/O permission), run in-process.
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../src/shared/layout.ts';
import { EXIT_EXCEPTION, EXIT_SOFTINT } from '../../src/cpu/defs.ts';
import { getEflags } from '../../src/cpu/flags.ts';
import { testMachine, type TestMachine } from '../../src/cpu/testing.ts';
import type { Case } from './gen.ts';
import { CHANGE_BASE, CODE, CODE_SIZE, DATA, fill, REGION, STACK } from './layout.ts';
import type { NativeEnv, Outcome } from './native.ts';

const GDT = 0x003f0000;
const EXIT_NAMES = ['none', 'limit', 'exception', 'softint', 'hlt', 'priv', 'io', 'cpuid', 'msr', 'shutdown'];

export class EmuSide {
  readonly m: TestMachine;
  private readonly page = new Uint8Array(CODE_SIZE);
  private readonly pristine = new Uint8Array(2 * REGION);
  private readonly pristine32 = new Int32Array(this.pristine.buffer);
  private readonly segAttr: number[] = [];
  private last: Case | null = null;

  constructor(private readonly env: NativeEnv) {
    this.m = testMachine({ cpl: 3, ramMiB: 4 });
    const c = this.m.cpu, r = c.r, u8 = this.m.mem.u8;
    c.interceptExc = -1;
    c.interceptInt[3] = 1; // INT3 / INT 3: the end of a case (natively SIGTRAP)
    c.interceptInt[4] = 1; // INTO / INT 4: Linux's gate is open to CPL 3 (natively SIGSEGV, trap number 4)
    for (let s = 0; s < 6; s++) this.segAttr.push(r[R.SEG + s * 4 + 3]);
    // GDT entries 0-11 as LAR/LSL see them natively (entries 12-15 depend on the thread and CPU).
    r[R.GDTR_BASE] = GDT;
    r[R.GDTR_LIMIT] = 16 * 8 - 1;
    for (let i = 0; i < 12; i++) {
      const e = env.gdt[i];
      if (!e.larOk) continue;
      const g = (e.lar & 0x800000) !== 0;
      const raw = g ? e.lsl >>> 12 : e.lsl;
      const lo = raw & 0xffff, hi = (e.lar & 0x00f0ff00) | (raw & 0xf0000);
      for (let k = 0; k < 4; k++) { u8[GDT + i * 8 + k] = (lo >>> (8 * k)) & 0xff; u8[GDT + i * 8 + 4 + k] = (hi >>> (8 * k)) & 0xff; }
    }
    // The TSS (at 0) has its I/O map base past its limit: no port is accessible, as for a Linux process.
    r[R.TR + 2] = 0x67;
    u8[0x66] = 0x00; u8[0x67] = 0xff;
  }

  private resetSegs(): void {
    const c = this.m.cpu, e = this.env;
    const sel = [e.es, e.cs, e.ss, e.ds, e.fs, e.gs];
    for (const s of [SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) {
      if ((sel[s] & 0xfffc) === 0) c.setSeg(s, sel[s], 0, 0, 0);
      else c.setSeg(s, sel[s], 0, -1, this.segAttr[s]);
    }
  }

  /**
   * Run one case. `compiled`: with the block compiler's threshold at 1, so the
   * sequence runs as compiled code (blockcompile.ts) from its first execution;
   * otherwise the interpreter alone (threshold 0).
   */
  run(k: Case, compiled = false): Outcome {
    const m = this.m, c = m.cpu, r = c.r, u8 = m.mem.u8;
    m.code.compileThreshold = compiled ? 1 : 0;
    this.page.fill(0xcc);
    this.page.set(k.code, k.codeOff);
    m.load(CODE, this.page);
    if (this.last === k) {
      // The same case again (the other emulator path): restore its initial memory.
      u8.set(this.pristine.subarray(0, REGION), DATA);
      u8.set(this.pristine.subarray(REGION), STACK);
    } else {
      fill(u8, DATA, k.dataSeed);
      fill(u8, STACK, k.stackSeed);
      for (const [a, v] of k.patches) {
        u8[a] = v & 0xff; u8[a + 1] = (v >>> 8) & 0xff; u8[a + 2] = (v >>> 16) & 0xff; u8[a + 3] = v >>> 24;
      }
      this.pristine.set(u8.subarray(DATA, DATA + REGION), 0);
      this.pristine.set(u8.subarray(STACK, STACK + REGION), REGION);
      this.last = k;
    }
    m.code.notifyWrite(DATA, REGION);
    m.code.notifyWrite(STACK, REGION);
    this.resetSegs();
    for (let i = 0; i < 8; i++) r[i] = k.regs[i];
    r[R.EIP] = CODE + k.codeOff;
    r[R.EFLAGS] = k.eflags;
    r[R.LF_OP] = 0;
    r[R.HALTED] = 0;
    r[R.PENDING_IRQ] = -1;
    const reason = m.run(100_000);
    let vector = -1, err = 0, note: string | undefined;
    if (reason === EXIT_SOFTINT) vector = r[R.EXIT_VECTOR];
    else if (reason === EXIT_EXCEPTION) { vector = r[R.EXIT_VECTOR]; err = r[R.EXIT_ERROR] >>> 0; }
    else note = `exit ${EXIT_NAMES[reason] ?? reason}`;
    const changes: number[] = [];
    const m32 = m.mem.i32, p32 = this.pristine32;
    for (let half = 0; half < 2; half++) {
      const base = half ? STACK : DATA;
      for (let w = 0; w < REGION >>> 2; w++) {
        // Compare a dword at a time; look at bytes only where it differs.
        if (m32[(base >>> 2) + w] === p32[half * (REGION >>> 2) + w]) continue;
        for (let i = 4 * w; i < 4 * w + 4; i++) {
          const v = u8[base + i];
          if (v !== this.pristine[half * REGION + i]) changes.push(((base + i - CHANGE_BASE) << 8 | v) >>> 0);
        }
      }
    }
    const regs: number[] = [];
    for (let i = 0; i < 8; i++) regs.push(r[i] >>> 0);
    return { signal: 0, vector, err, eip: r[R.EIP] >>> 0, eflags: getEflags(r) >>> 0, regs, changes, note };
  }
}
