import { describe, expect, it } from 'vitest';
import { DOMID_SELF, E, EVTCHNOP, GNTMAP, GNTTABOP, HC, SCHEDOP, SHUTDOWN, VIRQ } from '../abi/xen';
import { MMUEXT, UVMF, VCPUOP, XENMEM, XENVER } from '../abi/ops';
import {
  DS_CREATED, DS_DESTROYED, DS_SHUTDOWN, TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE, TK_EVT_PENDING, TK_EVT_SEND,
  TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP, TK_HYPERCALL, TK_MULTICALL_ENTRY, TK_PIN, TK_UNPIN, type TraceRecord,
} from '../shared/trace';
import {
  HYPERCALLS, callText, domidText, formatRecord, hypercallName, recordLine, resultText, subopName, vectorName,
} from './tracefmt';

function rec(kind: number, code: number, args: number[] = [], more: Partial<TraceRecord> = {}): TraceRecord {
  const a = [...args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((v) => v >>> 0);
  return { seq: 0, kind, noResult: false, continued: false, subop: -1, domid: 1, vcpu: 0, code, args: a, result: 0, icount: 0, timeNs: 0, ...more };
}

describe('trace formatting', () => {
  it('names hypercalls, their sub-ops and errnos', () => {
    expect(hypercallName(HC.event_channel_op)).toBe('event_channel_op');
    expect(hypercallName(63)).toBe('hypercall_63');
    expect(HYPERCALLS.find((h) => h.nr === HC.mmuext_op)?.name).toBe('mmuext_op');
    expect(HYPERCALLS.map((h) => h.nr)).toEqual([...HYPERCALLS.map((h) => h.nr)].sort((a, b) => a - b));
    expect(subopName(HC.grant_table_op, GNTTABOP.map_grant_ref)).toBe('map_grant_ref');
    expect(subopName(HC.sched_op, SCHEDOP.block)).toBe('block');
    expect(subopName(HC.vcpu_op, VCPUOP.set_singleshot_timer)).toBe('set_singleshot_timer');
    expect(subopName(HC.xen_version, XENVER.get_features)).toBe('get_features');
    // memory_op keeps a continuation's start extent above the command bits.
    expect(subopName(HC.memory_op, XENMEM.populate_physmap | (3 << 6))).toBe('populate_physmap');
    expect(subopName(HC.xen_version, 99)).toBeNull();
    expect(subopName(HC.iret, 0)).toBeNull();
    expect(resultText(-E.EINVAL)).toBe('-EINVAL');
    expect(resultText(-E.ENOSYS)).toBe('-ENOSYS');
    expect(resultText(-200)).toBe('-errno200');
    expect(resultText(3)).toBe('3');
    expect(resultText(0x40017)).toBe('0x40017');
    expect(resultText(-0x10000)).toBe('0xffff0000');
    expect(domidText(DOMID_SELF)).toBe('DOMID_SELF');
    expect(domidText(3)).toBe('d3');
    expect(vectorName(14)).toBe('#PF');
    expect(vectorName(13)).toBe('#GP');
    expect(vectorName(0x80)).toBe('0x80');
  });

  it('decodes arguments by what they are', () => {
    expect(callText(HC.event_channel_op, [EVTCHNOP.send, 0xc0012ff8])).toBe('event_channel_op(send, arg=0xc0012ff8)');
    expect(callText(HC.grant_table_op, [GNTTABOP.copy, 0x1000, 2])).toBe('grant_table_op(copy, uop=0x1000, count=2)');
    expect(callText(HC.mmuext_op, [0x2000, 1, 0, DOMID_SELF], MMUEXT.PIN_L2_TABLE))
      .toBe('mmuext_op(PIN_L2_TABLE, ops=0x2000, count=1, done=NULL, foreigndom=DOMID_SELF)');
    expect(callText(HC.mmuext_op, [0x2000, 1, 0, DOMID_SELF])).toBe('mmuext_op(ops=0x2000, count=1, done=NULL, foreigndom=DOMID_SELF)');
    expect(callText(HC.update_va_mapping, [0xc0400000, 0x12345067, 0x1, UVMF.INVLPG | UVMF.ALL]))
      .toBe('update_va_mapping(va=0xc0400000, pte=0x112345067, flags=INVLPG|ALL)');
    expect(callText(HC.update_va_mapping, [0x1000, 0, 0, 0x5000 | UVMF.TLB_FLUSH])).toBe('update_va_mapping(va=0x1000, pte=0x0, flags=TLB_FLUSH|MULTI@0x5000)');
    expect(callText(HC.set_timer_op, [0x3b9aca00, 0])).toBe('set_timer_op(timeout=0x3b9aca00)');
    expect(callText(HC.memory_op, [XENMEM.populate_physmap | (2 << 6), 0x3000])).toBe('memory_op(populate_physmap, from extent 2, arg=0x3000)');
    expect(callText(HC.vcpu_op, [VCPUOP.up, 1, 0])).toBe('vcpu_op(up, vcpu=1, arg=NULL)');
    expect(callText(HC.sched_op_compat, [SCHEDOP.shutdown, SHUTDOWN.reboot])).toBe('sched_op_compat(shutdown, reason=reboot)');
    expect(callText(HC.console_io, [0, 12, 0x8000])).toBe('console_io(write, count=12, buf=0x8000)');
    expect(callText(HC.event_channel_op, [77, 0])).toBe('event_channel_op(cmd 77, arg=NULL)');
    expect(callText(HC.iret, [1, 2, 3])).toBe('iret()');
    expect(callText(50, [1, 2, 3, 4, 5])).toBe('hypercall_50(0x1, 0x2, 0x3, 0x4, 0x5)');
  });

  it('formats hypercall records with their outcome', () => {
    const ok = formatRecord(rec(TK_HYPERCALL, HC.xen_version, [XENVER.version, 0], { result: 0x40017 }));
    expect(ok).toEqual({ who: 'd1v0', kind: 'hypercall', text: 'xen_version(version, arg=NULL)', result: '0x40017', error: false });
    const bad = formatRecord(rec(TK_HYPERCALL, HC.event_channel_op, [EVTCHNOP.close, 0x100], { result: -E.EINVAL }));
    expect(bad.result).toBe('-EINVAL');
    expect(bad.error).toBe(true);
    expect(formatRecord(rec(TK_HYPERCALL, HC.iret, [], { noResult: true })).result).toBe('returns to the guest');
    expect(formatRecord(rec(TK_HYPERCALL, HC.mmu_update, [0x1000, 600], { continued: true, result: HC.mmu_update })).result)
      .toBe('preempted, continues');
    const entry = formatRecord(rec(TK_MULTICALL_ENTRY, HC.mmuext_op, [0x10, 1, 0, DOMID_SELF], { subop: MMUEXT.NEW_BASEPTR }));
    expect(entry.kind).toBe('multicall entry');
    expect(entry.text).toBe('mmuext_op(NEW_BASEPTR, ops=0x10, count=1, done=NULL, foreigndom=DOMID_SELF)');
    expect(recordLine(rec(TK_HYPERCALL, HC.sched_op, [SCHEDOP.yield, 0], { vcpu: 1, domid: 2 }))).toBe('d2v1 sched_op(yield, arg=NULL) = 0');
  });

  it('formats event-channel records', () => {
    expect(formatRecord(rec(TK_EVT_SEND, 5, [2, 7])).text).toBe('send on port 5 -> d2:7');
    expect(formatRecord(rec(TK_EVT_SEND, 5, [-1, -1])).text).toBe('send on port 5: nobody bound, dropped');
    expect(formatRecord(rec(TK_EVT_SEND, 4, [1, 4])).text).toBe('send on port 4 (ipi to itself)');
    expect(formatRecord(rec(TK_EVT_SEND, 3, [1, 9], { domid: 0, vcpu: -1 })).who).toBe('d0');
    expect(formatRecord(rec(TK_EVT_PENDING, 7, [1, 1])).text).toBe('port 7 pending, upcall raised');
    expect(formatRecord(rec(TK_EVT_PENDING, 7, [1, 0])).text).toBe('port 7 pending');
    expect(formatRecord(rec(TK_EVT_PENDING, 7, [0, 0])).text).toBe('port 7 already pending');
    expect(formatRecord(rec(TK_EVT_UPCALL, 0, [0xc0001000, 0xc0002345])).text).toBe('upcall to 0xc0001000 (interrupted 0xc0002345)');
    expect(formatRecord(rec(TK_EVT_BIND, 3, [2, 0, -1, -1])).text).toBe('port 3 bound: unbound for d0');
    expect(formatRecord(rec(TK_EVT_BIND, 4, [3, 2, 3, -1])).text).toBe('port 4 bound: interdomain to d2:3');
    expect(formatRecord(rec(TK_EVT_BIND, 5, [5, -1, -1, VIRQ.TIMER])).text).toBe('port 5 bound: virq TIMER');
    expect(formatRecord(rec(TK_EVT_BIND, 6, [6, -1, -1, -1])).text).toBe('port 6 bound: ipi');
    expect(formatRecord(rec(TK_EVT_CLOSE, 6, [], { vcpu: -1 }))).toMatchObject({ who: 'd1', kind: 'evtchn close', text: 'port 6 closed' });
  });

  it('formats faults, pins, grants and domain changes', () => {
    expect(formatRecord(rec(TK_FAULT, 14, [6, 0x804a000, 0x8048123, 0])).text)
      .toBe('#PF error 0x6 (not-present, write, user) cr2=0x804a000 at 0x8048123');
    expect(formatRecord(rec(TK_FAULT, 14, [0x11, 0x1000, 0x1000, 0])).text).toBe('#PF error 0x11 (protection, read, supervisor, fetch) cr2=0x1000 at 0x1000');
    expect(formatRecord(rec(TK_FAULT, 0, [-1, 0, 0xc0001234, 0])).text).toBe('#DE at 0xc0001234');
    expect(formatRecord(rec(TK_FAULT, 13, [0x412, 0, 0x8048000, 0])).text).toBe('#GP error 0x412 at 0x8048000');
    expect(formatRecord(rec(TK_FAULT, 0x80, [-1, 0, 0x8048010, 1])).text).toBe('INT 0x80 to the guest, return to 0x8048010');
    expect(formatRecord(rec(TK_FAULT, 3, [-1, 0, 0x8048010, 1])).text).toBe('INT3 to the guest, return to 0x8048010');
    expect(formatRecord(rec(TK_PIN, 0x1234, [2])).text).toBe('pin L2 table, mfn 0x1234');
    expect(formatRecord(rec(TK_UNPIN, 0x1234, [3])).text).toBe('unpin L3 table, mfn 0x1234');
    expect(formatRecord(rec(TK_GNT_MAP, 8, [2, 0, 0x4321, GNTMAP.host_map | GNTMAP.readonly])).text)
      .toBe('map grant ref 8 of d2: handle 0, mfn 0x4321, host_map|readonly');
    expect(formatRecord(rec(TK_DOMAIN, DS_CREATED, [2], { vcpu: -1 }))).toMatchObject({ who: 'd1', text: 'created (2 vcpus)' });
    expect(formatRecord(rec(TK_DOMAIN, DS_SHUTDOWN, [SHUTDOWN.crash])).text).toBe('shut down: crash');
    expect(formatRecord(rec(TK_DOMAIN, DS_DESTROYED)).text).toBe('destroyed');
    expect(formatRecord(rec(TK_DOMAIN, DS_DESTROYED, [], { domid: -1, vcpu: -1 })).who).toBe('xen');
  });
});
