// Exception and interrupt delivery through the IDT (Intel SDM vol. 3,
// 6.12-6.15; vol. 2 INT n pseudo-code), and the same events leaving run() for
// the embedder when intercepted. Handler stubs are `nop; jmp $` (see
// testing-desc.ts): after run(1), a retired INT stands on its handler's first
// byte, while a faulting instruction does not count, so the handler's nop runs.
import { describe, expect, it } from 'vitest';
import { R, SEG_CS, SEG_SS } from '../shared/layout';
import {
  DF_, EXIT_EXCEPTION, EXIT_LIMIT, EXIT_SHUTDOWN, EXIT_SOFTINT, GP, IF, NP, NT, OF, SS_, TF, TS, UD,
} from './defs';
import { NOERR } from './exceptions';
import { getEflags } from './flags';
import {
  CODE, CS0, CS3, DS0, DS3, FREE, gateDesc, HANDLERS, pmMachine, segDesc, STACK, T_CALL32, T_CODE_XR,
  T_DATA_RW, T_INT16, T_INT32, T_TASK, T_TRAP32, TSS, TSS_SEL, type PmMachine,
} from './testing-desc';

const H = (v: number) => HANDLERS + v * 16;
const SEL = FREE * 8;

function frame(m: PmMachine, sp: number, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(m.rd32(sp + 4 * k));
  return out;
}
function sel(m: PmMachine, s: number): number {
  return m.cpu.r[R.SEG + s * 4] & 0xffff;
}

describe('software interrupts through the IDT', () => {
  it('INT 0x80 from ring 3 through a DPL-3 trap gate switches to the TSS stack; IRET returns', () => {
    const m = pmMachine(3);
    m.idt(0x80, gateDesc(CS0, H(0x80), T_TRAP32, 3));
    m.load(H(0x80), [0xcf]); // iret
    m.cpu.r[R.EFLAGS] = 0x2 | IF;
    m.prog([0xcd, 0x80]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    const c = m.cpu, top = STACK[0];
    expect(c.instructions).toBe(1);
    expect([c.cpl, sel(m, SEG_CS), c.r[R.EIP], sel(m, SEG_SS), c.r[R.ESP]]).toEqual([0, CS0, H(0x80), DS0, top - 20]);
    expect(frame(m, top - 20, 5)).toEqual([CODE + 2, CS3, 0x2 | IF, STACK[3], DS3]);
    expect(getEflags(c.r) & IF).toBe(IF); // a trap gate leaves IF alone
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([c.cpl, sel(m, SEG_CS), c.r[R.EIP], sel(m, SEG_SS), c.r[R.ESP]]).toEqual([3, CS3, CODE + 2, DS3, STACK[3]]);
  });

  it('an interrupt gate clears IF; TF and NT are cleared either way', () => {
    const m = pmMachine(0);
    m.idt(0x40, gateDesc(CS0, H(0x40), T_INT32, 0));
    m.cpu.r[R.EFLAGS] = 0x2 | IF | TF | NT;
    m.prog([0xcd, 0x40]);
    // TF would single-step: nothing here implements #DB traps, so only the flags matter.
    m.run(1);
    expect(getEflags(m.cpu.r) & (IF | TF | NT)).toBe(0);
    expect(m.rd32(STACK[0] - 4)).toBe(0x2 | IF | TF | NT);
    expect(m.cpu.r[R.ESP]).toBe(STACK[0] - 12);
  });

  it('INT n through a DPL-0 gate from ring 3 is #GP(vector * 8 + 2), a fault on the INT', () => {
    const m = pmMachine(3);
    m.prog([0xcd, 0x81]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    const c = m.cpu, top = STACK[0];
    expect(c.r[R.EIP]).toBe(H(GP) + 1); // the INT did not retire; the handler's nop did
    expect(c.instructions).toBe(1);
    expect(frame(m, top - 24, 6)).toEqual([0x81 * 8 + 2, CODE, CS3, 0x2, STACK[3], DS3]);
  });

  it('INT3 and INTO (OF = 1) push the next EIP; INTO with OF = 0 does nothing', () => {
    const m = pmMachine(3);
    m.idt(3, gateDesc(CS0, H(3), T_INT32, 3));
    m.prog([0xcc]);
    m.run(1);
    expect([m.cpu.r[R.EIP], m.rd32(STACK[0] - 20)]).toEqual([H(3), CODE + 1]);

    const m2 = pmMachine(3);
    m2.idt(4, gateDesc(CS0, H(4), T_INT32, 3));
    m2.prog([0xce, 0xce]);
    expect(m2.run(1)).toBe(EXIT_LIMIT);
    expect([m2.cpu.r[R.EIP], m2.cpu.cpl]).toEqual([CODE + 1, 3]);
    m2.cpu.r[R.EFLAGS] = 0x2 | OF;
    m2.cpu.r[R.LF_OP] = 0;
    m2.run(1);
    expect([m2.cpu.r[R.EIP], m2.rd32(STACK[0] - 20)]).toEqual([H(4), CODE + 2]);
  });

  it('INT1 (ICEBP) ignores the gate DPL and pushes the next EIP', () => {
    const m = pmMachine(3);
    m.prog([0xf1]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, m.cpu.r[R.EIP], m.rd32(STACK[0] - 20)]).toEqual([0, H(1), CODE + 1]);
  });

  it('a 16-bit interrupt gate pushes FLAGS, CS, IP as words', () => {
    const m = pmMachine(0);
    m.idt(0x41, gateDesc(CS0, 0x9000, T_INT16, 0));
    m.load(0x9000, [0xeb, 0xfe]);
    m.cpu.r[R.EFLAGS] = 0x2 | IF;
    m.prog([0xcd, 0x41], 0x8000);
    m.run(1);
    expect([m.cpu.r[R.EIP], m.cpu.r[R.ESP]]).toEqual([0x9000, STACK[0] - 6]);
    expect([m.rd16(STACK[0] - 6), m.rd16(STACK[0] - 4), m.rd16(STACK[0] - 2)]).toEqual([0x8002, CS0, 0x202]);
    expect(getEflags(m.cpu.r) & IF).toBe(0);
  });
});

describe('exceptions through the IDT', () => {
  it('a #GP from ring 3 pushes its error code on the ring-0 stack with the faulting EIP', () => {
    const m = pmMachine(3);
    m.cpu.r[R.EAX] = DS0;
    m.prog([0x8e, 0xd8]); // mov ds,ax
    m.run(1);
    expect(m.cpu.r[R.EIP]).toBe(H(GP) + 1);
    expect(frame(m, STACK[0] - 24, 6)).toEqual([DS0, CODE, CS3, 0x2, STACK[3], DS3]);
  });

  it('at the same privilege the frame goes on the current stack', () => {
    const m = pmMachine(0);
    m.cpu.r[R.EAX] = 0x7ff8; // beyond the GDT limit
    m.prog([0x8e, 0xd8]);
    m.run(1);
    expect(m.cpu.r[R.ESP]).toBe(STACK[0] - 16);
    expect(frame(m, STACK[0] - 16, 4)).toEqual([0x7ff8, CODE, CS0, 0x2]);
  });

  it('#UD with its gate missing: #NP(vector * 8 + 2 + EXT) is delivered (benign first)', () => {
    const m = pmMachine(0);
    m.idt(UD, gateDesc(CS0, H(UD), T_INT32, 0, false));
    m.prog([0x8e, 0xc8]); // mov cs,ax: #UD
    m.run(1);
    expect(m.cpu.r[R.EIP]).toBe(H(NP) + 1);
    expect(frame(m, STACK[0] - 16, 4)).toEqual([UD * 8 + 3, CODE, CS0, 0x2]);
  });

  it('#GP with its gate missing: #NP is contributory too, so #DF with error code 0', () => {
    const m = pmMachine(3);
    m.idt(GP, gateDesc(CS0, H(GP), T_INT32, 0, false));
    m.cpu.r[R.EAX] = DS0;
    m.prog([0x8e, 0xd8]);
    m.run(1);
    expect(m.cpu.r[R.EIP]).toBe(H(DF_) + 1);
    expect(m.cpu.cpl).toBe(0);
    expect(frame(m, STACK[0] - 24, 6)).toEqual([0, CODE, CS3, 0x2, STACK[3], DS3]);
  });

  it('a fault while delivering #DF shuts the processor down', () => {
    const m = pmMachine(0);
    m.idt(GP, gateDesc(CS0, H(GP), T_INT32, 0, false));
    m.idt(DF_, gateDesc(CS0, H(DF_), T_INT32, 0, false));
    m.cpu.r[R.EAX] = 0x7ff8; // beyond the GDT limit: #GP
    m.prog([0x8e, 0xd8]);
    expect(m.run(1)).toBe(EXIT_SHUTDOWN);
  });

  it('an INT n whose delivery fails twice over is a #DF with EIP on the INT', () => {
    // INT 0x81 (DPL 0 from ring 3) -> #GP, whose gate is missing -> #NP -> #DF.
    const m = pmMachine(3);
    m.idt(GP, gateDesc(CS0, H(GP), T_INT32, 0, false));
    m.prog([0xcd, 0x81]);
    m.run(1);
    expect(m.cpu.r[R.EIP]).toBe(H(DF_) + 1);
    expect(m.rd32(STACK[0] - 20)).toBe(CODE);
  });

  it('error codes carry EXT for exceptions, not for INT n', () => {
    // Gate pointing at a null selector: #GP(EXT).
    const m = pmMachine(0);
    m.cpu.interceptExc = 1 << GP;
    m.idt(UD, gateDesc(0, 0, T_INT32, 0));
    m.prog([0x8e, 0xc8]);
    expect(m.run(1)).toBe(EXIT_EXCEPTION);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP]]).toEqual([GP, 1, CODE]);
    const m2 = pmMachine(0);
    m2.cpu.interceptExc = 1 << GP;
    m2.idt(0x50, gateDesc(0, 0, T_INT32, 0));
    m2.prog([0xcd, 0x50]);
    expect(m2.run(1)).toBe(EXIT_EXCEPTION);
    expect([m2.cpu.r[R.EXIT_VECTOR], m2.cpu.r[R.EXIT_ERROR], m2.cpu.r[R.EIP]]).toEqual([GP, 0, CODE]);
    expect(m2.cpu.instructions).toBe(0);
  });

  it('gate and target checks: IDT limit, gate type, task gate, target DPL, EIP limit', () => {
    const cases: [string, (m: PmMachine) => void, number, number][] = [
      ['vector beyond the IDT limit', (m) => { m.cpu.r[R.IDTR_LIMIT] = UD * 8 + 6; }, GP, UD * 8 + 3],
      ['a call gate in the IDT', (m) => m.idt(UD, gateDesc(CS0, 0, T_CALL32, 0)), GP, UD * 8 + 3],
      ['a task gate (no task switching)', (m) => m.idt(UD, gateDesc(TSS_SEL, 0, T_TASK, 0)), GP, 0],
      ['a data segment as target', (m) => m.idt(UD, gateDesc(DS0, 0, T_INT32, 0)), GP, DS0 | 1],
      ['a less privileged target', (m) => m.idt(UD, gateDesc(CS3, 0, T_INT32, 0)), GP, (CS3 & ~3) | 1],
      ['a target not present', (m) => {
        m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, present: false }));
        m.idt(UD, gateDesc(SEL, 0, T_INT32, 0));
      }, NP, SEL | 1],
      ['an offset beyond the target limit', (m) => {
        m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, limit: 0xfff }));
        m.idt(UD, gateDesc(SEL, 0x1000, T_INT32, 0));
      }, GP, 1],
    ];
    for (const [what, setup, vec, err] of cases) {
      const m = pmMachine(0);
      m.cpu.interceptExc = (1 << GP) | (1 << NP);
      setup(m);
      m.prog([0x8e, 0xc8]); // #UD
      expect(m.run(1), what).toBe(EXIT_EXCEPTION);
      expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR]], what).toEqual([vec, err]);
    }
  });

  it('stack switch checks: #TS for a bad SS0, #SS(ss | EXT) for a stack too small', () => {
    const m = pmMachine(3);
    m.cpu.interceptExc = 1 << TS;
    m.wr32(TSS + 8, 0);
    m.prog([0xcd, 0x81]);
    // INT 0x81 hits the DPL check first; use a DPL-3 gate to reach the stack switch.
    m.idt(0x81, gateDesc(CS0, H(0x81), T_INT32, 3));
    expect(m.run(1)).toBe(EXIT_EXCEPTION);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP]]).toEqual([TS, 0, CODE]);

    const m2 = pmMachine(3);
    m2.cpu.interceptExc = 1 << SS_;
    m2.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 0, limit: 0xfff }));
    m2.wr32(TSS + 8, SEL);
    m2.wr32(TSS + 4, 0x1010); // 20 bytes needed, 16 of them above the limit
    // #UD is benign, so the #SS raised while delivering it is delivered (here: intercepted) itself.
    m2.prog([0x8e, 0xc8]);
    expect(m2.run(1)).toBe(EXIT_EXCEPTION);
    expect([m2.cpu.r[R.EXIT_VECTOR], m2.cpu.r[R.EXIT_ERROR]]).toEqual([SS_, SEL | 1]);
    expect(m2.cpu.cpl).toBe(3);
  });

  it('same-privilege stack overflow: #SS(EXT) for an exception, #SS(0) for INT n', () => {
    for (const [bytes, err] of [[[0x8e, 0xc8], 1], [[0xcd, 0x40], 0]] as const) {
      const m = pmMachine(0);
      m.cpu.interceptExc = 1 << SS_;
      m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 0, limit: 0xfff }));
      m.loadSeg(SEG_SS, SEL);
      m.cpu.r[R.ESP] = 0x1008;
      m.prog([...bytes]);
      expect(m.run(1)).toBe(EXIT_EXCEPTION);
      expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.ESP]]).toEqual([SS_, err, 0x1008]);
    }
  });
});

describe('external interrupts', () => {
  it('are delivered when IF is set, with the next EIP and IF cleared by an interrupt gate', () => {
    const m = pmMachine(3);
    m.cpu.r[R.EFLAGS] = 0x2 | IF;
    m.cpu.r[R.PENDING_IRQ] = 0x30;
    m.prog([0x90]);
    m.run(1);
    expect(m.cpu.r[R.PENDING_IRQ]).toBe(-1);
    expect(m.cpu.r[R.EIP]).toBe(H(0x30) + 1); // the gate DPL does not matter; the handler's nop ran
    expect(frame(m, STACK[0] - 20, 5)).toEqual([CODE, CS3, 0x2 | IF, STACK[3], DS3]);
    expect(getEflags(m.cpu.r) & IF).toBe(0);
  });

  it('a missing gate is #NP with IDT and EXT set, never intercepted as an exception by vector', () => {
    const m = pmMachine(0);
    m.cpu.interceptExc = (1 << NP) | (1 << 2);
    m.idt(2, gateDesc(CS0, H(2), T_INT32, 0, false));
    m.cpu.r[R.EFLAGS] = 0x2 | IF;
    m.cpu.r[R.PENDING_IRQ] = 2;
    m.prog([0x90]);
    expect(m.run(1)).toBe(EXIT_EXCEPTION);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP]]).toEqual([NP, 2 * 8 + 3, CODE]);
  });
});

describe('intercepted events exit to the embedder', () => {
  it('an intercepted exception: EIP and EXIT_EIP on the faulting instruction, vector and error code', () => {
    const m = pmMachine(3);
    m.cpu.interceptExc = 1 << GP;
    m.cpu.r[R.EAX] = DS0;
    m.prog([0x8e, 0xd8]);
    expect(m.run(5)).toBe(EXIT_EXCEPTION);
    const r = m.cpu.r;
    expect([r[R.EXIT_REASON], r[R.EXIT_VECTOR], r[R.EXIT_ERROR], r[R.EIP], r[R.EXIT_EIP]])
      .toEqual([EXIT_EXCEPTION, GP, DS0, CODE, CODE]);
    expect([m.cpu.instructions, m.cpu.cpl, r[R.ESP]]).toEqual([0, 3, STACK[3]]);
  });

  it('an intercepted INT n: EXIT_SOFTINT with EIP after it, EXIT_EIP on it, no DPL check', () => {
    const m = pmMachine(3);
    m.cpu.interceptInt[0x82] = 1;
    m.prog([0xcd, 0x82]);
    expect(m.run(5)).toBe(EXIT_SOFTINT);
    const r = m.cpu.r;
    expect([r[R.EXIT_VECTOR], r[R.EXIT_ERROR], r[R.EIP], r[R.EXIT_EIP]]).toEqual([0x82, NOERR, CODE + 2, CODE]);
    expect([m.cpu.instructions, m.cpu.cpl]).toEqual([1, 3]);
  });

  it('INT1 is intercepted as exception 1 (a trap: EIP after it), not as a software interrupt', () => {
    const m = pmMachine(3);
    m.cpu.interceptInt[1] = 1;
    m.cpu.interceptExc = 1 << 1;
    m.prog([0xf1]);
    expect(m.run(5)).toBe(EXIT_EXCEPTION);
    const r = m.cpu.r;
    expect([r[R.EXIT_VECTOR], r[R.EXIT_ERROR], r[R.EIP], r[R.EXIT_EIP]]).toEqual([1, NOERR, CODE + 1, CODE]);
    expect(m.cpu.instructions).toBe(1);
  });

  it('an exception raised while delivering natively exits when that one is intercepted', () => {
    const m = pmMachine(3);
    m.cpu.interceptExc = 1 << NP;
    m.idt(UD, gateDesc(CS0, H(UD), T_INT32, 0, false));
    m.prog([0x8e, 0xc8]); // #UD, benign: its #NP is delivered as such
    expect(m.run(5)).toBe(EXIT_EXCEPTION);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP], m.cpu.cpl]).toEqual([NP, UD * 8 + 3, CODE, 3]);
  });

  it('a contributory pair becomes #DF before any intercept sees the second', () => {
    const m = pmMachine(3);
    m.cpu.interceptExc = (1 << NP) | (1 << DF_);
    m.idt(GP, gateDesc(CS0, H(GP), T_INT32, 0, false));
    m.cpu.r[R.EAX] = DS0;
    m.prog([0x8e, 0xd8]);
    expect(m.run(5)).toBe(EXIT_EXCEPTION);
    expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR], m.cpu.r[R.EIP], m.cpu.cpl]).toEqual([DF_, 0, CODE, 3]);
  });

  it('a software INT whose native delivery faults reports the fault on the INT', () => {
    const m = pmMachine(3);
    m.cpu.interceptExc = 1 << GP;
    m.prog([0xcd, 0x81]);
    expect(m.run(5)).toBe(EXIT_EXCEPTION);
    const r = m.cpu.r;
    expect([r[R.EXIT_VECTOR], r[R.EXIT_ERROR], r[R.EIP], r[R.EXIT_EIP]]).toEqual([GP, 0x81 * 8 + 2, CODE, CODE]);
    expect(m.cpu.instructions).toBe(0);
  });
});
