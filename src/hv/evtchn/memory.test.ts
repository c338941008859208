import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../../mem/memory';
import { HypervisorBug } from '../../shared/bugs';
import { SharedInfoView } from './memory';

const MFN = 20;
const BASE = MFN * 4096;

function view(vcpus = 2) {
  const mem = MachineMemory.create({ ramMiB: 1, vcpus: 1 });
  const v = new SharedInfoView(mem, MFN, vcpus);
  return { mem, v };
}

describe('SharedInfoView (2-level bitmaps in shared_info)', () => {
  it('puts port p at bit p%32 of evtchn_pending[p/32] (offset 2048)', () => {
    const { mem, v } = view();
    expect(v.testAndSetPending(37)).toBe(false);
    expect(mem.i32[(BASE + 2048) / 4 + 1]).toBe(1 << 5);
    expect(v.testAndSetPending(37)).toBe(true);
    expect(v.isPending(37)).toBe(true);
    v.clearPending(37);
    expect(mem.i32[(BASE + 2048) / 4 + 1]).toBe(0);
    v.testAndSetPending(1023);
    expect(mem.i32[(BASE + 2048) / 4 + 31]! >>> 0).toBe(0x80000000);
  });

  it('reads and clears the mask bitmap at offset 2176', () => {
    const { mem, v } = view();
    mem.i32[(BASE + 2176) / 4] = 1 << 3;
    expect(v.isMasked(3)).toBe(true);
    expect(v.testAndClearMask(3)).toBe(true);
    expect(v.testAndClearMask(3)).toBe(false);
    expect(v.isMasked(3)).toBe(false);
  });

  it('keeps the selector and upcall_pending in vcpu n\'s vcpu_info at n*64', () => {
    const { mem, v } = view();
    expect(v.testAndSetSelector(1, 4)).toBe(false);
    expect(mem.i32[(BASE + 64 + 4) / 4]).toBe(1 << 4);
    expect(v.testAndSetSelector(1, 4)).toBe(true);
    expect(v.testAndSetUpcallPending(1)).toBe(false);
    expect(mem.u8[BASE + 64]).toBe(1);
    expect(v.testAndSetUpcallPending(1)).toBe(true);
    // vcpu 0 untouched
    expect(mem.u8[BASE]).toBe(0);
  });

  it('tests only bit 0 of upcall_pending, as Xen does', () => {
    const { mem, v } = view();
    mem.u8[BASE] = 0x02;
    expect(v.testAndSetUpcallPending(0)).toBe(false);
    expect(mem.u8[BASE]).toBe(0x03);
  });

  it('follows vcpu_info when VCPUOP_register_vcpu_info moves it', () => {
    const { mem, v } = view();
    v.setVcpuInfo(0, 0x5000 + 128);
    v.testAndSetSelector(0, 2);
    v.testAndSetUpcallPending(0);
    expect(mem.i32[(0x5000 + 128 + 4) / 4]).toBe(4);
    expect(mem.u8[0x5000 + 128]).toBe(1);
    expect(mem.u8[BASE]).toBe(0);
    expect(v.vcpuInfoAddr(0)).toBe(0x5080);
  });

  it('gives vcpus >= 32 a private dummy until they register a vcpu_info', () => {
    const { mem, v } = view(33);
    const before = mem.u8.slice(BASE, BASE + 4096);
    expect(v.vcpuInfoAddr(32)).toBe(-1);
    expect(v.testAndSetUpcallPending(32)).toBe(false);
    expect(v.testAndSetUpcallPending(32)).toBe(true);
    expect(mem.u8.slice(BASE, BASE + 4096)).toEqual(before);
  });

  it('initialise zeroes the page and masks upcalls on every vcpu', () => {
    const { mem, v } = view(3);
    mem.u8.fill(0xff, BASE, BASE + 4096);
    v.initialise();
    expect(mem.u8[BASE + 1]).toBe(1);
    expect(mem.u8[BASE + 64 + 1]).toBe(1);
    expect(mem.u8[BASE + 128 + 1]).toBe(1);
    expect(mem.u8[BASE + 192 + 1]).toBe(0);
    expect(mem.i32[(BASE + 2048) / 4]).toBe(0);
  });

  it('takePending does what a guest upcall handler does', () => {
    const { v } = view();
    for (const p of [3, 40, 41, 70]) {
      v.testAndSetPending(p);
      v.testAndSetSelector(0, p >>> 5);
    }
    v.testAndSetUpcallPending(0);
    v.setMask(41, true);
    expect(v.takePending(0)).toEqual([3, 40, 70]);
    expect(v.upcallPending(0)).toBe(false);
    expect(v.selector(0)).toBe(0);
    expect(v.isPending(41)).toBe(true); // masked: left for later
    expect(v.isPending(40)).toBe(false);
  });

  it('refuses frames outside RAM and unaligned vcpu_info as our own bugs', () => {
    const mem = MachineMemory.create({ ramMiB: 1, vcpus: 1 });
    expect(() => new SharedInfoView(mem, 256, 1)).toThrow(HypervisorBug);
    const v = new SharedInfoView(mem, 1, 1);
    expect(() => v.setVcpuInfo(0, 0x1002)).toThrow(HypervisorBug);
    expect(() => v.setVcpuInfo(1, 0x1000)).toThrow(HypervisorBug);
  });

  it('standalone() gives domain 0 a private page', () => {
    const v = SharedInfoView.standalone(1);
    expect(v.upcallMask(0)).toBe(true);
    expect(v.testAndSetPending(5)).toBe(false);
    expect(v.isPending(5)).toBe(true);
  });
});
