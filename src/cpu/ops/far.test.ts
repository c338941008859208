// Far JMP/CALL/RET and IRET between code segments and rings, after the
// protected-mode pseudo-code in the Intel SDM vol. 2. Faults are intercepted
// so each shows up as an exit with EIP on the faulting instruction.
import { describe, expect, it } from 'vitest';
import { R, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../shared/layout';
import { CF, EXIT_EXCEPTION, EXIT_LIMIT, GP, IF, NP, NT, SS_, TS, VM } from '../defs';
import { getEflags } from '../flags';
import {
  CODE, CS0, CS1, CS2, CS3, DS0, DS1, DS3, FREE, pmMachine, segDesc, gateDesc, STACK, T_CALL16, T_CALL32,
  T_CODE_CONF_XR, T_CODE_XR, T_DATA_RW, T_TASK, T_TSS32_AVAIL, TSS, TSS_SEL, type PmMachine,
} from '../testing-desc';
import { nearTargetOk } from './far';

const GATE = FREE * 8; // 0x58
const SEL2 = GATE + 8; // 0x60: a second descriptor
const CALLEE = 0x30000;

function machine(cpl: number): PmMachine {
  const m = pmMachine(cpl);
  m.cpu.interceptExc = -1;
  return m;
}

function expectFault(m: PmMachine, vec: number, err: number, steps = 1): void {
  const ic = m.cpu.instructions;
  expect(m.run(steps)).toBe(EXIT_EXCEPTION);
  expect([m.cpu.r[R.EXIT_VECTOR], m.cpu.r[R.EXIT_ERROR]]).toEqual([vec, err]);
  expect(m.cpu.instructions - ic).toBe(steps - 1);
}

function sel(m: PmMachine, s: number): number {
  return m.cpu.r[R.SEG + s * 4] & 0xffff;
}

/** lcall $s,$off (9A) / ljmp $s,$off (EA) with a 32-bit offset. */
function farImm(op: number, s: number, off: number): number[] {
  return [op, off & 0xff, (off >>> 8) & 0xff, (off >>> 16) & 0xff, off >>> 24, s & 0xff, s >> 8];
}
const lcall = (s: number, off = 0) => farImm(0x9a, s, off);
const ljmp = (s: number, off = 0) => farImm(0xea, s, off);

describe('far CALL through a call gate to a more privileged level', () => {
  /** Ring 3: push 0x11111111; push 0x22222222; lcall GATE. Ring 0: mov eax,0x10; mov ds,ax; retf 8. */
  function gateMachine(): PmMachine {
    const m = machine(3);
    m.gdt(FREE, gateDesc(CS0, CALLEE, T_CALL32, 3, true, 2));
    m.prog([0x68, 0x11, 0x11, 0x11, 0x11, 0x68, 0x22, 0x22, 0x22, 0x22, ...lcall(GATE | 3, 0xdeadbeef)]);
    m.load(CALLEE, [0xb8, 0x10, 0, 0, 0, 0x8e, 0xd8, 0xca, 0x08, 0x00]);
    return m;
  }

  it('switches to the TSS stack, copies the parameters and pushes SS, ESP, CS, EIP', () => {
    const m = gateMachine();
    expect(m.run(3)).toBe(EXIT_LIMIT);
    const c = m.cpu, top = STACK[0];
    expect(c.cpl).toBe(0);
    expect(sel(m, SEG_CS)).toBe(CS0);
    expect(c.r[R.EIP]).toBe(CALLEE);
    expect(sel(m, SEG_SS)).toBe(DS0);
    expect(c.r[R.ESP]).toBe(top - 24);
    expect([m.rd32(top - 4), m.rd32(top - 8), m.rd32(top - 12), m.rd32(top - 16), m.rd32(top - 20), m.rd32(top - 24)])
      .toEqual([DS3, STACK[3] - 8, 0x11111111, 0x22222222, CS3, CODE + 17]);
  });

  it('RETF 8 returns to ring 3, releases the parameters on both stacks and nulls DS', () => {
    const m = gateMachine();
    expect(m.run(6)).toBe(EXIT_LIMIT);
    const c = m.cpu;
    expect(c.cpl).toBe(3);
    expect([sel(m, SEG_CS), c.r[R.EIP]]).toEqual([CS3, CODE + 17]);
    expect([sel(m, SEG_SS), c.r[R.ESP]]).toEqual([DS3, STACK[3]]);
    // DS was loaded with ring-0 data in the callee: unusable at CPL 3, so nulled.
    expect(sel(m, SEG_DS)).toBe(0);
    expect(c.r[R.SEG + SEG_DS * 4 + 3] & 0x80).toBe(0);
    expect(sel(m, SEG_ES)).toBe(DS3);
  });

  it('a 16-bit gate pushes words and copies word parameters', () => {
    const m = machine(3);
    // A 16-bit gate holds a 16-bit offset: the callee lives below 64 KiB.
    m.gdt(FREE, gateDesc(CS0, 0x9000, T_CALL16, 3, true, 1));
    // push word 0x1234 (66 68 34 12); lcall GATE
    // (below 64 KiB: a 16-bit gate saves only IP)
    m.prog([0x66, 0x68, 0x34, 0x12, ...lcall(GATE | 3)], 0x8000);
    m.cpu.r[R.ESP] = 0xf000; // a 16-bit gate also saves only SP
    // o16 retf 2 (66 CA 02 00)
    m.load(0x9000, [0x66, 0xca, 0x02, 0x00]);
    expect(m.run(2)).toBe(EXIT_LIMIT);
    const top = STACK[0];
    expect(m.cpu.r[R.ESP]).toBe(top - 10);
    expect([m.rd16(top - 2), m.rd16(top - 4), m.rd16(top - 6), m.rd16(top - 8), m.rd16(top - 10)])
      .toEqual([DS3, 0xeffe, 0x1234, CS3, 0x800b]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, m.cpu.r[R.EIP], m.cpu.r[R.ESP]]).toEqual([3, 0x800b, 0xf000]);
  });

  it('a gate to a conforming segment stays at CPL 3 on the same stack', () => {
    const m = machine(3);
    m.gdt(FREE + 1, segDesc({ type: T_CODE_CONF_XR, dpl: 0 }));
    m.gdt(FREE, gateDesc(SEL2, CALLEE, T_CALL32, 3, true, 2));
    m.prog(lcall(GATE | 3));
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, sel(m, SEG_CS), m.cpu.r[R.ESP]]).toEqual([3, SEL2 | 3, STACK[3] - 8]);
    expect([m.rd32(STACK[3] - 4), m.rd32(STACK[3] - 8)]).toEqual([CS3, CODE + 7]);
  });
});

describe('far CALL/JMP through a call gate: faults', () => {
  function gate(m: PmMachine, target: number, dpl = 3, present = true, type = T_CALL32): void {
    m.gdt(FREE, gateDesc(target, CALLEE, type, dpl, present, 0));
  }
  it('#GP(gate) when the gate DPL < CPL or < the selector RPL', () => {
    const m = machine(3);
    gate(m, CS0, 2);
    m.prog(lcall(GATE | 3));
    expectFault(m, GP, GATE);
    const m2 = machine(2);
    gate(m2, CS0, 2);
    m2.prog(lcall(GATE | 3));
    expectFault(m2, GP, GATE);
  });
  it('#NP(gate) when the gate is not present', () => {
    const m = machine(3);
    gate(m, CS0, 3, false);
    m.prog(lcall(GATE | 3));
    expectFault(m, NP, GATE);
  });
  it('#GP(0) for a null code selector in the gate', () => {
    const m = machine(3);
    gate(m, 0);
    m.prog(lcall(GATE | 3));
    expectFault(m, GP, 0);
  });
  it('#GP(cs) when the gate points at data or at a less privileged segment', () => {
    const m = machine(3);
    gate(m, DS0);
    m.prog(lcall(GATE | 3));
    expectFault(m, GP, DS0);
    const m2 = machine(1);
    gate(m2, CS3);
    m2.prog(lcall(GATE));
    expectFault(m2, GP, CS3 & ~3);
  });
  it('#NP(cs) when the target code segment is not present', () => {
    const m = machine(3);
    m.gdt(FREE + 1, segDesc({ type: T_CODE_XR, dpl: 0, present: false }));
    gate(m, SEL2);
    m.prog(lcall(GATE | 3));
    expectFault(m, NP, SEL2);
  });
  it('#GP(cs) for JMP through a gate to a more privileged non-conforming segment', () => {
    const m = machine(3);
    gate(m, CS0);
    m.prog(ljmp(GATE | 3));
    expectFault(m, GP, CS0);
  });
  it('JMP through a gate at the same privilege', () => {
    const m = machine(1);
    gate(m, CS1, 1);
    m.prog(ljmp(GATE));
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, sel(m, SEG_CS), m.cpu.r[R.EIP], m.cpu.r[R.ESP]]).toEqual([1, CS1, CALLEE, STACK[1]]);
  });
  it('#TS(TSS) when the TSS is too short for the ring-0 stack', () => {
    const m = machine(3);
    gate(m, CS0);
    m.cpu.r[R.TR + 2] = 8; // ESP0 at 4..7, SS0 at 8..9: needs limit >= 9
    m.prog(lcall(GATE | 3));
    expectFault(m, TS, TSS_SEL);
  });
  it('#TS for a null, mismatched or read-only SS0; #SS(ss) when it is not present', () => {
    const cases: [number, [number, number] | null, number, number][] = [
      [0, null, TS, 0],
      [DS1, null, TS, DS1 & ~3], // RPL 1 != DPL 0 of the code
      [SEL2, segDesc({ type: 0, dpl: 0 }), TS, SEL2], // read-only data
      [SEL2 | 1, segDesc({ type: T_DATA_RW, dpl: 1 }), TS, SEL2], // RPL and DPL 1 for a ring-0 stack
      [SEL2, segDesc({ type: T_DATA_RW, dpl: 0, present: false }), SS_, SEL2],
    ];
    for (const [ss0, d, vec, err] of cases) {
      const m = machine(3);
      gate(m, CS0);
      if (d) m.gdt(FREE + 1, d);
      m.wr32(TSS + 8, ss0);
      m.prog(lcall(GATE | 3));
      expectFault(m, vec, err);
    }
  });
  it('#SS(new ss) when the new stack cannot hold the frame', () => {
    const m = machine(3);
    gate(m, CS0);
    m.gdt(FREE + 1, segDesc({ type: T_DATA_RW, dpl: 0, limit: 0xfff }));
    m.wr32(TSS + 8, SEL2);
    m.wr32(TSS + 4, 0x1008); // 16 bytes needed, 8 of them above the limit
    m.prog(lcall(GATE | 3));
    expectFault(m, SS_, SEL2);
  });
  it('#GP(0) when the gate offset is beyond the new CS limit', () => {
    const m = machine(3);
    m.gdt(FREE + 1, segDesc({ type: T_CODE_XR, dpl: 0, limit: 0xffff }));
    gate(m, SEL2);
    m.prog(lcall(GATE | 3));
    expectFault(m, GP, 0);
  });
});

describe('far JMP and CALL to code segments', () => {
  it('JMP to a non-conforming segment of the same DPL loads CS with RPL = CPL', () => {
    const m = machine(1);
    m.gdt(FREE, segDesc({ base: 0x1000, type: T_CODE_XR, dpl: 1 }));
    m.prog(ljmp(GATE, 0x2f000)); // RPL 0 <= CPL 1
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([sel(m, SEG_CS), m.cpu.r[R.SEG + SEG_CS * 4 + 1], m.cpu.r[R.EIP]]).toEqual([GATE | 1, 0x1000, 0x2f000]);
  });
  it('#GP(sel) for DPL != CPL, RPL > CPL, data, a busy TSS; #NP(sel) when not present', () => {
    const cases: [number, number, [number, number] | null, number, number][] = [
      [3, CS0, null, GP, CS0],
      [1, CS2, null, GP, CS2 & ~3],
      [1, CS1 | 3, null, GP, CS1 & ~3],
      [0, DS0, null, GP, DS0],
      [0, TSS_SEL, null, GP, TSS_SEL],
      [0, GATE, segDesc({ type: T_CODE_XR, dpl: 0, present: false }), NP, GATE],
      [3, 0, null, GP, 0],
      [3, 3, null, GP, 0],
    ];
    for (const [cpl, s, d, vec, err] of cases) {
      const m = machine(cpl);
      if (d) m.gdt(FREE, d);
      m.prog(ljmp(s));
      expectFault(m, vec, err);
    }
  });
  it('JMP to a conforming segment with DPL <= CPL keeps CPL', () => {
    const m = machine(3);
    m.gdt(FREE, segDesc({ type: T_CODE_CONF_XR, dpl: 0 }));
    m.prog(ljmp(GATE, 0x2000));
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.cpl, sel(m, SEG_CS), m.cpu.r[R.EIP]]).toEqual([3, GATE | 3, 0x2000]);
  });
  it('a task gate or an available TSS raises #GP(0) (no task switching)', () => {
    for (const d of [gateDesc(TSS_SEL, 0, T_TASK, 0), segDesc({ base: TSS, limit: 0x67, type: T_TSS32_AVAIL, s: false })]) {
      const m = machine(0);
      m.gdt(FREE, d);
      m.prog(ljmp(GATE));
      expectFault(m, GP, 0);
    }
  });
  it('#GP(0) when the offset is beyond the target limit', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, limit: 0xffff }));
    m.prog(ljmp(GATE, 0x10000));
    expectFault(m, GP, 0);
  });
  it('16-bit CALL pushes CS and IP words and truncates the offset; FF /3 and FF /5 read m16:32', () => {
    const m = machine(0);
    // o16 lcall $0x08,$0x3000 (66 9A 00 30 08 00)
    m.prog([0x66, 0x9a, 0x00, 0x30, 0x08, 0x00]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.r[R.EIP], m.cpu.r[R.ESP], m.rd16(STACK[0] - 2), m.rd16(STACK[0] - 4)])
      .toEqual([0x3000, STACK[0] - 4, CS0, (CODE + 6) & 0xffff]);
    const m2 = machine(0);
    m2.cpu.r[R.EBX] = 0x5000;
    m2.wr32(0x5000, 0x00031234);
    m2.wr32(0x5004, CS0);
    // lcall *(%ebx) (FF 1B)
    m2.prog([0xff, 0x1b]);
    m2.load(0x31234, [0xff, 0x2b]); // ljmp *(%ebx)
    expect(m2.run(2)).toBe(EXIT_LIMIT);
    expect([m2.cpu.r[R.EIP], m2.cpu.r[R.ESP], m2.rd32(STACK[0] - 4), m2.rd32(STACK[0] - 8)])
      .toEqual([0x31234, STACK[0] - 8, CS0, CODE + 2]);
  });
  it('#UD for the register forms of FF /3 and FF /5', () => {
    const m = machine(0);
    m.prog([0xff, 0xd8]); // FF /3 with mod = 3
    expectFault(m, 6, -1);
  });
  it('#SS(0) when the return address does not fit on the current stack', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 0, limit: 0xffff }));
    m.loadSeg(SEG_SS, GATE);
    m.cpu.r[R.ESP] = 4;
    m.prog(lcall(CS0, 0x3000));
    expectFault(m, SS_, 0);
    expect(m.cpu.r[R.ESP]).toBe(4);
  });
});

describe('far RET', () => {
  function retMachine(cpl: number, frame: number[]): PmMachine {
    const m = machine(cpl);
    const sp = STACK[cpl] - 4 * frame.length;
    frame.forEach((v, k) => m.wr32(sp + 4 * k, v));
    m.cpu.r[R.ESP] = sp;
    m.prog([0xcb]); // retf
    return m;
  }
  it('returns at the same level', () => {
    const m = retMachine(0, [0x4000, CS0]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect([m.cpu.r[R.EIP], sel(m, SEG_CS), m.cpu.r[R.ESP]]).toEqual([0x4000, CS0, STACK[0]]);
  });
  it('#GP(0) for a null CS, #GP(sel) to a more privileged level', () => {
    expectFault(retMachine(3, [0x4000, 0]), GP, 0);
    expectFault(retMachine(3, [0x4000, CS0 | 3]), GP, CS0);
    expectFault(retMachine(3, [0x4000, CS0]), GP, CS0);
  });
  it('#GP(sel) for a non-conforming CS whose DPL != RPL, #NP(sel) when not present', () => {
    const m1 = retMachine(0, [0x4000, GATE | 1]);
    m1.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0 }));
    expectFault(m1, GP, GATE);
    const m = retMachine(0, [0x4000, GATE]);
    m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, present: false }));
    expectFault(m, NP, GATE);
  });
  it('to an outer level: checks SS (#GP(0) null, #GP(ss) RPL/DPL/type, #SS(ss) not present)', () => {
    expectFault(retMachine(0, [0x4000, CS3, 0x1000, 0]), GP, 0);
    expectFault(retMachine(0, [0x4000, CS3, 0x1000, DS3 & ~3]), GP, DS3 & ~3);
    expectFault(retMachine(0, [0x4000, CS3, 0x1000, DS0 | 3]), GP, DS0);
    expectFault(retMachine(0, [0x4000, CS3, 0x1000, CS3]), GP, CS3 & ~3);
    const m = retMachine(0, [0x4000, CS3, 0x1000, GATE | 3]);
    m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 3, present: false }));
    expectFault(m, SS_, GATE);
  });
  it('#GP(0) when EIP is beyond the return CS limit', () => {
    const m = retMachine(0, [0x10000, GATE]);
    m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, limit: 0xffff }));
    expectFault(m, GP, 0);
  });
  it('#SS(0) when the frame is beyond the stack limit', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ type: T_DATA_RW, dpl: 0, limit: 0xfff }));
    m.loadSeg(SEG_SS, GATE);
    m.cpu.r[R.ESP] = 0xffc;
    m.prog([0xcb]);
    expectFault(m, SS_, 0);
  });
});

describe('IRET', () => {
  function iretMachine(cpl: number, frame: number[], o16 = false): PmMachine {
    const m = machine(cpl);
    const w = o16 ? 2 : 4;
    const sp = STACK[cpl] - w * frame.length;
    frame.forEach((v, k) => (o16 ? m.load(sp + 2 * k, [v & 0xff, (v >> 8) & 0xff]) : m.wr32(sp + 4 * k, v)));
    m.cpu.r[R.ESP] = sp;
    m.prog(o16 ? [0x66, 0xcf] : [0xcf]);
    return m;
  }

  it('ring 1 to ring 3: loads SS:ESP, keeps IF and IOPL (CPL > IOPL), nulls DS and GS', () => {
    const m = iretMachine(1, [0x12345, CS3, 0x3000 | 0x2 | CF, 0x5ff0, DS3]);
    const c = m.cpu;
    c.r[R.EFLAGS] = 0x2 | IF;
    c.r[R.LF_OP] = 0;
    m.gdt(FREE, segDesc({ type: T_CODE_CONF_XR, dpl: 0 }));
    m.gdt(FREE + 1, segDesc({ type: T_CODE_XR, dpl: 1 }));
    m.loadSeg(SEG_ES, DS3);
    m.loadSeg(SEG_FS, GATE);
    m.loadSeg(SEG_GS, SEL2 | 1);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(c.cpl).toBe(3);
    expect([sel(m, SEG_CS), c.r[R.EIP], sel(m, SEG_SS), c.r[R.ESP]]).toEqual([CS3, 0x12345, DS3, 0x5ff0]);
    expect(getEflags(c.r)).toBe(0x2 | IF | CF);
    expect([sel(m, SEG_DS), sel(m, SEG_ES), sel(m, SEG_FS), sel(m, SEG_GS)]).toEqual([0, DS3, GATE, 0]);
    // A PV kernel's return to user: the TLB masks follow CPL 3 (user pages only).
    expect(c.needR & 4).toBe(4);
  });

  it('at CPL 0: loads IOPL and IF; at the same level ESP just moves past the frame', () => {
    const m = iretMachine(0, [0x4000, CS0, 0x3000 | 0x2 | IF]);
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(getEflags(m.cpu.r)).toBe(0x3202);
    expect([m.cpu.r[R.EIP], m.cpu.r[R.ESP]]).toEqual([0x4000, STACK[0]]);
  });

  it('loads IF when CPL <= IOPL, not when CPL > IOPL', () => {
    const m = iretMachine(1, [0x4000, CS1, 0x2 | IF]);
    m.cpu.r[R.EFLAGS] = 0x1002; // IOPL 1
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(getEflags(m.cpu.r)).toBe(0x1202); // IF loaded, IOPL kept (CPL != 0)
    const m2 = iretMachine(1, [0x4000, CS1, 0x2 | IF]);
    expect(m2.run(1)).toBe(EXIT_LIMIT);
    expect(getEflags(m2.cpu.r)).toBe(0x2);
  });

  it('16-bit IRET pops words and keeps the upper half of EFLAGS', () => {
    const m = iretMachine(0, [0x4000, CS0, 0x0ed7], true);
    m.cpu.r[R.EFLAGS] = 0x40002; // AC
    expect(m.run(1)).toBe(EXIT_LIMIT);
    expect(getEflags(m.cpu.r)).toBe(0x40002 | 0x0ed7);
    expect(m.cpu.r[R.ESP]).toBe(STACK[0]);
  });

  it('#GP(0) with NT set (no task return) and for a VM image at CPL 0 (no virtual-8086 mode)', () => {
    const m = iretMachine(0, [0x4000, CS0, 0x2]);
    m.cpu.r[R.EFLAGS] = 0x2 | NT;
    expectFault(m, GP, 0);
    expectFault(iretMachine(0, [0x4000, CS0, 0x2 | VM]), GP, 0);
    // At CPL 1 the VM bit of the image is ignored.
    const m2 = iretMachine(1, [0x4000, CS1, 0x2 | VM]);
    expect(m2.run(1)).toBe(EXIT_LIMIT);
    expect(getEflags(m2.cpu.r) & VM).toBe(0);
  });

  it('checks the return CS and SS like RET', () => {
    expectFault(iretMachine(3, [0x4000, CS1, 0x2]), GP, CS1 & ~3);
    expectFault(iretMachine(1, [0x4000, CS3, 0x2, 0x1000, DS1]), GP, DS1 & ~3);
    expectFault(iretMachine(1, [0x4000, 0, 0x2]), GP, 0);
  });
});

describe('nearTargetOk', () => {
  it('raises #GP(0) for a target beyond a non-flat CS limit', () => {
    const m = machine(0);
    m.gdt(FREE, segDesc({ type: T_CODE_XR, dpl: 0, limit: 0xffff }));
    expect(nearTargetOk(m.cpu, 0x10000)).toBe(true);
    m.loadSeg(SEG_CS, GATE);
    expect(nearTargetOk(m.cpu, 0xffff)).toBe(true);
    expect(nearTargetOk(m.cpu, 0x10000)).toBe(false);
    expect([m.cpu.pending.vector, m.cpu.pending.error]).toEqual([GP, 0]);
  });
});

