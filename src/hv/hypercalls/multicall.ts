// multicall (13): EBX = list of multicall_entry {op, result, args[6]} (32 bytes
// each on x86_32), ECX = count. Each entry runs through the same dispatch table
// with args[0..4] (args[5] is never passed), and its result is written back into
// the entry before the next one runs; the multicall itself returns 0 even if
// entries failed. -EFAULT when the list is not wholly below the hypervisor hole,
// or an entry cannot be read or its result written (earlier entries stay done).
// A multicall inside a multicall gives -EINVAL for that entry. An iret entry
// ends the batch: it has set the registers, and its result (the restored EAX)
// becomes the multicall's.
// Preemption, as Xen: after MULTICALL_BATCH entries, or when an entry leaves the
// vcpu unable to run on (it blocked, polled, went down, or the domain stopped),
// the multicall continues itself from the next entry. When an entry creates a
// continuation of its own (a long mmu_update, console write...), its updated
// arguments are written back into the entry and the multicall resumes at that
// same entry later, exactly as Xen does; the guest only ever sees final results.
import { E, HC } from '../../abi/xen';
import { R } from '../../shared/layout';
import { TF_CONTINUED, TF_NO_RESULT, TK_MULTICALL_ENTRY } from '../../shared/trace';
import { GuestMem } from '../guestmem';
// index.ts registers this file's handler and this file calls index.ts's dispatcher: the
// cycle is safe because the dispatcher is only looked up when a multicall runs.
import * as hypercalls from './index';
import type { HcCtx } from './types';

export const MULTICALL_BATCH = 64;
const ENTRY = 32;
const ARG_REGS = [R.EBX, R.ECX, R.EDX, R.ESI, R.EDI];

export function multicall(x: HcCtx, list: number, count: number): number | null {
  if (x.inMulticall) return -E.EINVAL;
  const v = x.v, r = v.cpu.r, g = x.g;
  const n = count >>> 0;
  if (!g.range(list, n * ENTRY)) return -E.EFAULT;
  // The multicall's own registers, which every entry's continuation test compares against.
  const eip = r[R.EIP], saved = ARG_REGS.map((k) => r[k]);
  const limit = Math.min(n, MULTICALL_BATCH);
  for (let i = 0; i < limit; i++) {
    const at = (list + i * ENTRY) | 0;
    const b = g.read(at, ENTRY);
    if (!b) return -E.EFAULT;
    const dv = new DataView(b.buffer);
    const op = dv.getUint32(0, true);
    const args = [0, 1, 2, 3, 4].map((k) => dv.getInt32(8 + k * 4, true));
    // The entry runs as if it had been called directly: its arguments in the argument registers.
    ARG_REGS.forEach((k, j) => { r[k] = args[j]!; });
    const eaxBefore = r[R.EAX];
    const sub: HcCtx = { ...x, g: new GuestMem(v.cpu), inMulticall: true };
    const res = hypercalls.callHypercall(sub, op, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!);
    x.hv.hooks.hypercall?.(x.dom, v, op, args, res);
    // The trace shows the entry as the guest wrote it, args[5] included (never passed, as in Xen).
    const a5 = dv.getInt32(8 + 5 * 4, true);
    const subop = x.hv.traceSubop;
    x.hv.traceSubop = 0;
    if (op === HC.iret && res === null) {
      x.hv.trace.write(TK_MULTICALL_ENTRY | TF_NO_RESULT | subop, x.dom.id, v.id, op, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, a5);
      // iret set every register (EAX included) from the guest's frame: the batch ends here.
      g.setU32((at + 4) | 0, r[R.EAX]);
      return null;
    }
    const preempted = r[R.EIP] !== eip;
    // A preempted entry shows its own number until it is resumed (Xen's continuation value).
    const result = preempted ? op : res ?? r[R.EAX];
    x.hv.trace.write((preempted ? TK_MULTICALL_ENTRY | TF_CONTINUED : TK_MULTICALL_ENTRY) | subop, x.dom.id, v.id, op,
      args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, a5, result);
    const newArgs = ARG_REGS.map((k) => r[k]);
    // Back to the multicall's own register state before anything else can happen.
    r[R.EIP] = eip;
    r[R.EAX] = eaxBefore;
    ARG_REGS.forEach((k, j) => { r[k] = saved[j]!; });
    g.setU32((at + 4) | 0, result);
    if (!g.ok) return -E.EFAULT;
    if (preempted) {
      // Xen's "translate the sub-call continuation": the entry gets its updated arguments
      // and the multicall restarts at it.
      for (let k = 0; k < 5; k++) g.setU32((at + 8 + k * 4) | 0, newArgs[k]!);
      if (!g.ok) return -E.EFAULT;
      return x.hv.continuation(v, at, n - i);
    }
    if (stopped(x) && i + 1 < n) return x.hv.continuation(v, (at + ENTRY) | 0, n - i - 1);
  }
  if (n > limit) return x.hv.continuation(v, (list + limit * ENTRY) | 0, n - limit);
  return 0;
}

/** The entry left this vcpu unable to go on (blocked, polling, down, domain stopped): preempt. */
function stopped(x: HcCtx): boolean {
  return x.v.state !== 'runnable' || x.dom.state !== 'running';
}
