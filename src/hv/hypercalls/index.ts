// Two-level dispatch: hypercall number -> family handler (this table) -> sub-op
// (inside each family file). Unknown numbers return -ENOSYS and are counted per
// domain for the UI. Arguments come from EBX, ECX, EDX, ESI, EDI (EBP is not
// read by Xen's compat dispatcher); the result goes to EAX.
import { E, HC } from '../../abi/xen';
import type { HcCtx, HcFn } from './types';
import { consoleIo } from './console';
import { xenVersion } from './version';
import { schedOp, schedOpCompat, setTimerOp } from './sched';
import { callbackOp, fpuTaskswitch, nmiOp, setCallbacks, setTrapTable, stackSwitch } from './callbacks';
import { vmAssist } from './vmassist';
import { getDebugreg, setDebugreg } from './debugreg';
import { iret } from './iret';
import { vcpuOp } from './vcpuop';
import { physdevOp, physdevOpCompat } from './physdev';
import { eventChannelOp, eventChannelOpCompat } from './evtchn';
import { grantTableOp } from './gnttab';
import { memoryOp } from './memory';
import { multicall } from './multicall';
import { mmuUpdate, updateVaMapping, updateVaMappingOtherdomain } from './mmu';
import { mmuextOp } from './mmuext';
import { setGdt, updateDescriptor } from './descriptors';
import { sysctl } from './sysctl';

const table: (HcFn | undefined)[] = [];
export function register(nr: number, fn: HcFn): void {
  table[nr] = fn;
}

register(HC.console_io, consoleIo);
register(HC.xen_version, xenVersion);
register(HC.sched_op, schedOp);
register(HC.sched_op_compat, schedOpCompat);
register(HC.set_timer_op, setTimerOp);
register(HC.set_trap_table, setTrapTable);
register(HC.set_callbacks, setCallbacks);
register(HC.callback_op, callbackOp);
register(HC.nmi_op, nmiOp);
register(HC.stack_switch, stackSwitch);
register(HC.fpu_taskswitch, fpuTaskswitch);
register(HC.vm_assist, vmAssist);
register(HC.set_debugreg, setDebugreg);
register(HC.get_debugreg, getDebugreg);
register(HC.iret, iret);
register(HC.vcpu_op, vcpuOp);
register(HC.physdev_op, physdevOp);
register(HC.physdev_op_compat, physdevOpCompat);
register(HC.event_channel_op, eventChannelOp);
register(HC.event_channel_op_compat, eventChannelOpCompat);
register(HC.grant_table_op, grantTableOp);
register(HC.memory_op, memoryOp);
register(HC.multicall, multicall);
register(HC.mmu_update, mmuUpdate);
register(HC.update_va_mapping, updateVaMapping);
register(HC.update_va_mapping_otherdomain, updateVaMappingOtherdomain);
register(HC.mmuext_op, mmuextOp);
register(HC.set_gdt, setGdt);
register(HC.update_descriptor, updateDescriptor);
register(HC.sysctl, sysctl);

/** Run hypercall `nr` with its five arguments; the EAX value, or null if registers were set. */
export function callHypercall(x: HcCtx, nr: number, a1: number, a2: number, a3: number, a4: number, a5: number): number | null {
  const n = nr >>> 0;
  if (n < x.dom.hypercalls.length) x.dom.hypercalls[n]++;
  const fn = n < table.length ? table[n] : undefined;
  if (!fn) {
    x.dom.enosys++;
    return -E.ENOSYS;
  }
  return fn(x, a1, a2, a3, a4, a5);
}

export const HYPERCALL_NAMES: string[] = [];
for (const [name, nr] of Object.entries(HC)) HYPERCALL_NAMES[nr] = name;
