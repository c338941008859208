// Paging as instructions see it: 2-level tables with 4 MiB pages, PAE with
// 2 MiB pages and NX, the #PF error code and CR2, CR0.WP, accessed and dirty
// bits, when the TLB may hold stale translations, and self-modifying code.
// Page tables are built in test memory by the small helpers below.
import { describe, expect, it } from 'vitest';
import { R } from '../shared/layout';
import { CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_PSE, EFER_NXE, EXIT_EXCEPTION, EXIT_LIMIT, PF_ } from './defs';
import { testMachine, type TestMachine } from './testing';

const P = 0x1, RW = 0x2, US = 0x4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
// #PF error-code bits.
const E_P = 1, E_W = 2, E_U = 4, E_RSVD = 8, E_I = 16;
const CODE = 0x1000, TABLES = 0x100000;

function machine(cpl = 0): TestMachine {
  const m = testMachine({ cpl, ramMiB: 16 });
  m.cpu.interceptExc = -1;
  return m;
}

/** Load `code` at CODE (mapped 1:1 by both helpers) and run up to `n` instructions. */
function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}

function expectPF(m: TestMachine, reason: number, error: number, cr2: number, eip = CODE): void {
  expect(reason).toBe(EXIT_EXCEPTION);
  expect(m.cpu.r[R.EXIT_VECTOR]).toBe(PF_);
  expect(m.cpu.r[R.EXIT_ERROR]).toBe(error);
  expect(m.cpu.r[R.CR2] >>> 0).toBe(cr2 >>> 0);
  expect(m.cpu.r[R.EIP]).toBe(eip);
}

const rd = (m: TestMachine, pa: number): number => m.mem.i32[pa >>> 2];
const wr = (m: TestMachine, pa: number, v: number): void => { m.mem.i32[pa >>> 2] = v; };

/** 2-level (non-PAE) page tables, allocated upwards from TABLES. */
class Tables32 {
  readonly pd = TABLES;
  private next = TABLES + 0x1000;
  constructor(readonly m: TestMachine, codeFlags = P | RW | US) {
    m.mem.u8.fill(0, TABLES, TABLES + 0x40000);
    this.map(CODE, CODE, codeFlags);
  }
  pdeAddr(lin: number): number { return this.pd + (lin >>> 22) * 4; }
  pteAddr(lin: number): number { return (rd(this.m, this.pdeAddr(lin)) & ~0xfff) + ((lin >>> 12) & 0x3ff) * 4; }
  /** Map one 4 KiB page; the page table's PDE allows everything, so the PTE decides. */
  map(lin: number, phys: number, flags: number): void {
    const pa = this.pdeAddr(lin);
    if (!(rd(this.m, pa) & P)) { wr(this.m, pa, this.next | P | RW | US); this.next += 0x1000; }
    wr(this.m, this.pteAddr(lin), phys | flags);
  }
  map4m(lin: number, phys: number, flags: number): void {
    wr(this.m, this.pdeAddr(lin), phys | flags | PS);
  }
  enable(cr4 = 0): void {
    const r = this.m.cpu.r;
    r[R.CR3] = this.pd; r[R.CR4] = cr4; r[R.CR0] |= CR0_PG;
    this.m.cpu.tlbFlush(true);
  }
}

/** PAE page tables: a PDPT at TABLES, page directories and tables after it. */
class TablesPae {
  readonly pdpt = TABLES;
  private next = TABLES + 0x1000;
  constructor(readonly m: TestMachine, codeFlags = P | RW | US) {
    m.mem.u8.fill(0, TABLES, TABLES + 0x40000);
    this.map(CODE, CODE, codeFlags);
  }
  pdeAddr(lin: number): number {
    const pe = this.pdpt + (lin >>> 30) * 8;
    if (!(rd(this.m, pe) & P)) { wr(this.m, pe, this.next | P); this.next += 0x1000; }
    return (rd(this.m, pe) & ~0xfff) + ((lin >>> 21) & 0x1ff) * 8;
  }
  pteAddr(lin: number): number { return (rd(this.m, this.pdeAddr(lin)) & ~0xfff) + ((lin >>> 12) & 0x1ff) * 8; }
  map(lin: number, phys: number, flags: number, nx = false): void {
    const pa = this.pdeAddr(lin);
    if (!(rd(this.m, pa) & P)) { wr(this.m, pa, this.next | P | RW | US); this.next += 0x1000; }
    const e = this.pteAddr(lin);
    wr(this.m, e, phys | flags);
    wr(this.m, e + 4, nx ? 0x80000000 | 0 : 0);
  }
  map2m(lin: number, phys: number, flags: number, nx = false): void {
    const e = this.pdeAddr(lin);
    wr(this.m, e, phys | flags | PS);
    wr(this.m, e + 4, nx ? 0x80000000 | 0 : 0);
  }
  enable(cr4 = 0, nxe = false): void {
    const r = this.m.cpu.r;
    r[R.CR3] = this.pdpt; r[R.CR4] = cr4 | CR4_PAE; r[R.CR0] |= CR0_PG;
    r[R.EFER] = nxe ? EFER_NXE : 0;
    this.m.cpu.tlbFlush(true);
  }
}

// Instructions used below (ECX holds the address).
const LOAD = [0x8b, 0x19]; // mov ebx,[ecx]
const STORE = [0x89, 0x19]; // mov [ecx],ebx
const JMP_ECX = [0xff, 0xe1]; // jmp ecx
const CALL_ECX = [0xff, 0xd1]; // call ecx
const INVLPG_ECX = [0x0f, 0x01, 0x39]; // invlpg [ecx]

function load(m: TestMachine, lin: number): number {
  m.cpu.r[R.ECX] = lin;
  const reason = exec(m, LOAD);
  expect(reason).toBe(EXIT_LIMIT);
  return m.cpu.r[R.EBX];
}

describe('2-level paging', () => {
  it('translates 4 KiB pages and sets A in the PDE, A and then D in the PTE', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, P | RW);
    wr(m, 0x5010, 0x11223344);
    t.enable();
    expect(load(m, 0x400010)).toBe(0x11223344);
    expect(rd(m, t.pdeAddr(0x400000)) & (A | D)).toBe(A);
    expect(rd(m, t.pteAddr(0x400000)) & (A | D)).toBe(A);
    m.cpu.r[R.EBX] = 0x55667788;
    expect(exec(m, STORE)).toBe(EXIT_LIMIT);
    expect(rd(m, 0x5010)).toBe(0x55667788);
    expect(rd(m, t.pteAddr(0x400000)) & (A | D)).toBe(A | D);
    expect(rd(m, t.pdeAddr(0x400000)) & D).toBe(0); // D lives only in the entry that maps the page
  });

  it('maps 4 MiB pages with CR4.PSE, A and D in the PDE', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map4m(0x800000, 0x400000, P | RW);
    wr(m, 0x400000 + 0x12340, 0x0badcafe);
    t.enable(CR4_PSE);
    expect(load(m, 0x812340)).toBe(0x0badcafe);
    expect(rd(m, t.pdeAddr(0x800000)) & (A | D)).toBe(A);
    m.cpu.r[R.EBX] = 7;
    expect(exec(m, STORE)).toBe(EXIT_LIMIT);
    expect(rd(m, 0x412340)).toBe(7);
    expect(rd(m, t.pdeAddr(0x800000)) & (A | D)).toBe(A | D);
  });

  it('without CR4.PSE the PS bit is ignored: the PDE points to a page table', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map4m(0x800000, 0x400000, P | RW);
    wr(m, 0x400000 + 4 * 3, 0x9000 | P | RW); // entry 3 of the "page table" at 0x400000
    wr(m, 0x9008, 0x4242);
    t.enable(0);
    expect(load(m, 0x803008)).toBe(0x4242);
  });

  it('a 4 MiB PDE with bits 21:13 set is a reserved-bit fault (no PSE-36)', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map4m(0x800000, 0x400000 | 0x2000, P | RW);
    t.enable(CR4_PSE);
    m.cpu.r[R.ECX] = 0x800004;
    expectPF(m, exec(m, LOAD), E_P | E_RSVD, 0x800004);
  });

  it('EFER.NXE does nothing to 2-level paging: no I/D bit, no execute-disable', () => {
    const m = machine();
    const t = new Tables32(m);
    t.enable(0);
    m.cpu.r[R.EFER] = EFER_NXE;
    m.cpu.r[R.ECX] = 0x700000;
    expectPF(m, exec(m, JMP_ECX, 2), 0, 0x700000, 0x700000);
  });
});

describe('PAE paging', () => {
  it('translates 4 KiB and 2 MiB pages, with A and D in the right 64-bit entries', () => {
    const m = machine();
    const t = new TablesPae(m);
    t.map(0x40001000, 0x6000, P | RW);
    t.map2m(0x80200000, 0x600000, P | RW);
    wr(m, 0x6ff0, 0x12345678);
    wr(m, 0x600000 + 0x1fff0, 0x9abcdef0 | 0);
    t.enable();
    expect(load(m, 0x40001ff0)).toBe(0x12345678);
    expect(load(m, 0x8021fff0)).toBe(0x9abcdef0 | 0);
    expect(rd(m, t.pdeAddr(0x40001000)) & (A | D)).toBe(A);
    expect(rd(m, t.pteAddr(0x40001000)) & (A | D)).toBe(A);
    expect(rd(m, t.pdeAddr(0x80200000)) & (A | D)).toBe(A);
    m.cpu.r[R.EBX] = 1;
    m.cpu.r[R.ECX] = 0x40001ff0;
    expect(exec(m, STORE)).toBe(EXIT_LIMIT);
    m.cpu.r[R.ECX] = 0x8021fff0;
    expect(exec(m, STORE)).toBe(EXIT_LIMIT);
    expect(rd(m, t.pteAddr(0x40001000)) & (A | D)).toBe(A | D);
    expect(rd(m, t.pdeAddr(0x40001000)) & D).toBe(0);
    expect(rd(m, t.pdeAddr(0x80200000)) & (A | D)).toBe(A | D);
    expect(rd(m, 0x6ff0)).toBe(1);
    expect(rd(m, 0x61fff0)).toBe(1);
  });

  it('NX with EFER.NXE: fetching faults with I/D set, data reads are fine', () => {
    const m = machine();
    const t = new TablesPae(m);
    t.map(0x400000, 0x7000, P | RW | US, true);
    wr(m, 0x7000, 0xc3c3c3c3 | 0);
    t.enable(0, true);
    expect(load(m, 0x400000)).toBe(0xc3c3c3c3 | 0);
    m.cpu.r[R.ECX] = 0x400000;
    expectPF(m, exec(m, JMP_ECX, 2), E_P | E_I, 0x400000, 0x400000);
    // NX in a 2 MiB PDE covers the whole page.
    t.map2m(0x600000, 0x600000, P | RW, true);
    m.cpu.tlbFlush(true);
    m.cpu.r[R.ECX] = 0x6ff000;
    expectPF(m, exec(m, JMP_ECX, 2), E_P | E_I, 0x6ff000, 0x6ff000);
  });

  it('a fetch from a not-present page reports I/D under NXE, from ring 3 with U/S too', () => {
    const m = machine(3);
    const t = new TablesPae(m);
    t.enable(0, true);
    m.cpu.r[R.ECX] = 0x500000;
    expectPF(m, exec(m, JMP_ECX, 2), E_U | E_I, 0x500000, 0x500000);
  });

  it('bit 63 without EFER.NXE is a reserved bit: RSVD | P', () => {
    const m = machine();
    const t = new TablesPae(m);
    t.map(0x400000, 0x7000, P | RW, true);
    t.enable(0, false);
    m.cpu.r[R.ECX] = 0x400000;
    expectPF(m, exec(m, LOAD), E_P | E_RSVD, 0x400000);
    m.cpu.r[R.EBX] = 0;
    expectPF(m, exec(m, STORE), E_P | E_W | E_RSVD, 0x400000);
  });

  it('reserved bits in a 2 MiB PDE (20:13), a PTE (high dword), a PDPTE', () => {
    const m = machine();
    const t = new TablesPae(m);
    t.map2m(0x600000, 0x600000 | 0x4000, P | RW);
    t.map(0x400000, 0x7000, P | RW);
    wr(m, t.pteAddr(0x400000) + 4, 0x10); // physical-address bit 36: above MAXPHYADDR
    t.enable();
    m.cpu.r[R.ECX] = 0x600000;
    expectPF(m, exec(m, LOAD), E_P | E_RSVD, 0x600000);
    m.cpu.r[R.ECX] = 0x400000;
    expectPF(m, exec(m, LOAD), E_P | E_RSVD, 0x400000);
    t.map(0xc0000000, 0x7000, P | RW);
    wr(m, t.pdpt + 3 * 8, rd(m, t.pdpt + 3 * 8) | RW); // R/W is reserved in a legacy-PAE PDPTE
    m.cpu.r[R.ECX] = 0xc0000000;
    expectPF(m, exec(m, LOAD), E_P | E_RSVD, 0xc0000000);
  });
});

describe('#PF error codes and CR2', () => {
  // [cpl, pte flags (or null: not present), access, expected error code]
  const cases: [number, number | null, 'r' | 'w', number][] = [
    [0, null, 'r', 0],
    [0, null, 'w', E_W],
    [3, null, 'r', E_U],
    [3, null, 'w', E_U | E_W],
    [3, P | RW, 'r', E_U | E_P], // supervisor page
    [3, P | RW, 'w', E_U | E_P | E_W],
    [3, P | US, 'w', E_U | E_P | E_W], // read-only user page
    [0, P, 'w', E_P | E_W], // read-only, CR0.WP = 1
  ];
  for (const pae of [false, true]) {
    for (const [cpl, flags, acc, err] of cases) {
      it(`${pae ? 'PAE' : '2-level'}: CPL ${cpl} ${acc === 'r' ? 'read' : 'write'} of a ${flags === null ? 'not-present' : `flags-${flags}`} page -> ${err}`, () => {
        const m = machine(cpl);
        m.cpu.r[R.CR0] |= CR0_WP;
        const t = pae ? new TablesPae(m) : new Tables32(m);
        if (flags !== null) t.map(0x12345000, 0x8000, flags);
        t.enable();
        m.cpu.r[R.ECX] = 0x12345678;
        m.cpu.r[R.EBX] = 0x5a5a;
        expectPF(m, exec(m, acc === 'r' ? LOAD : STORE), err, 0x12345678);
        expect(m.cpu.r[R.EBX]).toBe(0x5a5a);
        expect(rd(m, 0x8678)).toBe(0);
      });
    }
  }

  it('a page-crossing access faults on the second page with CR2 at its start', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, P | RW);
    t.enable();
    m.cpu.r[R.ECX] = 0x400ffe;
    m.cpu.r[R.EBX] = -1;
    expectPF(m, exec(m, STORE), E_W, 0x401000);
    expect(rd(m, 0x5ffc)).toBe(0); // nothing of the store happened
  });
});

describe('CR0.WP', () => {
  for (const pae of [false, true]) {
    it(`${pae ? 'PAE' : '2-level'}: supervisor writes to read-only pages succeed with WP = 0 and set D`, () => {
      const m = machine();
      m.cpu.r[R.CR0] &= ~CR0_WP;
      const t = pae ? new TablesPae(m) : new Tables32(m);
      t.map(0x400000, 0x5000, P); // read-only supervisor page
      t.map(0x401000, 0x6000, P | US); // read-only user page
      t.enable();
      m.cpu.r[R.EBX] = 0x77;
      for (const [lin, pa] of [[0x400000, 0x5000], [0x401000, 0x6000]]) {
        m.cpu.r[R.ECX] = lin;
        expect(exec(m, STORE)).toBe(EXIT_LIMIT);
        expect(rd(m, pa)).toBe(0x77);
        expect(rd(m, t.pteAddr(lin)) & D).toBe(D);
      }
    });
  }

  it('turning WP on takes effect at once for translations already cached', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, P);
    t.enable();
    m.cpu.r[R.ECX] = 0x400000;
    expect(exec(m, STORE)).toBe(EXIT_LIMIT);
    // mov eax,cr0; or eax,0x10000; mov cr0,eax; mov [ecx],ebx
    const code = [0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x22, 0xc0, 0x89, 0x19];
    expectPF(m, exec(m, code, 4), E_P | E_W, 0x400000, CODE + 11);
  });

  it('user-mode writes to read-only pages fault whatever WP says', () => {
    const m = machine(3);
    m.cpu.r[R.CR0] &= ~CR0_WP;
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, P | US);
    t.enable();
    m.cpu.r[R.ECX] = 0x400000;
    expectPF(m, exec(m, STORE), E_P | E_W | E_U, 0x400000);
  });
});

describe('TLB invalidation', () => {
  /** 2-level tables with 0x400000 -> 0x5000 (holding 0xaaaa) and 0x6000 holding 0xbbbb. */
  function setup(cr4 = 0, flags = P | RW): [TestMachine, Tables32] {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, flags);
    wr(m, 0x5000, 0xaaaa);
    wr(m, 0x6000, 0xbbbb);
    t.enable(cr4);
    expect(load(m, 0x400000)).toBe(0xaaaa);
    wr(m, t.pteAddr(0x400000), 0x6000 | flags); // remap behind the TLB's back
    return [m, t];
  }

  it('a stale translation is used until INVLPG', () => {
    const [m] = setup();
    expect(load(m, 0x400000)).toBe(0xaaaa);
    m.cpu.r[R.ECX] = 0x400000;
    // invlpg [ecx]; mov ebx,[ecx]
    expect(exec(m, [...INVLPG_ECX, ...LOAD], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBX]).toBe(0xbbbb);
  });

  it('a stale translation is used until CR3 is reloaded', () => {
    const [m, t] = setup();
    expect(load(m, 0x400000)).toBe(0xaaaa);
    m.cpu.r[R.EAX] = t.pd;
    m.cpu.r[R.ECX] = 0x400000;
    // mov cr3,eax; mov ebx,[ecx]
    expect(exec(m, [0x0f, 0x22, 0xd8, ...LOAD], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBX]).toBe(0xbbbb);
  });

  it('global pages survive a CR3 reload with CR4.PGE, and a CR4 write that changes PGE flushes them', () => {
    const [m, t] = setup(CR4_PGE | CR4_PSE, P | RW | G);
    m.cpu.r[R.EAX] = t.pd;
    m.cpu.r[R.ECX] = 0x400000;
    expect(exec(m, [0x0f, 0x22, 0xd8, ...LOAD], 2)).toBe(EXIT_LIMIT); // mov cr3,eax; mov ebx,[ecx]
    expect(m.cpu.r[R.EBX]).toBe(0xaaaa);
    m.cpu.r[R.EAX] = CR4_PSE;
    expect(exec(m, [0x0f, 0x22, 0xe0, ...LOAD], 2)).toBe(EXIT_LIMIT); // mov cr4,eax; mov ebx,[ecx]
    expect(m.cpu.r[R.EBX]).toBe(0xbbbb);
  });

  it('the G bit means nothing without CR4.PGE', () => {
    const [m, t] = setup(0, P | RW | G);
    m.cpu.r[R.EAX] = t.pd;
    m.cpu.r[R.ECX] = 0x400000;
    expect(exec(m, [0x0f, 0x22, 0xd8, ...LOAD], 2)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EBX]).toBe(0xbbbb);
  });

  it('INVLPG of any address in a 4 MiB page drops all of it', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map4m(0x800000, 0x400000, P | RW);
    wr(m, 0x400000 + 0x3ff000, 0xaaaa);
    wr(m, 0x800000 + 0x3ff000, 0xbbbb);
    t.enable(CR4_PSE);
    expect(load(m, 0xbff000)).toBe(0xaaaa);
    t.map4m(0x800000, 0x800000, P | RW);
    expect(load(m, 0xbff000)).toBe(0xaaaa);
    m.cpu.r[R.ECX] = 0x800000;
    expect(exec(m, INVLPG_ECX)).toBe(EXIT_LIMIT);
    expect(load(m, 0xbff000)).toBe(0xbbbb);
  });
});

describe('self-modifying code', () => {
  it('a write into the next instruction of the same block runs the new bytes', () => {
    const m = machine();
    const t = new Tables32(m);
    t.enable();
    // mov byte [0x1007],0x40 (inc eax); nop -> becomes inc eax; nop
    expect(exec(m, [0xc6, 0x05, 0x07, 0x10, 0x00, 0x00, 0x40, 0x90, 0x90], 3)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(1);
  });

  it('a write through a second mapping of the code frame is seen too', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, CODE, P | RW);
    t.enable();
    m.cpu.r[R.ECX] = 0x400000 + 8;
    m.cpu.r[R.EBX] = 0x90909040; // inc eax; nop; nop; nop
    // nop x6; mov [ecx],ebx; nop (at CODE+8, rewritten)
    const code = [0x90, 0x90, 0x90, 0x90, 0x90, 0x90, ...STORE, 0x90];
    expect(exec(m, code, 8)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.EAX]).toBe(1);
    expect(m.cpu.r[R.EIP]).toBe(CODE + 9);
  });

  it('a page remapped to another frame runs the new frame code', () => {
    const m = machine();
    const t = new Tables32(m);
    t.map(0x400000, 0x5000, P | RW);
    m.load(0x5000, [0xb8, 1, 0, 0, 0, 0xc3]); // mov eax,1; ret
    m.load(0x6000, [0xb8, 2, 0, 0, 0, 0xc3]); // mov eax,2; ret
    t.map(0x7000, 0x7000, P | RW); // stack page
    const pte = t.pteAddr(0x400000);
    t.map(pte & ~0xfff, pte & ~0xfff, P | RW); // the page table itself, 1:1
    t.enable();
    m.cpu.r[R.ESP] = 0x8000;
    m.cpu.r[R.ECX] = 0x400000;
    m.cpu.r[R.EDX] = pte;
    m.cpu.r[R.EBX] = 0x6000 | P | RW;
    // call ecx; mov esi,eax; mov [edx],ebx; invlpg [ecx]; call ecx
    const code = [...CALL_ECX, 0x89, 0xc6, 0x89, 0x1a, ...INVLPG_ECX, ...CALL_ECX];
    expect(exec(m, code, 9)).toBe(EXIT_LIMIT);
    expect(m.cpu.r[R.ESI]).toBe(1);
    expect(m.cpu.r[R.EAX]).toBe(2);
    expect(m.cpu.r[R.EIP]).toBe(CODE + code.length);
  });
});
