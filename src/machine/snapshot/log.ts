// The input log (DESIGN.md principle 2): every outside input a Machine takes --
// an image loaded, a guest created, keystrokes, a Domain-0 command -- goes
// through Machine.input(), which stamps it with where the machine stood:
//
//   at       instructions retired so far (Machine.executed)
//   time     virtual time (hv.time.now), which an embedder pacing idle time
//            against the wall clock may have moved past the time `at` alone gives
//   settled  the last run() ended with every vcpu waiting (its services done),
//            rather than on its instruction budget
//   brk      the last run() stopped on a breakpoint: which trace record (breaks.ts)
//
// and then applies it and runs a service point, so the guest sees it at once.
// Replaying the entries in order at their stamps (replay.ts) gives the same
// machine, bit for bit. Inputs that failed (a destroy of a missing domain) are
// logged too: they fail the same way when replayed.
import type { BuiltDomain } from '../builder';
import type { BreakMark } from './breaks';
import type { Machine } from '../machine';
import { defaultConfig } from '../../dom0/toolstack/config';
import { splitWords, type XlResult } from '../../dom0/xl/shell';
import { evtchnPoke, type EvtchnPoke } from '../evtchnpoke';

export type Input =
  /** Make an image (already in machine.images) readable by `xl create` under `path`. */
  | { kind: 'file'; path: string; image: string }
  /** Machine.createGuest: build and start a guest from images by id (kept after shutdown). */
  | { kind: 'guest'; name: string; kernel: string; ramdisk?: string; memMiB: number; vcpus: number; cmdline: string; domid?: number }
  /** Keystrokes for a guest's console. */
  | { kind: 'console'; domid: number; data: Uint8Array }
  /** A Domain-0 shell command line that changes something (xl create/destroy/..., xenstore-write...). */
  | { kind: 'xl'; line: string }
  | { kind: 'destroy' | 'pause' | 'unpause'; domid: number }
  | { kind: 'shutdown'; domid: number; reboot: boolean }
  /** An event-channel poke from the UI (evtchnpoke.ts). */
  | { kind: 'evtchn'; domid: number; port: number; op: EvtchnPoke };

export interface Stamp {
  at: number;
  time: number;
  settled: boolean;
  brk?: BreakMark;
}

export type LogEntry = Input & Stamp;

/** xl and xenstore commands that change nothing, so need not be logged. */
const READ_ONLY_XL = new Set(['list', 'li', 'vcpu-list', 'info', 'help', '-h', 'console']);
const READ_ONLY_CMDS = new Set(['help', 'xenstore-ls', 'xenstore-read', 'xenstore-watch']);

/** Does this Domain-0 command line change the machine (so it must go into the log)? */
export function xlChangesState(line: string): boolean {
  const words = splitWords(line.trim());
  if (words.length === 0) return false;
  const [cmd, sub, ...rest] = words;
  if (cmd === 'xl') {
    if (sub === undefined || READ_ONLY_XL.has(sub)) return false;
    if (sub === 'dmesg') return rest.some((a) => /^-[a-zA-Z]*c/.test(a));
    return true;
  }
  if (READ_ONLY_CMDS.has(cmd)) return false;
  return cmd.startsWith('xenstore-');
}

/** Apply one input to a machine (Machine.input stamps and logs it first). */
export function applyInput(m: Machine, e: Input): BuiltDomain | XlResult | undefined {
  switch (e.kind) {
    case 'file':
      if (!m.images.get(e.image)) throw new Error(`no image ${e.image}`);
      m.images.files.set(e.path, e.image);
      return undefined;
    case 'guest': {
      const kernel = m.images.get(e.kernel)?.bytes;
      const ramdisk = e.ramdisk === undefined ? undefined : m.images.get(e.ramdisk)?.bytes;
      if (!kernel || (e.ramdisk !== undefined && !ramdisk)) throw new Error(`guest ${e.name}: an image is missing`);
      let built: BuiltDomain | undefined;
      const dc = {
        ...defaultConfig(e.name, e.name), cmdline: e.cmdline, memory: e.memMiB, maxmem: e.memMiB,
        vcpus: e.vcpus, maxvcpus: e.vcpus, onPoweroff: 'preserve', onReboot: 'preserve', onCrash: 'preserve',
      } as const;
      m.toolstack.create(dc, ramdisk ? { kernel, ramdisk } : { kernel }, {
        domid: e.domid, build: (req) => (built = m.build(req)),
      });
      return built;
    }
    case 'console':
      m.consoles.type(e.domid, e.data);
      return undefined;
    case 'xl':
      return m.shell.exec(e.line);
    case 'destroy':
      m.toolstack.destroy(e.domid);
      return undefined;
    case 'pause':
      m.toolstack.pause(e.domid);
      return undefined;
    case 'unpause':
      m.toolstack.unpause(e.domid);
      return undefined;
    case 'shutdown':
      m.toolstack.requestShutdown(e.domid, e.reboot ? 'reboot' : 'poweroff');
      return undefined;
    case 'evtchn':
      evtchnPoke(m, e.domid, e.port, e.op);
      return undefined;
    default: {
      const never: never = e;
      throw new Error(`unknown input ${String((never as { kind: unknown }).kind)}`);
    }
  }
}
