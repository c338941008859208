// npm run boot -- <kernel> [--mem MiB] [--vcpus N] [--cmdline STR] [--ramdisk FILE]
//                          [--max-instructions N] [--trace]
// Boots a Xen PV kernel headless. The guest's console (console_io lines, shown
// as Xen's console shows them, "(d1) " first; and its PV console ring, as is)
// goes to stdout as it is written; stdin goes to its console
// input (a terminal is put in raw mode: Ctrl-] quits). The hypercall trace goes
// to stderr with --trace. Exit status: 0 poweroff, 2 crash, 3 reboot,
// 4 out of instructions, 5 another shutdown reason (suspend, watchdog...),
// 6 every vcpu waits for input that will never come, 1 bad arguments or image.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Machine } from '../src/machine/machine';
import { SHUTDOWN } from '../src/abi/xen';
import { HYPERCALL_NAMES } from '../src/hv/hypercalls/index';
import { NS_PER_INSN } from '../src/hv/time';

export const EXIT = { poweroff: 0, usage: 1, crash: 2, reboot: 3, instructions: 4, other: 5, stuck: 6 } as const;

function fail(msg: string): never {
  process.stderr.write(`boot: ${msg}\n`);
  process.exit(EXIT.usage);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mem: { type: 'string', default: '32' },
    vcpus: { type: 'string', default: '1' },
    cmdline: { type: 'string', default: '' },
    ramdisk: { type: 'string' },
    'max-instructions': { type: 'string' },
    trace: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help || positionals.length !== 1) {
  process.stdout.write('usage: npm run boot -- <kernel> [--mem MiB] [--vcpus N] [--cmdline STR] [--ramdisk FILE] [--max-instructions N] [--trace]\n');
  process.exit(values.help ? 0 : EXIT.usage);
}
const num = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`--${name} wants a whole number >= ${min}, not '${v}'`);
  return n;
};
const memMiB = num('mem', values.mem, 1);
const vcpus = num('vcpus', values.vcpus, 1);
const maxInsns = values['max-instructions'] !== undefined ? num('max-instructions', values['max-instructions'], 1) : Infinity;
let kernel: Uint8Array, ramdisk: Uint8Array | undefined;
try {
  kernel = readFileSync(positionals[0]);
  if (values.ramdisk) ramdisk = readFileSync(values.ramdisk);
} catch (e) {
  fail((e as Error).message);
}

// The hypervisor console shows a guest's console_io output the way Xen's does:
// each line prefixed "(dN) ". Its own messages (domid -1) already carry "(XEN) ".
const atLineStart = new Map<number, boolean>();
function hvConsole(domid: number, bytes: Uint8Array): void {
  if (domid < 0) {
    process.stdout.write(bytes);
    return;
  }
  const prefix = Buffer.from(`(d${domid}) `);
  const parts: Uint8Array[] = [];
  let start = 0, fresh = atLineStart.get(domid) ?? true;
  for (let k = 0; k < bytes.length; k++) {
    if (fresh) { parts.push(prefix); fresh = false; }
    if (bytes[k] === 0x0a) {
      parts.push(bytes.subarray(start, k + 1));
      start = k + 1;
      fresh = true;
    }
  }
  if (start < bytes.length) parts.push(bytes.subarray(start));
  atLineStart.set(domid, fresh);
  process.stdout.write(Buffer.concat(parts));
}

let exitCode: number | null = null;
const machine = new Machine({ ramMiB: memMiB + 16, maxVcpus: vcpus }, {
  hvConsole,
  guestConsole: (_d, bytes) => process.stdout.write(bytes),
  shutdown: (dom) => {
    const reason = dom.shutdownReason;
    const name = Object.entries(SHUTDOWN).find(([, v]) => v === reason)?.[0] ?? `reason ${reason}`;
    process.stderr.write(`boot: domain ${dom.id} (${dom.name}) shut down: ${name}${dom.crashReason ? `: ${dom.crashReason}` : ''}\n`);
    exitCode = reason === SHUTDOWN.poweroff ? EXIT.poweroff : reason === SHUTDOWN.crash ? EXIT.crash
      : reason === SHUTDOWN.reboot ? EXIT.reboot : EXIT.other;
  },
});
if (values.trace) {
  machine.hv.hooks.hypercall = (dom, v, nr, args, ret) => {
    const name = HYPERCALL_NAMES[nr] ?? `hypercall_${nr}`;
    const res = ret === null ? '(returns to the guest)' : ret < 0 ? `${ret}` : `0x${(ret >>> 0).toString(16)}`;
    process.stderr.write(`d${dom.id}v${v.id} @${v.cpu.instructions} ${name}(${args.map((a) => '0x' + (a >>> 0).toString(16)).join(', ')}) = ${res}\n`);
  };
}

let domid = 0;
try {
  const built = machine.createGuest({ name: positionals[0].split('/').pop() ?? 'guest', kernel, memMiB, vcpus, cmdline: values.cmdline, ramdisk });
  domid = built.dom.id;
} catch (e) {
  fail(`${positionals[0]}: ${(e as Error).message}`);
}

// Console input.
let stdinEnded = false;
const tty = process.stdin.isTTY === true;
if (tty) process.stdin.setRawMode(true);
process.stdin.on('data', (chunk: Buffer) => {
  if (tty && chunk.includes(0x1d)) finish(EXIT.poweroff, 'boot: detached (Ctrl-])');
  machine.consoles.type(domid, tty ? chunk.map((b) => (b === 0x0d ? 0x0a : b)) : chunk);
});
process.stdin.on('end', () => { stdinEnded = true; });

function finish(code: number, message?: string): void {
  if (message) process.stderr.write(`${message}\n`);
  if (tty) process.stdin.setRawMode(false);
  process.stdout.write('', () => process.exit(code));
}

// Run in slices, yielding to the event loop so output flushes and input arrives.
// Idle time skips are paced against the wall clock, so a waiting guest sleeps.
const started = performance.now();
const startNs = machine.hv.time.now;
const SLICE = 2_000_000;
function step(): void {
  machine.hv.timeLimit = startNs + (performance.now() - started) * 1e6;
  const left = maxInsns - machine.executed;
  if (exitCode !== null) return finish(exitCode);
  if (left <= 0) return finish(EXIT.instructions, `boot: ran out of instructions (${maxInsns})`);
  const outcome = machine.run(Math.min(SLICE, left));
  if (exitCode !== null) return finish(exitCode);
  if (outcome === 'stopped') return finish(EXIT.other, 'boot: no domain can run');
  if (outcome === 'idle' && stdinEnded && !machine.consoles.pendingInput) {
    return finish(EXIT.stuck, 'boot: every vcpu waits for input and there is none left');
  }
  // 'break' needs a breakpoint, which the CLI never sets; it would just go on.
  if (outcome === 'budget' || outcome === 'break') setImmediate(step);
  else setTimeout(step, outcome === 'waiting' ? Math.max(1, Math.min(50, (machine.hv.time.now - machine.hv.timeLimit) / 1e6 / NS_PER_INSN)) : 10);
}
step();
