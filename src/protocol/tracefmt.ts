// Trace records as text for the trace panel (and anything else that lists them):
// who, what, the decoded arguments and the result, from a TraceRecord alone. Pure:
// the numbers and names come from src/abi, the record layout from src/shared/trace.ts.
// Arguments are shown by what they are: guest pointers in hex, counts in decimal,
// domain ids by name where Xen has one (DOMID_SELF), sub-operations by their Xen name.
import { DOMID_IO, DOMID_SELF, DOMID_XEN, E, EVTCHNOP, GNTMAP, GNTTABOP, HC, SCHEDOP, SHUTDOWN, VIRQ, VMASST } from '../abi/xen';
import { CALLBACKOP, MMUEXT, PHYSDEVOP, UVMF, VCPUOP, VMASST_CMD, XENMEM, XENNMI, XENVER, MEMOP_EXTENT_SHIFT } from '../abi/ops';
import {
  DS_CREATED, DS_DESTROYED, DS_PAUSED, DS_SHUTDOWN, DS_UNPAUSED, TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE,
  TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP, TK_GNT_UNMAP, TK_HYPERCALL,
  TK_MULTICALL_ENTRY, TK_NAMES, TK_PIN, TK_UNPIN, type TraceRecord,
} from '../shared/trace';

/** One record as text. */
export interface TraceText {
  /** Who it is about: "d1v0", "d0", "d2" (no vcpu), "xen". */
  who: string;
  /** The kind of record, as TK_NAMES says. */
  kind: string;
  /** What happened: "event_channel_op(send, arg=0x1ff8)", "port 5 pending, upcall". */
  text: string;
  /** The outcome: "0", "-EINVAL", "3", "0x40017"; empty when there is none. */
  result: string;
  /** The result is a Xen errno. */
  error: boolean;
}

/** name -> number tables turned around. */
function byValue(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const m = new Map<number, string>();
  for (const [name, v] of Object.entries(table)) if (!m.has(v)) m.set(v, name);
  return m;
}

const HC_NAMES = byValue(HC);
const ERRNO_NAMES = byValue(E);
const VIRQ_NAMES = byValue(VIRQ);
const SHUTDOWN_NAMES = byValue(SHUTDOWN);
const VMASST_NAMES = byValue(VMASST);

/** For each multiplexed hypercall: the register (argument index) holding the sub-op and its names. */
const SUBOPS: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [HC.event_channel_op, byValue(EVTCHNOP)],
  [HC.grant_table_op, byValue(GNTTABOP)],
  [HC.sched_op, byValue(SCHEDOP)],
  [HC.sched_op_compat, byValue(SCHEDOP)],
  [HC.vcpu_op, byValue(VCPUOP)],
  [HC.memory_op, byValue(XENMEM)],
  [HC.physdev_op, byValue(PHYSDEVOP)],
  [HC.console_io, byValue({ write: 0, read: 1 })],
  [HC.xen_version, byValue(XENVER)],
  [HC.callback_op, byValue(CALLBACKOP)],
  [HC.nmi_op, byValue(XENNMI)],
  [HC.vm_assist, byValue(VMASST_CMD)],
  [HC.mmuext_op, byValue(MMUEXT)],
]);

/** "xen_version", or "hypercall_50" for a number Xen does not define. */
export function hypercallName(nr: number): string {
  return HC_NAMES.get(nr) ?? `hypercall_${nr}`;
}

/** Every hypercall Xen defines, by number (for pickers such as break-on-hypercall). */
export const HYPERCALLS: readonly { nr: number; name: string }[] = [...HC_NAMES].sort((a, b) => a[0] - b[0])
  .map(([nr, name]) => ({ nr, name }));

/** The Xen name of sub-op `cmd` of hypercall `nr` ("send" of event_channel_op), or null. */
export function subopName(nr: number, cmd: number): string | null {
  const names = SUBOPS.get(nr);
  if (!names) return null;
  const c = nr === HC.memory_op ? cmd & ((1 << MEMOP_EXTENT_SHIFT) - 1) : cmd;
  return names.get(c) ?? null;
}

/** A hypercall result: "-EINVAL" for a Xen errno, else the value (hex when large). */
export function resultText(v: number): string {
  if (v < 0 && v >= -4095) return `-${ERRNO_NAMES.get(-v) ?? `errno${-v}`}`;
  return num(v);
}

/** A domain id, with Xen's names for the special ones. */
export function domidText(d: number): string {
  switch (d >>> 0) {
    case DOMID_SELF: return 'DOMID_SELF';
    case DOMID_IO: return 'DOMID_IO';
    case DOMID_XEN: return 'DOMID_XEN';
    default: return (d | 0) < 0 ? 'none' : `d${d >>> 0}`;
  }
}

const VECTORS = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'CSO', '#TS', '#NP', '#SS', '#GP', '#PF',
  '15', '#MF', '#AC', '#MC', '#XM', '#VE', '#CP'];

/** "#PF", "#GP"..., else the vector in hex. */
export function vectorName(v: number): string {
  return v < VECTORS.length ? VECTORS[v] : `0x${v.toString(16)}`;
}

/** Page-fault error code bits, as the SDM names them. */
function pfError(e: number): string {
  const bits = [(e & 1) ? 'protection' : 'not-present', (e & 2) ? 'write' : 'read', (e & 4) ? 'user' : 'supervisor'];
  if (e & 8) bits.push('reserved-bit');
  if (e & 16) bits.push('fetch');
  return bits.join(', ');
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
/** Small values in decimal, large ones (addresses, packed values) in hex. */
const num = (v: number): string => ((v | 0) >= 0 && (v | 0) < 0x10000 ? String(v | 0) : hex(v));
const s32 = (v: number): number => v | 0;

/**
 * How one argument register is shown; u64: the low half of a 64-bit value whose high
 * half is the next register (its slot in the layout is null).
 */
type ArgType = 'ptr' | 'hex' | 'dec' | 'dom' | 'vmasst' | 'uvmf' | 'u64';
type Arg = { n: string; t: ArgType } | null;

const A = (n: string, t: ArgType): Arg => ({ n, t });

/**
 * Argument layout per hypercall (EBX, ECX, EDX, ESI, EDI as 0..4). The sub-op of a
 * multiplexed call (its first argument, see SUBOPS) is shown by name before these.
 */
const ARGS: ReadonlyMap<number, readonly Arg[]> = new Map<number, readonly Arg[]>([
  [HC.set_trap_table, [A('table', 'ptr')]],
  [HC.mmu_update, [A('reqs', 'ptr'), A('count', 'dec'), A('done', 'ptr'), A('foreigndom', 'dom')]],
  [HC.set_gdt, [A('frames', 'ptr'), A('entries', 'dec')]],
  [HC.stack_switch, [A('ss', 'hex'), A('esp', 'hex')]],
  [HC.set_callbacks, [A('event_cs', 'hex'), A('event_eip', 'hex'), A('failsafe_cs', 'hex'), A('failsafe_eip', 'hex')]],
  [HC.fpu_taskswitch, [A('set', 'dec')]],
  [HC.sched_op_compat, [null, A('arg', 'hex')]],
  [HC.set_debugreg, [A('reg', 'dec'), A('value', 'hex')]],
  [HC.get_debugreg, [A('reg', 'dec')]],
  [HC.update_descriptor, [A('maddr', 'u64'), null, A('desc', 'u64')]],
  [HC.memory_op, [null, A('arg', 'ptr')]],
  [HC.multicall, [A('calls', 'ptr'), A('count', 'dec')]],
  [HC.update_va_mapping, [A('va', 'hex'), A('pte', 'u64'), null, A('flags', 'uvmf')]],
  [HC.set_timer_op, [A('timeout', 'u64')]],
  [HC.event_channel_op_compat, [A('op', 'ptr')]],
  [HC.xen_version, [null, A('arg', 'ptr')]],
  [HC.console_io, [null, A('count', 'dec'), A('buf', 'ptr')]],
  [HC.physdev_op_compat, [A('op', 'ptr')]],
  [HC.grant_table_op, [null, A('uop', 'ptr'), A('count', 'dec')]],
  [HC.vm_assist, [null, A('type', 'vmasst')]],
  [HC.update_va_mapping_otherdomain, [A('va', 'hex'), A('pte', 'u64'), null, A('flags', 'uvmf'), A('dom', 'dom')]],
  [HC.iret, []],
  [HC.vcpu_op, [null, A('vcpu', 'dec'), A('arg', 'ptr')]],
  [HC.mmuext_op, [A('ops', 'ptr'), A('count', 'dec'), A('done', 'ptr'), A('foreigndom', 'dom')]],
  [HC.nmi_op, [null, A('arg', 'ptr')]],
  [HC.sched_op, [null, A('arg', 'ptr')]],
  [HC.callback_op, [null, A('arg', 'ptr')]],
  [HC.event_channel_op, [null, A('arg', 'ptr')]],
  [HC.physdev_op, [null, A('arg', 'ptr')]],
  [HC.sysctl, [A('op', 'ptr')]],
]);

function argText(a: Exclude<Arg, null>, args: readonly number[], i: number): string {
  const v = args[i];
  switch (a.t) {
    case 'ptr': return `${a.n}=${v === 0 ? 'NULL' : hex(v)}`;
    case 'hex': return `${a.n}=${hex(v)}`;
    case 'dec': return `${a.n}=${s32(v)}`;
    case 'dom': return `${a.n}=${domidText(v)}`;
    case 'vmasst': return `${a.n}=${VMASST_NAMES.get(v) ?? v}`;
    case 'u64': {
      const hi = args[i + 1] >>> 0, lo = args[i] >>> 0;
      return `${a.n}=0x${hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16)}`;
    }
    case 'uvmf': {
      const type = ['NONE', 'TLB_FLUSH', 'INVLPG', '3'][v & UVMF.FLUSHTYPE_MASK];
      const scope = (v & ~UVMF.FLUSHTYPE_MASK) === UVMF.LOCAL ? 'LOCAL' : (v & ~UVMF.FLUSHTYPE_MASK) === UVMF.ALL ? 'ALL'
        : `MULTI@${hex(v & ~UVMF.FLUSHTYPE_MASK)}`;
      return `${a.n}=${type}|${scope}`;
    }
  }
}

/** "name(sub-op, arg=...)" for a hypercall or multicall entry. */
export function callText(nr: number, args: readonly number[], subop = -1): string {
  const parts: string[] = [];
  const layout = ARGS.get(nr);
  if (SUBOPS.has(nr)) {
    // The sub-op is in EBX, except for mmuext_op, whose ops sit in guest memory.
    const cmd = nr === HC.mmuext_op ? subop : args[0];
    if (cmd >= 0) {
      const name = subopName(nr, cmd) ?? `cmd ${cmd}`;
      parts.push(nr === HC.memory_op && cmd >>> MEMOP_EXTENT_SHIFT ? `${name}, from extent ${cmd >>> MEMOP_EXTENT_SHIFT}` : name);
    }
  }
  if (layout) {
    layout.forEach((a, i) => { if (a) parts.push(argText(a, args, i)); });
  } else {
    parts.push(...args.slice(0, 5).map(hex));
  }
  if (nr === HC.sched_op_compat && args[0] === SCHEDOP.shutdown) parts[parts.length - 1] = `reason=${SHUTDOWN_NAMES.get(args[1]) ?? args[1]}`;
  return `${hypercallName(nr)}(${parts.join(', ')})`;
}

const ECS = ['free', 'reserved', 'unbound', 'interdomain', 'pirq', 'virq', 'ipi'];

function gntmapText(flags: number): string {
  const names = Object.entries(GNTMAP).filter(([, bit]) => flags & bit).map(([n]) => n);
  return names.length ? names.join('|') : '0';
}

function eventText(r: TraceRecord): string {
  const [a0, a1, a2, a3] = r.args;
  switch (r.kind) {
    case TK_EVT_SEND: {
      if (s32(a0) < 0) return `send on port ${r.code}: nobody bound, dropped`;
      if (a0 === r.domid && a1 === r.code) return `send on port ${r.code} (ipi to itself)`;
      return `send on port ${r.code} -> d${a0}:${a1}`;
    }
    case TK_EVT_PENDING:
      return a0 ? `port ${r.code} pending${a1 ? ', upcall raised' : ''}` : `port ${r.code} already pending`;
    case TK_EVT_UPCALL:
      return `upcall to ${hex(a0)} (interrupted ${hex(a1)})`;
    case TK_EVT_BIND: {
      const state = ECS[a0] ?? `state ${a0}`;
      const detail = state === 'interdomain' ? ` to d${a1}:${a2}` : state === 'unbound' ? ` for ${domidText(a1)}`
        : state === 'virq' ? ` ${VIRQ_NAMES.get(a3) ?? a3}` : '';
      return `port ${r.code} bound: ${state}${detail}`;
    }
    case TK_EVT_CLOSE:
      return `port ${r.code} closed`;
    default:
      return '';
  }
}

function faultText(r: TraceRecord): string {
  const [err, cr2, eip, soft] = r.args;
  if (soft) return `${r.code === 3 ? 'INT3' : r.code === 4 ? 'INTO' : `INT 0x${r.code.toString(16)}`} to the guest, return to ${hex(eip)}`;
  const e = s32(err) < 0 ? '' : r.code === 14 ? ` error ${hex(err)} (${pfError(err)})` : ` error ${hex(err)}`;
  return `${vectorName(r.code)}${e}${r.code === 14 ? ` cr2=${hex(cr2)}` : ''} at ${hex(eip)}`;
}

function domainText(r: TraceRecord): string {
  switch (r.code) {
    case DS_CREATED: return `created (${r.args[0]} vcpu${r.args[0] === 1 ? '' : 's'})`;
    case DS_UNPAUSED: return 'unpaused';
    case DS_PAUSED: return 'paused';
    case DS_SHUTDOWN: return `shut down: ${SHUTDOWN_NAMES.get(r.args[0]) ?? `reason ${r.args[0]}`}`;
    case DS_DESTROYED: return 'destroyed';
    default: return `state change ${r.code}`;
  }
}

/** "d1v0", "d0" (domain 0's services have no vcpu), "xen" (the hypervisor itself). */
export function whoText(domid: number, vcpu: number): string {
  if (domid < 0) return 'xen';
  return vcpu < 0 ? `d${domid}` : `d${domid}v${vcpu}`;
}

/** A record as text (see TraceText). */
export function formatRecord(r: TraceRecord): TraceText {
  const out: TraceText = { who: whoText(r.domid, r.vcpu), kind: TK_NAMES[r.kind] ?? `kind ${r.kind}`, text: '', result: '', error: false };
  switch (r.kind) {
    case TK_HYPERCALL:
    case TK_MULTICALL_ENTRY:
      out.text = callText(r.code, r.args, r.subop);
      if (r.noResult) out.result = 'returns to the guest';
      else if (r.continued) out.result = 'preempted, continues';
      else {
        out.result = resultText(r.result);
        out.error = r.result < 0 && r.result >= -4095;
      }
      break;
    case TK_EVT_SEND: case TK_EVT_PENDING: case TK_EVT_UPCALL: case TK_EVT_BIND: case TK_EVT_CLOSE:
      out.text = eventText(r);
      break;
    case TK_FAULT:
      out.text = faultText(r);
      break;
    case TK_PIN: case TK_UNPIN:
      out.text = `${r.kind === TK_PIN ? 'pin' : 'unpin'} L${r.args[0]} table, mfn ${hex(r.code)}`;
      break;
    case TK_GNT_MAP: case TK_GNT_UNMAP:
      out.text = `${r.kind === TK_GNT_MAP ? 'map' : 'unmap'} grant ref ${r.code} of ${domidText(r.args[0])}: handle ${r.args[1]}, mfn ${hex(r.args[2])}, ${gntmapText(r.args[3])}`;
      break;
    case TK_DOMAIN:
      out.text = domainText(r);
      break;
    default:
      out.text = `code ${r.code} ${r.args.map(hex).join(' ')}`;
  }
  return out;
}

/** One line: "d1v0 event_channel_op(send, arg=0x1ff8) = 0". */
export function recordLine(r: TraceRecord): string {
  const t = formatRecord(r);
  return `${t.who} ${t.text}${t.result ? ` = ${t.result}` : ''}`;
}
