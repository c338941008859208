// A trace record as the trace view shows it: what happened, its details, and the result.
import {
  DS_CREATED, DS_DESTROYED, DS_PAUSED, DS_SHUTDOWN, DS_UNPAUSED, TK_DOMAIN, TK_EVT_BIND, TK_EVT_CLOSE,
  TK_EVT_PENDING, TK_EVT_SEND, TK_EVT_UPCALL, TK_FAULT, TK_GNT_MAP, TK_GNT_UNMAP, TK_HYPERCALL,
  TK_MULTICALL_ENTRY, TK_NAMES, TK_PIN, TK_UNPIN, type TraceRecord,
} from '../../../shared/trace';
import { hypercallName, resultText } from './names';

export interface TraceText {
  /** The hypercall's name, or the kind of event. */
  what: string;
  detail: string;
  /** Empty when the record has no result. */
  result: string;
}

const h = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const DS_NAMES: Readonly<Record<number, string>> = {
  [DS_CREATED]: 'created', [DS_UNPAUSED]: 'unpaused', [DS_PAUSED]: 'paused', [DS_SHUTDOWN]: 'shut down',
  [DS_DESTROYED]: 'destroyed',
};
const ECS_NAMES = ['free', 'reserved', 'unbound', 'interdomain', 'pirq', 'virq', 'ipi'];

export function formatRecord(r: TraceRecord): TraceText {
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0] = r.args;
  switch (r.kind) {
    case TK_HYPERCALL:
    case TK_MULTICALL_ENTRY:
      return {
        what: r.kind === TK_MULTICALL_ENTRY ? `↳ ${hypercallName(r.code)}` : hypercallName(r.code),
        detail: r.args.slice(0, 4).map(h).join(', '),
        result: r.noResult ? '' : resultText(r.result),
      };
    case TK_EVT_SEND:
      return { what: 'evtchn send', detail: `port ${r.code} → ${(a0 | 0) < 0 ? 'nobody' : `d${a0}:${a1}`}`, result: '' };
    case TK_EVT_PENDING:
      return {
        what: 'evtchn pending',
        detail: `port ${r.code}${a0 ? ' set pending' : ' already pending'}${a1 ? ', upcall raised' : ''}`,
        result: '',
      };
    case TK_EVT_UPCALL:
      return { what: 'event upcall', detail: `callback at ${h(a0)}`, result: '' };
    case TK_EVT_BIND:
      return { what: 'evtchn bind', detail: `port ${r.code} ${ECS_NAMES[a0] ?? a0}${a0 === 3 ? ` d${a1}:${a2}` : ''}`, result: '' };
    case TK_EVT_CLOSE:
      return { what: 'evtchn close', detail: `port ${r.code}`, result: '' };
    case TK_FAULT:
      return { what: 'fault', detail: `vector ${r.code} error ${h(a0)}${r.code === 14 ? ` cr2 ${h(a1)}` : ''} eip ${h(a2)}`, result: '' };
    case TK_PIN:
    case TK_UNPIN:
      return { what: TK_NAMES[r.kind]!, detail: `mfn ${h(r.code)} L${a0}`, result: '' };
    case TK_GNT_MAP:
    case TK_GNT_UNMAP:
      return { what: TK_NAMES[r.kind]!, detail: `ref ${r.code} of d${a0} handle ${a1} mfn ${h(a2)} flags ${h(a3)}`, result: '' };
    case TK_DOMAIN:
      return { what: 'domain', detail: DS_NAMES[r.code] ?? `state ${r.code}`, result: '' };
    default:
      return { what: `kind ${r.kind}`, detail: r.args.map(h).join(', '), result: '' };
  }
}

/** One line of text for the record, for the text filter. */
export function recordLine(r: TraceRecord): string {
  const t = formatRecord(r);
  return `d${r.domid} v${r.vcpu} ${t.what} ${t.detail} ${t.result}`;
}
