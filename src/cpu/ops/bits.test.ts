import { describe, expect, it } from 'vitest';
import { R } from '../../shared/layout';
import { CF, EXIT_EXCEPTION, EXIT_LIMIT, OF, PF, SF, UD, ZF } from '../defs';
import { getEflags } from '../flags';
import { testMachine, type TestMachine } from '../testing';

const CODE = 0x1000, DATA = 0x2000;

function machine(): TestMachine {
  const m = testMachine();
  m.cpu.interceptExc = -1;
  return m;
}
function exec(m: TestMachine, code: number[], n = 1): number {
  m.load(CODE, code);
  m.cpu.r[R.EIP] = CODE;
  return m.run(n);
}
const flags = (m: TestMachine) => getEflags(m.cpu.r);
const dw = (m: TestMachine, a: number) => m.mem.i32[a >> 2] >>> 0;

describe('BT, BTS, BTR, BTC', () => {
  it('register operand: offset modulo the operand size, CF = old bit, ZF kept', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0x80000001 | 0;
    m.cpu.r[R.ECX] = 63; // bit 31
    m.cpu.r[R.EFLAGS] = 0x2 | ZF;
    expect(exec(m, [0x0f, 0xb3, 0xc8])).toBe(EXIT_LIMIT); // btr eax,ecx
    expect(m.cpu.r[R.EAX]).toBe(1);
    expect(flags(m) & (CF | ZF)).toBe(CF | ZF);
    exec(m, [0x66, 0x0f, 0xab, 0xc8]); // bts ax,cx: cx = 63 -> bit 15
    expect(m.cpu.r[R.EAX]).toBe(0x8001);
    expect(flags(m) & CF).toBe(0);
    exec(m, [0x0f, 0xba, 0xf8, 0x20]); // btc eax,32 -> bit 0
    expect(m.cpu.r[R.EAX]).toBe(0x8000);
    expect(flags(m) & CF).toBe(CF);
    exec(m, [0x0f, 0xa3, 0xc8]); // bt eax,ecx (bit 31)
    expect(m.cpu.r[R.EAX]).toBe(0x8000);
    expect(flags(m) & CF).toBe(0);
  });

  it('memory with a register offset reaches outside the operand, both directions', () => {
    const m = machine();
    m.mem.i32[(DATA + 8) >> 2] = 0;
    m.cpu.r[R.ECX] = 64 + 5;
    expect(exec(m, [0x0f, 0xab, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_LIMIT); // bts [0x2000],ecx
    expect(dw(m, DATA + 8)).toBe(1 << 5);
    expect(flags(m) & CF).toBe(0);
    m.mem.i32[(DATA - 4) >> 2] = 0x80000000 | 0;
    m.cpu.r[R.ECX] = -1; // bit 31 of the dword below
    exec(m, [0x0f, 0xa3, 0x0d, 0x00, 0x20, 0x00, 0x00]); // bt [0x2000],ecx
    expect(flags(m) & CF).toBe(CF);
    // 16-bit: the offset is a signed word; words are addressed at ea + 2 * (offset >> 4).
    m.mem.u8.fill(0, DATA - 8, DATA);
    m.cpu.r[R.ECX] = 0xffff_ffe1 | 0; // CX = -31: word at ea - 4, bit 1
    exec(m, [0x66, 0x0f, 0xbb, 0x0d, 0x00, 0x20, 0x00, 0x00]); // btc word [0x2000],cx
    expect(m.mem.u8[DATA - 4]).toBe(2);
  });

  it('memory with an immediate offset stays in the operand', () => {
    const m = machine();
    m.mem.i32[DATA >> 2] = 0;
    exec(m, [0x0f, 0xba, 0x2d, 0x00, 0x20, 0x00, 0x00, 0x25]); // bts dword [0x2000],0x25 -> bit 5
    expect(dw(m, DATA)).toBe(0x20);
    exec(m, [0x66, 0x0f, 0xba, 0x35, 0x00, 0x20, 0x00, 0x00, 0x15]); // btr word [0x2000],0x15 -> bit 5
    expect(dw(m, DATA)).toBe(0);
    expect(flags(m) & CF).toBe(CF);
  });

  it('LOCK is allowed on BTS with memory, #UD on BT and on register operands', () => {
    const m = machine();
    expect(exec(m, [0xf0, 0x0f, 0xab, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_LIMIT); // lock bts [0x2000],ecx
    expect(exec(m, [0xf0, 0x0f, 0xa3, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_EXCEPTION); // lock bt
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(UD);
    expect(exec(m, [0xf0, 0x0f, 0xab, 0xc8])).toBe(EXIT_EXCEPTION); // lock bts eax,ecx
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(UD);
  });

  it('/0-/3 of 0F BA are undefined', () => {
    const m = machine();
    expect(exec(m, [0x0f, 0xba, 0xe0 - 0x20, 1])).toBe(EXIT_EXCEPTION); // 0F BA /0
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(UD);
  });
});

describe('BSF, BSR', () => {
  it('find the lowest / highest set bit and clear ZF', () => {
    const m = machine();
    m.cpu.r[R.EBX] = 0x00f0_0100;
    m.cpu.r[R.EFLAGS] = 0x2 | ZF;
    exec(m, [0x0f, 0xbc, 0xc3]); // bsf eax,ebx
    expect(m.cpu.r[R.EAX]).toBe(8);
    expect(flags(m) & ZF).toBe(0);
    exec(m, [0x0f, 0xbd, 0xc3]); // bsr eax,ebx
    expect(m.cpu.r[R.EAX]).toBe(23);
    m.cpu.r[R.EBX] = 0x8000_0000 | 0;
    exec(m, [0x0f, 0xbc, 0xc3]);
    expect(m.cpu.r[R.EAX]).toBe(31);
    m.cpu.r[R.EAX] = 0x12345678;
    m.cpu.r[R.EBX] = 0x0001_8000; // 16-bit source 0x8000
    exec(m, [0x66, 0x0f, 0xbd, 0xc3]); // bsr ax,bx
    expect(m.cpu.r[R.EAX]).toBe(0x1234000f);
  });
  it('a zero source sets ZF and leaves the destination as it was', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0xdeadbeef | 0;
    m.cpu.r[R.EBX] = 0;
    exec(m, [0x0f, 0xbd, 0xc3]); // bsr eax,ebx
    expect(m.cpu.r[R.EAX]).toBe(0xdeadbeef | 0);
    expect(flags(m) & ZF).toBe(ZF);
    m.cpu.r[R.EBX] = 0xffff0000 | 0; // 16-bit source is 0
    exec(m, [0x66, 0x0f, 0xbc, 0xc3]); // bsf ax,bx
    expect(m.cpu.r[R.EAX]).toBe(0xdeadbeef | 0);
    expect(flags(m) & ZF).toBe(ZF);
  });
});

describe('BSWAP', () => {
  it('reverses the bytes of a 32-bit register', () => {
    const m = machine();
    m.cpu.r[R.ESI] = 0x11223344;
    exec(m, [0x0f, 0xce]); // bswap esi
    expect(m.cpu.r[R.ESI]).toBe(0x44332211);
    m.cpu.r[R.EAX] = 0x80000001 | 0;
    exec(m, [0x0f, 0xc8]); // bswap eax
    expect(m.cpu.r[R.EAX]).toBe(0x01000080);
  });
});

describe('XADD', () => {
  it('exchanges and adds, with the flags of ADD', () => {
    const m = machine();
    m.cpu.r[R.EBX] = -1;
    m.cpu.r[R.ECX] = 1;
    exec(m, [0x0f, 0xc1, 0xcb]); // xadd ebx,ecx
    expect(m.cpu.r[R.EBX]).toBe(0);
    expect(m.cpu.r[R.ECX]).toBe(-1);
    expect(flags(m) & (CF | ZF | SF | OF | PF)).toBe(CF | ZF | PF);
  });
  it('with the same register twice, the sum is kept', () => {
    const m = machine();
    m.cpu.r[R.EBX] = 5;
    exec(m, [0x0f, 0xc1, 0xdb]); // xadd ebx,ebx
    expect(m.cpu.r[R.EBX]).toBe(10);
  });
  it('on memory, lockable: the old value comes back in the register', () => {
    const m = machine();
    m.mem.i32[DATA >> 2] = 0x7fffffff;
    m.cpu.r[R.ECX] = 1;
    expect(exec(m, [0xf0, 0x0f, 0xc1, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_LIMIT); // lock xadd [0x2000],ecx
    expect(dw(m, DATA)).toBe(0x80000000);
    expect(m.cpu.r[R.ECX]).toBe(0x7fffffff);
    expect(flags(m) & (OF | SF | CF)).toBe(OF | SF);
    m.mem.u8[DATA] = 0xff;
    m.cpu.r[R.EDX] = 0x0200; // DH = 2
    exec(m, [0x0f, 0xc0, 0x35, 0x00, 0x20, 0x00, 0x00]); // xadd [0x2000],dh
    expect(m.mem.u8[DATA]).toBe(1);
    expect(m.cpu.r[R.EDX]).toBe(0xff00);
    expect(flags(m) & CF).toBe(CF);
  });
});

describe('CMPXCHG', () => {
  it('equal: ZF = 1 and DEST = SRC', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 7;
    m.cpu.r[R.EBX] = 7;
    m.cpu.r[R.ECX] = 9;
    exec(m, [0x0f, 0xb1, 0xcb]); // cmpxchg ebx,ecx
    expect(m.cpu.r[R.EBX]).toBe(9);
    expect(m.cpu.r[R.EAX]).toBe(7);
    expect(flags(m) & ZF).toBe(ZF);
  });
  it('not equal: ZF = 0, the accumulator gets DEST, flags as CMP', () => {
    const m = machine();
    m.cpu.r[R.EAX] = 0x1234_0001;
    m.cpu.r[R.EBX] = 0x0000_0002;
    m.cpu.r[R.ECX] = 9;
    exec(m, [0x66, 0x0f, 0xb1, 0xcb]); // cmpxchg bx,cx
    expect(m.cpu.r[R.EAX]).toBe(0x1234_0002);
    expect(m.cpu.r[R.EBX]).toBe(2);
    expect(flags(m) & (ZF | CF | SF)).toBe(CF | SF); // 1 - 2
  });
  it('memory: lockable, and written back even when not equal (a read-only page faults)', () => {
    const m = machine();
    m.mem.u8[DATA] = 0x33;
    m.cpu.r[R.EAX] = 0x33;
    m.cpu.r[R.ECX] = 0x44;
    expect(exec(m, [0xf0, 0x0f, 0xb0, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_LIMIT); // lock cmpxchg [0x2000],cl
    expect(m.mem.u8[DATA]).toBe(0x44);
    // Paging with the data page read-only at CPL 3: a failing compare still faults (#PF, write).
    const p = machine();
    const PD = 0x10000, PT = 0x11000;
    p.mem.i32[PD >> 2] = PT | 7;
    for (let k = 0; k < 16; k++) p.mem.i32[(PT >> 2) + k] = (k << 12) | 5; // user, read-only
    p.mem.i32[(PT >> 2) + 1] = 0x1000 | 5;
    p.cpu.r[R.CR3] = PD;
    p.cpu.r[R.CR0] |= 0x80000000;
    p.cpu.setCpl(3);
    p.mem.u8[DATA] = 0x55;
    p.cpu.r[R.EAX] = 0x33;
    expect(exec(p, [0x0f, 0xb0, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_EXCEPTION); // cmpxchg [0x2000],cl
    expect(p.cpu.r[R.EXIT_VECTOR]).toBe(14);
    expect(p.cpu.r[R.EXIT_ERROR]).toBe(7); // present, write, user
    expect(p.cpu.r[R.EAX]).toBe(0x33);
  });
});

describe('CMPXCHG8B', () => {
  it('equal: m64 = ECX:EBX, ZF = 1; other flags kept', () => {
    const m = machine();
    m.mem.i32[DATA >> 2] = 0x11111111;
    m.mem.i32[(DATA + 4) >> 2] = 0x22222222;
    m.cpu.r[R.EAX] = 0x11111111; m.cpu.r[R.EDX] = 0x22222222;
    m.cpu.r[R.EBX] = 0x33333333; m.cpu.r[R.ECX] = 0x44444444;
    m.cpu.r[R.EFLAGS] = 0x2 | CF | SF;
    expect(exec(m, [0xf0, 0x0f, 0xc7, 0x0d, 0x00, 0x20, 0x00, 0x00])).toBe(EXIT_LIMIT); // lock cmpxchg8b [0x2000]
    expect(dw(m, DATA)).toBe(0x33333333);
    expect(dw(m, DATA + 4)).toBe(0x44444444);
    expect(flags(m) & (ZF | CF | SF)).toBe(ZF | CF | SF);
  });
  it('not equal: EDX:EAX = m64, ZF = 0; works across a page boundary', () => {
    const m = machine();
    const A = 0x2ffd; // bytes 0x2ffd..0x3004
    const bytes = [1, 2, 3, 4, 5, 6, 7, 8];
    m.mem.u8.set(bytes, A);
    m.cpu.r[R.EAX] = 0; m.cpu.r[R.EDX] = 0;
    exec(m, [0x0f, 0xc7, 0x0d, 0xfd, 0x2f, 0x00, 0x00]); // cmpxchg8b [0x2ffd]
    expect(m.cpu.r[R.EAX]).toBe(0x04030201);
    expect(m.cpu.r[R.EDX]).toBe(0x08070605);
    expect(flags(m) & ZF).toBe(0);
    m.cpu.r[R.EBX] = 0x0d0c0b0a; m.cpu.r[R.ECX] = 0x11100f0e | 0;
    exec(m, [0x0f, 0xc7, 0x0d, 0xfd, 0x2f, 0x00, 0x00]);
    expect(Array.from(m.mem.u8.subarray(A, A + 8))).toEqual([0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11]);
    expect(flags(m) & ZF).toBe(ZF);
  });
  it('a register operand is #UD', () => {
    const m = machine();
    expect(exec(m, [0x0f, 0xc7, 0xc8])).toBe(EXIT_EXCEPTION); // 0F C7 /1 with mod = 3
    expect(m.cpu.r[R.EXIT_VECTOR]).toBe(UD);
  });
});
