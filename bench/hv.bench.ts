// Hypervisor costs, each in microseconds and in guest-instruction equivalents
// (how many instructions of ordinary guest code would run in the same time):
//   null hypercall       xen_version through the hypercall page
//   event-channel RTT    a send from one domain to another and the answer back,
//                        both sleeping in SCHEDOP_block between events
//   pin + unpin          MMUEXT_PIN_L3_TABLE then MMUEXT_UNPIN_TABLE of a fresh
//                        address space (an L3, an L2 and an L1 mapping 512 pages)
// The kernels (guests/bench/hv/*.c) print marker lines; the wall clock and the
// machine's instruction count are read as each marker is written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../src/machine/machine';
import { makeGuests, now, numOption, ROOT, type Bench, type BenchContext } from './harness';

interface Mark { ms: number; insns: number }

function boot(ctx: BenchContext, guests: { file: string; cmdline: string }[]): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  let m: Machine | null = null;
  let line = '';
  const dead: string[] = [];
  m = new Machine({ ramMiB: 64 }, {
    hvConsole: (_d, bytes) => {
      line += Buffer.from(bytes).toString('latin1');
      let nl: number;
      while ((nl = line.indexOf('\n')) >= 0) {
        const text = line.slice(0, nl);
        line = line.slice(nl + 1);
        const match = /^BENCH (\S+) /.exec(text);
        if (match && m) marks.set(match[1], { ms: now(), insns: m.executed });
        if (text.startsWith('FAILED')) ctx.problem(text);
      }
    },
    shutdown: (dom) => { if (dom.shutdownReason !== 0) dead.push(`${dom.name}: ${dom.crashReason || `shutdown ${dom.shutdownReason}`}`); },
  });
  for (const [i, g] of guests.entries()) {
    // Domain names are unique (the toolstack refuses a second "evtchn.elf").
    m.createGuest({ name: guests.length > 1 ? `${g.file}-${i + 1}` : g.file, kernel: readFileSync(join(ROOT, 'guests/build/bench/hv', g.file)), memMiB: 8, cmdline: g.cmdline });
  }
  for (let k = 0; k < 10_000 && m.run(10_000_000) === 'budget'; k++) { /* until every domain has shut down */ }
  for (const d of dead) ctx.problem(d);
  return marks;
}

function span(marks: Map<string, Mark>, what: string): Mark | null {
  const a = marks.get(`${what}-start`), b = marks.get(`${what}-end`);
  return a && b ? { ms: b.ms - a.ms, insns: b.insns - a.insns } : null;
}

export default {
  name: 'hv',
  title: 'hypervisor costs: null hypercall, event-channel round trip, pin + unpin (µs and guest-instruction equivalents)',
  run(ctx: BenchContext): void {
    const err = makeGuests(['build/bench/hv/hcall.elf', 'build/bench/hv/pin.elf', 'build/bench/hv/evtchn.elf']);
    if (err) {
      ctx.log(err.split('\n').join('\n  '));
      ctx.figure({ name: 'null hypercall', value: 'skipped', note: 'the benchmark kernels could not be built (see above)' });
      return;
    }
    const n = Math.round(numOption(ctx, 'hypercalls', 200_000));
    // Warm up the code cache and V8 once, then measure.
    boot(ctx, [{ file: 'hcall.elf', cmdline: `n=${Math.min(n, 20_000)}` }]);
    const h = boot(ctx, [{ file: 'hcall.elf', cmdline: `n=${n}` }]);
    const base = span(h, 'base'), call = span(h, 'hcall');
    if (!base || !call) { ctx.problem('the hypercall kernel did not print its markers'); return; }
    // Ordinary guest code's speed in this run: the baseline loop.
    const usPerInsn = (base.ms * 1000) / base.insns;
    const perCall = ((call.ms - base.ms) * 1000) / n;
    const insnsPerCall = (call.insns - base.insns) / n;
    ctx.log(`guest code in this run: ${(1 / usPerInsn).toFixed(1)} MIPS (the baseline loop)`);
    ctx.figure({ name: 'null hypercall', value: perCall.toFixed(3), unit: 'µs', note: `${Math.round(perCall / usPerInsn)} guest-instruction equivalents; ${insnsPerCall.toFixed(1)} guest instructions each (call, stub, int $0x82, ret); ${n} calls` });

    const pins = Math.round(numOption(ctx, 'pins', 5_000));
    boot(ctx, [{ file: 'pin.elf', cmdline: 'n=200' }]);
    const p = span(boot(ctx, [{ file: 'pin.elf', cmdline: `n=${pins}` }]), 'pin');
    if (p) {
      const us = (p.ms * 1000) / pins;
      ctx.figure({ name: 'pin + unpin', value: us.toFixed(2), unit: 'µs', note: `${Math.round(us / usPerInsn)} guest-instruction equivalents; a fresh L3 + L2 + L1 mapping 512 pages, ${pins} times` });
    } else ctx.problem('the pin kernel did not print its markers');

    const trips = Math.round(numOption(ctx, 'round-trips', 20_000));
    const pair = (k: number) => [
      { file: 'evtchn.elf', cmdline: `ping=1 peer=2 n=${k}` },
      { file: 'evtchn.elf', cmdline: `peer=1 port=3 n=${k}` },
    ];
    boot(ctx, pair(1000));
    const e = span(boot(ctx, pair(trips)), 'rtt');
    if (e) {
      const us = (e.ms * 1000) / trips;
      ctx.figure({ name: 'event-channel round trip', value: us.toFixed(2), unit: 'µs', note: `${Math.round(us / usPerInsn)} guest-instruction equivalents; domain 1 -> 2 -> 1 with SCHEDOP_block, ${(e.insns / trips).toFixed(0)} guest instructions per trip; ${trips} trips` });
    } else ctx.problem('the event-channel kernels did not print their markers (are event channels between domains working?)');
  },
} satisfies Bench;
