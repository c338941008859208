// Booting the PV test kernels (guests/tests/*.c, built by the tests) with the
// trace ring drained as the machine runs, for the trace and breakpoint tests.
import { TraceReader, type TraceRecord } from '../shared/trace';
import { Machine } from './machine';

export interface TracedBoot {
  m: Machine;
  reader: TraceReader;
  console: string;
  /** SHUTDOWN_* once the guest shut down, else null. */
  reason: number | null;
}

/** A machine with guest `name` (domain 1) created and a reader at the start of the ring. */
export function tracedBoot(name: string, kernel: Uint8Array, vcpus = 1): TracedBoot {
  const t: TracedBoot = { m: null as unknown as Machine, reader: null as unknown as TraceReader, console: '', reason: null };
  const dec = new TextDecoder();
  t.m = new Machine({ ramMiB: 48, maxVcpus: vcpus }, {
    hvConsole: (_d, b) => { t.console += dec.decode(b); },
    guestConsole: (_d, b) => { t.console += dec.decode(b); },
    shutdown: (dom) => { t.reason = dom.shutdownReason; },
  });
  t.reader = new TraceReader(t.m.mem.buffer, t.m.mem.layout.traceOffset);
  // Named as the pvtests name them: some kernels check their name in xenstore.
  t.m.createGuest({ name: `${name}.elf`, kernel, memMiB: 32, vcpus });
  return t;
}

/**
 * Run until the guest shuts down (or `maxInstructions`), draining the ring after
 * every slice, small enough that nothing is lost. Returns every record.
 */
export function runTraced(t: TracedBoot, maxInstructions = 50_000_000, slice = 20_000): TraceRecord[] {
  const out: TraceRecord[] = [];
  while (t.reason === null && t.m.executed < maxInstructions) {
    const o = t.m.run(slice);
    out.push(...t.reader.read());
    if (o === 'idle' || o === 'stopped') break;
  }
  out.push(...t.reader.read());
  if (t.reader.lost !== 0) throw new Error(`${t.reader.lost} trace records lost: drain more often`);
  return out;
}
