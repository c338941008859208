import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import {
  CR0_EM, CR0_ET, CR0_MP, CR0_PE, CR0_PG, CR0_TS, CR4_DE, DB, EXIT_EXCEPTION, EXIT_HLT, EXIT_LIMIT, EXIT_PRIV, GP, INT_HLT,
  INT_PRIV, NP, UD, ZF,
} from '../defs';
import { NOERR } from '../exceptions';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000, DATA = 0x2000, GDT = 0x8000;

/** A machine whose exceptions all exit to us (R.EXIT_VECTOR / R.EXIT_ERROR) instead of going through an IDT. */
function machine(cpl = 0): TestMachine {
  const m = testMachine({ cpl });
  m.cpu.interceptExc = -1;
  return m;
}

/** Load `code` at CODE and run up to `n` instructions. */
function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}

function expectFault(m: TestMachine, reason: number, vector: number, error: number): void {
  expect(reason).toBe(EXIT_EXCEPTION);
  expect(m.cpu.r[R.EXIT_VECTOR]).toBe(vector);
  expect(m.cpu.r[R.EXIT_ERROR]).toBe(error);
  expect(m.cpu.r[R.EIP]).toBe(CODE); // a fault restarts the instruction
  expect(m.cpu.instructions).toBe(0);
}

/** Write an 8-byte segment descriptor at `addr`. `type` is the 4-bit type, `s` the S bit. */
function desc(m: TestMachine, addr: number, base: number, limit: number, type: number, dpl: number, o: { s?: number; p?: number; g?: number } = {}): void {
  const s = o.s ?? 1, p = o.p ?? 1, g = o.g ?? 0;
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | (s << 12) | (dpl << 13) | (p << 15) | (limit & 0xf0000) | (1 << 22) | (g << 23) | (base & 0xff000000);
  m.mem.i32[addr >>> 2] = lo;
  m.mem.i32[(addr >>> 2) + 1] = hi;
}

// Every privileged instruction, with its length. EAX points at DATA where an operand is needed.
const PRIVILEGED: [string, number[]][] = [
  ['lgdt [eax]', [0x0f, 0x01, 0x10]],
  ['lidt [eax]', [0x0f, 0x01, 0x18]],
  ['lldt ax', [0x0f, 0x00, 0xd0]],
  ['ltr ax', [0x0f, 0x00, 0xd8]],
  ['lmsw ax', [0x0f, 0x01, 0xf0]],
  ['invlpg [eax]', [0x0f, 0x01, 0x38]],
  ['clts', [0x0f, 0x06]],
  ['mov eax,cr0', [0x0f, 0x20, 0xc0]],
  ['mov cr0,eax', [0x0f, 0x22, 0xc0]],
  ['mov eax,cr3', [0x0f, 0x20, 0xd8]],
  ['mov cr3,eax', [0x0f, 0x22, 0xd8]],
  ['mov eax,dr7', [0x0f, 0x21, 0xf8]],
  ['mov dr7,eax', [0x0f, 0x23, 0xf8]],
  ['wbinvd', [0x0f, 0x09]],
  ['invd', [0x0f, 0x08]],
  ['hlt', [0xf4]],
  ['rdmsr', [0x0f, 0x32]],
  ['wrmsr', [0x0f, 0x30]],
  ['sysexit', [0x0f, 0x35]],
];

describe('privileged instructions outside ring 0', () => {
  for (const cpl of [1, 3]) {
    for (const [asm, bytes] of PRIVILEGED) {
      it(`${asm} at CPL ${cpl}: #GP(0)`, () => {
        const m = machine(cpl);
        m.cpu.r[R.EAX] = DATA;
        const before = m.cpu.r.slice(0, R.EXIT_REASON);
        expectFault(m, exec(m, bytes), GP, 0);
        expect(m.cpu.r[R.CR0]).toBe(before[R.CR0]);
        expect(m.cpu.r[R.GDTR_BASE]).toBe(before[R.GDTR_BASE]);
      });
      it(`${asm} at CPL ${cpl}: EXIT_PRIV when intercepted, not retired`, () => {
        const m = machine(cpl);
        m.cpu.intercept = INT_PRIV;
        m.cpu.r[R.EAX] = DATA;
        expect(exec(m, bytes)).toBe(EXIT_PRIV);
        expect(m.cpu.r[R.EIP]).toBe(CODE);
        expect(m.cpu.r[R.EXIT_EIP]).toBe(CODE);
        expect(m.cpu.r[R.EXIT_NEXT_EIP]).toBe(CODE + bytes.length);
        expect(m.cpu.instructions).toBe(0);
        expect(m.cpu.r[R.HALTED]).toBe(0);
      });
    }
  }
});

describe('descriptor-table registers', () => {
  it('LGDT/LIDT load limit and base; SGDT/SIDT store them, also at CPL 3', () => {
    const m = machine();
    const d = new DataView(m.mem.buffer, DATA, 16);
    d.setUint16(0, 0x1234, true); d.setUint32(2, 0xc0ffee00, true);
    d.setUint16(8, 0x07ff, true); d.setUint32(10, 0x00abcd00, true);
    m.cpu.r[R.EAX] = DATA;
    // lgdt [eax]; lidt [eax+8]
    expect(exec(m, [0x0f, 0x01, 0x10, 0x0f, 0x01, 0x58, 0x08], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.GDTR_LIMIT]).toBe(0x1234);
    expect(m.cpu.r[R.GDTR_BASE] >>> 0).toBe(0xc0ffee00);
    expect(m.cpu.r[R.IDTR_LIMIT]).toBe(0x7ff);
    expect(m.cpu.r[R.IDTR_BASE]).toBe(0xabcd00);

    const u = machine(3);
    u.cpu.r[R.GDTR_BASE] = 0x12345678; u.cpu.r[R.GDTR_LIMIT] = 0x3ff;
    u.cpu.r[R.IDTR_BASE] = 0x9abcdef0 | 0; u.cpu.r[R.IDTR_LIMIT] = 0x7ff;
    u.cpu.r[R.EAX] = DATA;
    // sgdt [eax]; sidt [eax+8]
    expect(exec(u, [0x0f, 0x01, 0x00, 0x0f, 0x01, 0x48, 0x08], 2)).toBe(EXIT_LIMIT);
    const e = new DataView(u.mem.buffer, DATA, 16);
    expect(e.getUint16(0, true)).toBe(0x3ff);
    expect(e.getUint32(2, true)).toBe(0x12345678);
    expect(e.getUint16(8, true)).toBe(0x7ff);
    expect(e.getUint32(10, true)).toBe(0x9abcdef0);
  });

  it('LGDT with a 16-bit operand size loads 24 bits of base', () => {
    const m = machine();
    const d = new DataView(m.mem.buffer, DATA, 8);
    d.setUint16(0, 0xff, true); d.setUint32(2, 0xc0ffee00, true);
    m.cpu.r[R.EAX] = DATA;
    expect(exec(m, [0x66, 0x0f, 0x01, 0x10])).toBe(EXIT_LIMIT); // lgdtw [eax]
    expect(m.cpu.r[R.GDTR_BASE]).toBe(0xffee00);
    expect(m.cpu.r[R.GDTR_LIMIT]).toBe(0xff);
  });

  it('register forms of LGDT, SGDT and INVLPG are #UD', () => {
    for (const bytes of [[0x0f, 0x01, 0xd0], [0x0f, 0x01, 0xc0], [0x0f, 0x01, 0xf8]]) {
      const m = machine(3); // #UD comes before the privilege check
      expectFault(m, exec(m, bytes), UD, NOERR);
    }
  });

  it('SGDT checks the whole 6-byte destination before storing any of it', () => {
    const m = machine();
    // DS limit 0x2003: bytes 0x2000..0x2005 cross it.
    m.cpu.setSeg(3, 0x10, 0, 0x2003, 0x4093);
    m.cpu.r[R.EAX] = DATA;
    m.mem.i32[DATA >>> 2] = 0x11111111;
    expectFault(m, exec(m, [0x0f, 0x01, 0x00]), GP, 0);
    expect(m.mem.i32[DATA >>> 2]).toBe(0x11111111);
  });
});

describe('the machine-status word and CR0', () => {
  it('SMSW stores CR0 to a 32-bit register, its low word to a 16-bit one and to memory; not privileged', () => {
    const m = machine(3);
    const WP = 0x10000;
    m.cpu.r[R.CR0] = WP | CR0_PE | CR0_ET | CR0_TS;
    m.cpu.r[R.EBX] = DATA;
    m.cpu.r[R.ECX] = 0x55550000;
    // smsw eax; smsw [ebx]; smsw cx
    expect(exec(m, [0x0f, 0x01, 0xe0, 0x0f, 0x01, 0x23, 0x66, 0x0f, 0x01, 0xe1], 3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(WP | CR0_PE | CR0_ET | CR0_TS);
    expect(m.mem.u8[DATA] | (m.mem.u8[DATA + 1] << 8)).toBe(CR0_PE | CR0_ET | CR0_TS);
    expect(m.mem.u8[DATA + 2]).toBe(0);
    expect(m.cpu.r[R.ECX]).toBe(0x55550000 | CR0_PE | CR0_ET | CR0_TS);
  });

  it('LMSW sets MP EM TS and PE but cannot clear PE; CLTS clears TS', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0xfffe; // PE clear, everything else set
    // lmsw ax
    expect(exec(m, [0x0f, 0x01, 0xf0])).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.CR0]).toBe(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET);
    // clts
    expect(exec(m, [0x0f, 0x06])).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.CR0]).toBe(CR0_PE | CR0_MP | CR0_EM | CR0_ET);
  });

  it('MOV CR0: ET stays set, reserved bits read back as zero, PG without PE and NW without CD are #GP(0)', () => {
    const m = machine();
    m.cpu.r[R.EAX] = CR0_PE | CR0_MP | 0x0000ffc0; // bits 6..15 are reserved
    // mov cr0,eax; mov ebx,cr0
    expect(exec(m, [0x0f, 0x22, 0xc0, 0x0f, 0x20, 0xc3], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBX]).toBe(CR0_PE | CR0_MP | CR0_ET);
    // PG without PE; NW without CD; and PE clear (real mode is not supported: our #GP).
    for (const bad of [CR0_PG | CR0_ET, 0x20000000 | CR0_PE, CR0_ET]) {
      const k = machine();
      k.cpu.r[R.EAX] = bad;
      const cr0 = k.cpu.r[R.CR0];
      expectFault(k, exec(k, [0x0f, 0x22, 0xc0]), GP, 0);
      expect(k.cpu.r[R.CR0]).toBe(cr0);
    }
  });

  it('CR1, CR5, CR6 and CR7 are #UD, even outside ring 0', () => {
    for (const modrm of [0xc8, 0xe8, 0xf0, 0xf8]) {
      const m = machine(3);
      expectFault(m, exec(m, [0x0f, 0x20, modrm]), UD, NOERR);
      const k = machine();
      expectFault(k, exec(k, [0x0f, 0x22, modrm]), UD, NOERR);
    }
  });

  it('CR4: reserved bits (VME, PVI, MCE, OSFXSR) are #GP(0); the rest load', () => {
    for (const bad of [0x1, 0x2, 0x40, 0x200, 0x400]) {
      const m = machine();
      m.cpu.r[R.EAX] = bad;
      expectFault(m, exec(m, [0x0f, 0x22, 0xe0]), GP, 0);
    }
    const m = machine();
    m.cpu.r[R.EAX] = 0x1bc; // TSD DE PSE PAE PGE PCE
    // mov cr4,eax; mov ecx,cr4
    expect(exec(m, [0x0f, 0x22, 0xe0, 0x0f, 0x20, 0xe1], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ECX]).toBe(0x1bc);
  });

  it('CR2 and CR3 are read and written as given', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0xdeadb000 | 0;
    m.cpu.r[R.ECX] = 0x00123018;
    // mov cr2,eax; mov cr3,ecx; mov edx,cr2; mov ebx,cr3
    expect(exec(m, [0x0f, 0x22, 0xd0, 0x0f, 0x22, 0xd9, 0x0f, 0x20, 0xd2, 0x0f, 0x20, 0xdb], 4)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EDX]).toBe(0xdeadb000 | 0);
    expect(m.cpu.r[R.EBX]).toBe(0x00123018);
  });

  it('MOV CR ignores the mod field: the encoding has no displacement', () => {
    const m = machine();
    // 0F 20 05 is "mov ebp,cr0" (mod = 00, rm = 101 would be disp32 elsewhere); then inc eax.
    expect(exec(m, [0x0f, 0x20, 0x05, 0x40], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBP]).toBe(m.cpu.r[R.CR0]);
    expect(m.cpu.r[R.EAX]).toBe(1);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 4);
    // With a SIB byte and disp8 in the encoding (mod = 01, rm = 100): still three bytes.
    const k = machine(1);
    k.cpu.intercept = INT_PRIV;
    expect(exec(k, [0x0f, 0x22, 0x44, 0x24, 0x08])).toBe(EXIT_PRIV);
    expect(k.cpu.r[R.EXIT_NEXT_EIP]).toBe(CODE + 3);
  });

  it('turning on PAE paging with a reserved bit in a present PDPTE is #GP(0)', () => {
    const m = machine();
    const pdpt = 0x5000;
    m.mem.i32[pdpt >>> 2] = 0x6000 | 1 | 0x4; // bit 2 is reserved in a legacy-PAE PDPTE
    m.cpu.r[R.CR4] = 0x20;
    m.cpu.r[R.CR3] = pdpt;
    m.cpu.r[R.EAX] = m.cpu.r[R.CR0] | CR0_PG;
    const cr0 = m.cpu.r[R.CR0];
    expectFault(m, exec(m, [0x0f, 0x22, 0xc0]), GP, 0); // mov cr0,eax
    expect(m.cpu.r[R.CR0]).toBe(cr0);
  });
});

describe('debug registers', () => {
  it('DR0-DR3 hold any value; DR6/DR7 read back with their fixed bits; DR4/DR5 alias DR6/DR7', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0x12345678;
    m.cpu.r[R.ECX] = 0;
    m.cpu.r[R.EDX] = 0xffffdfff | 0; // all but GD
    // mov dr0,eax; mov dr6,ecx; mov dr7,edx; mov ebx,dr0; mov esi,dr4; mov edi,dr5
    const code = [0x0f, 0x23, 0xc0, 0x0f, 0x23, 0xf1, 0x0f, 0x23, 0xfa, 0x0f, 0x21, 0xc3, 0x0f, 0x21, 0xe6, 0x0f, 0x21, 0xef];
    expect(exec(m, code, 6)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBX]).toBe(0x12345678);
    expect(m.cpu.r[R.ESI] >>> 0).toBe(0xffff0ff0); // DR6: bits 4-11 and 16-31 read as one, bit 12 as zero
    expect(m.cpu.r[R.EDI] >>> 0).toBe(0xffff07ff); // DR7: bit 10 reads as one, 11, 12, 14, 15 as zero
  });

  it('with CR4.DE, DR4 and DR5 are #UD', () => {
    const m = machine();
    m.cpu.r[R.CR4] = CR4_DE;
    expectFault(m, exec(m, [0x0f, 0x21, 0xe0]), UD, NOERR); // mov eax,dr4
    const k = machine();
    k.cpu.r[R.CR4] = CR4_DE;
    expectFault(k, exec(k, [0x0f, 0x23, 0xe8]), UD, NOERR); // mov dr5,eax
  });

  it('DR7.GD makes a MOV DR a #DB fault with DR6.BD set and GD cleared', () => {
    const m = machine();
    m.cpu.r[R.DR0 + 7] = 0x2400;
    expectFault(m, exec(m, [0x0f, 0x21, 0xc0]), DB, NOERR); // mov eax,dr0
    expect(m.cpu.r[R.DR0 + 6] & 0x2000).toBe(0x2000);
    expect(m.cpu.r[R.DR0 + 7] & 0x2000).toBe(0);
  });
});

describe('HLT, UD2, cache no-ops', () => {
  it('HLT at CPL 0 halts: EXIT_HLT, retired, and stays halted with IF clear', () => {
    const m = machine();
    expect(exec(m, [0xf4, 0x90], 5)).toBe(EXIT_HLT);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 1);
    expect(m.cpu.r[R.EXIT_EIP]).toBe(CODE);
    expect(m.cpu.r[R.HALTED]).toBe(1);
    expect(m.cpu.instructions).toBe(1);
    expect(m.run(5)).toBe(EXIT_HLT);
    expect(m.cpu.instructions).toBe(1);
  });

  it('HLT with INT_HLT exits retired without halting', () => {
    const m = machine();
    m.cpu.intercept = INT_HLT;
    expect(exec(m, [0xf4, 0x90], 5)).toBe(EXIT_HLT);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 1);
    expect(m.cpu.r[R.HALTED]).toBe(0);
    expect(m.cpu.instructions).toBe(1);
  });

  it('UD2 raises #UD; WBINVD and INVD do nothing at CPL 0', () => {
    const m = machine();
    expectFault(m, exec(m, [0x0f, 0x0b]), UD, NOERR);
    const k = machine();
    expect(exec(k, [0x0f, 0x09, 0x0f, 0x08], 2)).toBe(EXIT_LIMIT);
    expect(k.cpu.r[R.EIP]).toBe(CODE + 4);
  });
});

/** A machine at `cpl` with a GDT at GDT (256 entries) and an LDT. */
function withGdt(cpl = 0): TestMachine {
  const m = machine(cpl);
  m.cpu.r[R.GDTR_BASE] = GDT;
  m.cpu.r[R.GDTR_LIMIT] = 0x7ff;
  desc(m, GDT + 0x08, 0, 0xfffff, 0xb, 0, { g: 1 }); // kernel code
  desc(m, GDT + 0x10, 0, 0xfffff, 0x3, 0, { g: 1 }); // kernel data
  desc(m, GDT + 0x18, 0, 0xfffff, 0xb, 3, { g: 1 }); // user code
  desc(m, GDT + 0x20, 0, 0xfffff, 0x3, 3, { g: 1 }); // user data
  desc(m, GDT + 0x28, 0x3000, 0x67, 0x9, 0, { s: 0 }); // available 32-bit TSS
  desc(m, GDT + 0x30, 0x4000, 0x3f, 0x2, 0, { s: 0 }); // LDT
  desc(m, GDT + 0x38, 0x4000, 0x3f, 0x2, 0, { s: 0, p: 0 }); // LDT, not present
  desc(m, GDT + 0x40, 0x3000, 0x67, 0xb, 0, { s: 0 }); // busy 32-bit TSS
  desc(m, GDT + 0x48, 0x1000, 0x0fff, 0x8, 0, {}); // execute-only code, DPL 0
  desc(m, GDT + 0x50, 0x1000, 0x0fff, 0xe, 0, {}); // conforming readable code, DPL 0
  desc(m, GDT + 0x58, 0x1000, 0x0fff, 0x1, 3, {}); // read-only data, DPL 3
  desc(m, GDT + 0x60, 0x12345, 0, 0xc, 3, { s: 0 }); // 32-bit call gate, DPL 3
  desc(m, GDT + 0x68, 0x12345, 0, 0xe, 3, { s: 0 }); // 32-bit interrupt gate, DPL 3
  desc(m, GDT + 0x70, 0x3000, 0x67, 0x9, 3, { s: 0 }); // available 32-bit TSS, DPL 3
  desc(m, GDT + 0x78, 0, 0xfffff, 0x3, 3, { g: 1, p: 0 }); // data, not present
  return m;
}

describe('LLDT, LTR, SLDT, STR', () => {
  it('LLDT loads the LDTR from an LDT descriptor; SLDT reads it back', () => {
    const m = withGdt();
    m.cpu.r[R.EAX] = 0x30;
    m.cpu.r[R.EBX] = -1;
    // lldt ax; sldt ebx
    expect(exec(m, [0x0f, 0x00, 0xd0, 0x0f, 0x00, 0xc3], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.LDTR]).toBe(0x30);
    expect(m.cpu.r[R.LDTR + 1]).toBe(0x4000);
    expect(m.cpu.r[R.LDTR + 2]).toBe(0x3f);
    expect(m.cpu.r[R.LDTR + 3] & 0x9f).toBe(0x82);
    expect(m.cpu.r[R.EBX]).toBe(0x30); // zero-extended into a 32-bit register
  });

  it('LLDT with a null selector invalidates the LDTR', () => {
    const m = withGdt();
    m.cpu.r[R.EAX] = 0;
    expect(exec(m, [0x0f, 0x00, 0xd0])).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.LDTR + 3] & 0x80).toBe(0);
  });

  it('LLDT refusals: not an LDT, in the LDT, not present, beyond the GDT limit', () => {
    const cases: [number, number, number][] = [
      [0x28, GP, 0x28], [0x10, GP, 0x10], [0x34, GP, 0x34], [0x38, NP, 0x38], [0x803, GP, 0x800],
    ];
    for (const [sel, vec, err] of cases) {
      const m = withGdt();
      m.cpu.r[R.EAX] = sel;
      expectFault(m, exec(m, [0x0f, 0x00, 0xd0]), vec, err);
    }
  });

  it('LTR loads TR and marks the TSS busy in the GDT; STR reads it back', () => {
    const m = withGdt();
    m.cpu.r[R.EAX] = 0x28;
    // ltr ax; str cx (16-bit form leaves ECX's high half)
    m.cpu.r[R.ECX] = 0x77770000;
    expect(exec(m, [0x0f, 0x00, 0xd8, 0x66, 0x0f, 0x00, 0xc9], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.TR]).toBe(0x28);
    expect(m.cpu.r[R.TR + 1]).toBe(0x3000);
    expect(m.cpu.r[R.TR + 2]).toBe(0x67);
    expect(m.cpu.r[R.TR + 3] & 0x9f).toBe(0x8b);
    expect((m.mem.i32[(GDT + 0x2c) >>> 2] >> 8) & 0xf).toBe(0xb);
    expect(m.cpu.r[R.ECX]).toBe(0x77770028);
  });

  it('LTR refusals: null, busy TSS, not a TSS, LDT selector, not present', () => {
    const cases: [number, number, number][] = [
      [0x0, GP, 0], [0x3, GP, 0], [0x40, GP, 0x40], [0x30, GP, 0x30], [0x2c, GP, 0x2c],
    ];
    for (const [sel, vec, err] of cases) {
      const m = withGdt();
      m.cpu.r[R.EAX] = sel;
      expectFault(m, exec(m, [0x0f, 0x00, 0xd8]), vec, err);
    }
    const m = withGdt();
    desc(m, GDT + 0x28, 0x3000, 0x67, 0x9, 0, { s: 0, p: 0 });
    m.cpu.r[R.EAX] = 0x28;
    expectFault(m, exec(m, [0x0f, 0x00, 0xd8]), NP, 0x28);
    expect((m.mem.i32[(GDT + 0x2c) >>> 2] >> 8) & 0xf).toBe(0x9); // not marked busy
  });
});

const zf = (m: TestMachine): number => (getEflags(m.cpu.r) & ZF ? 1 : 0);

describe('LAR, LSL, VERR, VERW at CPL 3', () => {
  /** Run one 0F xx instruction with the selector in EBX; returns ZF. */
  function probe(bytes: number[], sel: number, eax = 0x5a5a5a5a): [number, number] {
    const m = withGdt(3);
    m.cpu.r[R.EBX] = sel;
    m.cpu.r[R.EAX] = eax;
    expect(exec(m, bytes)).toBe(EXIT_LIMIT);
    return [zf(m), m.cpu.r[R.EAX]];
  }
  const LAR = [0x0f, 0x02, 0xc3], LSL = [0x0f, 0x03, 0xc3], VERR = [0x0f, 0x00, 0xe3], VERW = [0x0f, 0x00, 0xeb];

  it('LAR gives the access rights of visible segments, TSSs, call gates; not interrupt gates', () => {
    expect(probe(LAR, 0x23)).toEqual([1, 0x00cff300]); // user data, G and B set, limit 19:16 = F
    expect(probe(LAR, 0x1b)).toEqual([1, 0x00cffb00]);
    expect(probe(LAR, 0x53)).toEqual([1, 0x00409e00]); // conforming code: no privilege check
    expect(probe(LAR, 0x63)).toEqual([1, 0x0040ec00]); // call gate DPL 3
    expect(probe(LAR, 0x73)).toEqual([1, 0x0040e900]); // TSS DPL 3
    expect(probe(LAR, 0x7b)).toEqual([1, 0x00cf7300]); // not present is fine
    expect(probe(LAR, 0x6b)).toEqual([0, 0x5a5a5a5a]); // interrupt gate: invalid for LAR
    expect(probe(LAR, 0x13)).toEqual([0, 0x5a5a5a5a]); // DPL 0 < CPL 3
    expect(probe(LAR, 0x28)).toEqual([0, 0x5a5a5a5a]); // TSS DPL 0
    expect(probe(LAR, 0x00)).toEqual([0, 0x5a5a5a5a]); // null
    expect(probe(LAR, 0x803)).toEqual([0, 0x5a5a5a5a]); // beyond the GDT limit
    expect(probe(LAR, 0x07)).toEqual([0, 0x5a5a5a5a]); // LDT selector with no LDT
  });

  it('LAR with a 16-bit operand keeps only the type/DPL/P byte', () => {
    expect(probe([0x66, 0x0f, 0x02, 0xc3], 0x23)).toEqual([1, 0x5a5af300]);
  });

  it('LSL gives the byte-granular limit; gates have none', () => {
    expect(probe(LSL, 0x23)).toEqual([1, -1]); // 4 GiB
    expect(probe(LSL, 0x5b)).toEqual([1, 0xfff]);
    expect(probe(LSL, 0x73)).toEqual([1, 0x67]);
    expect(probe(LSL, 0x63)).toEqual([0, 0x5a5a5a5a]); // call gate
    expect(probe([0x66, 0x0f, 0x03, 0xc3], 0x23)).toEqual([1, 0x5a5affff]);
  });

  it('LAR/LSL: RPL above DPL hides a segment', () => {
    const m = withGdt(0);
    m.cpu.r[R.EBX] = 0x13; // kernel data with RPL 3
    expect(exec(m, LAR)).toBe(EXIT_LIMIT);
    expect(zf(m)).toBe(0);
  });

  it('VERR: readable visible segments; VERW: writable data only', () => {
    expect(probe(VERR, 0x23)[0]).toBe(1);
    expect(probe(VERW, 0x23)[0]).toBe(1);
    expect(probe(VERR, 0x1b)[0]).toBe(1); // readable code
    expect(probe(VERW, 0x1b)[0]).toBe(0);
    expect(probe(VERR, 0x5b)[0]).toBe(1); // read-only data
    expect(probe(VERW, 0x5b)[0]).toBe(0);
    expect(probe(VERR, 0x53)[0]).toBe(1); // conforming readable code, DPL 0
    expect(probe(VERR, 0x13)[0]).toBe(0); // DPL 0
    expect(probe(VERR, 0x73)[0]).toBe(0); // system segment
    expect(probe(VERR, 0x00)[0]).toBe(0);
    expect(probe(VERR, 0x803)[0]).toBe(0);
    const m = withGdt(0);
    m.cpu.r[R.EBX] = 0x48; // execute-only code
    expect(exec(m, VERR)).toBe(EXIT_LIMIT);
    expect(zf(m)).toBe(0);
  });
});

describe('ARPL', () => {
  it('raises the RPL of a register or memory selector and sets ZF; else clears ZF', () => {
    const m = machine(3);
    m.cpu.r[R.EAX] = 0xabcd0010;
    m.cpu.r[R.EBX] = 0x0003;
    expect(exec(m, [0x63, 0xd8])).toBe(EXIT_LIMIT); // arpl ax,bx
    expect(m.cpu.r[R.EAX]).toBe(0xabcd0013 | 0);
    expect(zf(m)).toBe(1);
    expect(exec(m, [0x63, 0xd8])).toBe(EXIT_LIMIT);
    expect(zf(m)).toBe(0);
    m.mem.u8[DATA] = 0x21; m.mem.u8[DATA + 1] = 0;
    m.cpu.r[R.EAX] = DATA;
    m.cpu.r[R.EBX] = 2;
    expect(exec(m, [0x63, 0x18])).toBe(EXIT_LIMIT); // arpl [eax],bx
    expect(m.mem.u8[DATA]).toBe(0x22);
    expect(zf(m)).toBe(1);
  });
});
