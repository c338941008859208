// npm run xl [-- [--ram MiB] [--config FILE]... [COMMAND...]]
// A Domain-0 shell on a headless machine (docs/xl.md). Without a command: a
// REPL on stdin/stdout ("xl list", "xenstore-ls -p", "help"...; "exit" or end
// of input leaves) while the machine runs, paced against the wall clock.
// With a command (an xl subcommand, e.g. `npm run xl -- list`, or a full line,
// e.g. `npm run xl -- xenstore-ls /local`): run it on a fresh machine and exit
// with its status -- except `create`, after which the REPL starts so the new
// domain has a machine to run on. --config FILE creates a domain from an xl
// config file first (repeatable). Paths in configs are relative to the current
// directory. `xl console <dom>` (and `xl create -c`) connects the terminal to
// the guest's console until Ctrl-]; Ctrl-C stops xenstore-watch and xl
// shutdown -w. Exit status: the last command's, or 1 for bad arguments.
import { readFileSync } from 'node:fs';
import { Machine } from '../src/machine/machine';
import { XlShell, type Follow, type XlResult } from '../src/dom0/xl/shell';
import { xenstoredClient } from '../src/dom0/toolstack/xsclient';
import { NS_PER_INSN } from '../src/hv/time';

// Our own options come first; everything from the first other word on is the command.
const argv = process.argv.slice(2);
const values = { ram: '128', config: [] as string[], help: false };
while (argv.length > 0 && argv[0]!.startsWith('--')) {
  const opt = argv.shift()!;
  if (opt === '--help') values.help = true;
  else if (opt === '--ram' && argv.length > 0) values.ram = argv.shift()!;
  else if (opt === '--config' && argv.length > 0) values.config.push(argv.shift()!);
  else if (opt === '--') break;
  else {
    process.stderr.write(`xl: unknown option ${opt}\n`);
    process.exit(1);
  }
}
const positionals = argv;
if (values.help) {
  process.stdout.write('usage: npm run xl -- [--ram MiB] [--config FILE]... [xl-subcommand args... | command line]\n');
  process.exit(0);
}
const ram = Number(values.ram);
if (!Number.isInteger(ram) || ram < 4) {
  process.stderr.write(`xl: --ram wants a whole number of MiB >= 4, not '${String(values.ram)}'\n`);
  process.exit(1);
}

let attached: number | null = null;
const machine = new Machine({ ramMiB: ram, maxVcpus: 32 }, {
  guestConsole: (domid, bytes) => { if (domid === attached) process.stdout.write(bytes); },
});
const shell = new XlShell({
  hv: machine.hv, toolstack: machine.toolstack, store: xenstoredClient(machine.xs), dmesg: machine.dmesg,
  readFile: (p) => { try { return readFileSync(p); } catch { return undefined; } },
});

const tty = process.stdin.isTTY === true;
const PROMPT = 'root@pvplay:~# ';
let follow: Follow | null = null;
let status = 0;
const queue: string[] = [];
let inputEnded = false;
let partial = '';

function show(r: XlResult): void {
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  status = r.status;
  if (r.follow) follow = r.follow;
  if (r.attach !== undefined) attach(r.attach);
}

function attach(domid: number): void {
  attached = domid;
  if (tty) process.stdin.setRawMode(true);
  process.stderr.write(`(attached to the console of domain ${domid}; Ctrl-] detaches)\n`);
}

function detach(): void {
  attached = null;
  if (tty) process.stdin.setRawMode(false);
  process.stdout.write('\n');
  prompt();
}

function prompt(): void {
  if (tty && attached === null && follow === null) process.stdout.write(PROMPT);
}

function busy(): boolean {
  return attached !== null || follow !== null;
}

/** Take queued command lines while nothing is in the foreground. */
function drain(): void {
  while (!busy() && queue.length > 0) {
    const line = queue.shift()!.trim();
    if (line === 'exit' || line === 'quit') {
      queue.length = 0;
      finish(status);
      return;
    }
    show(shell.exec(line.startsWith('xl') || line.startsWith('xenstore-') || line === 'help' || line === '' ? line : `xl ${line}`));
    if (!busy()) prompt();
  }
  if (!busy() && queue.length === 0 && inputEnded) finish(status);
}

process.stdin.on('data', (chunk: Buffer) => {
  if (attached !== null) {
    const at = chunk.indexOf(0x1d);
    const bytes = at >= 0 ? chunk.subarray(0, at) : chunk;
    if (bytes.length) machine.consoles.type(attached, tty ? bytes.map((b) => (b === 0x0d ? 0x0a : b)) : bytes);
    if (at >= 0) {
      detach();
      // Anything after Ctrl-] is shell input again.
      partial += chunk.subarray(at + 1).toString('latin1');
    }
    return;
  }
  partial += chunk.toString('latin1');
  const lines = partial.split('\n');
  partial = lines.pop() ?? '';
  queue.push(...lines);
  drain();
});
process.stdin.on('end', () => {
  if (partial) queue.push(partial);
  partial = '';
  inputEnded = true;
  drain();
});
process.on('SIGINT', () => {
  if (follow) {
    follow.stop();
    follow = null;
    process.stdout.write('\n');
    prompt();
  } else {
    finish(130);
  }
});

function finish(code: number): void {
  if (tty && attached !== null) process.stdin.setRawMode(false);
  process.stdout.write('', () => process.exit(code));
}

// Run the machine in slices between commands, as tools/boot.ts does.
const started = performance.now();
const startNs = machine.hv.time.now;
function step(): void {
  machine.hv.timeLimit = startNs + (performance.now() - started) * 1e6;
  const outcome = machine.run(2_000_000);
  if (follow) {
    const text = follow.poll();
    if (text === null) {
      follow = null;
      prompt();
      drain();
    } else {
      process.stdout.write(text);
    }
  }
  if (outcome === 'budget') setImmediate(step);
  else setTimeout(step, outcome === 'waiting' ? Math.max(1, Math.min(50, (machine.hv.time.now - machine.hv.timeLimit) / 1e6 / NS_PER_INSN)) : 10);
}

for (const file of values.config) {
  const r = shell.exec(`xl create ${JSON.stringify(file)}`);
  show(r);
  if (r.status !== 0) process.exit(r.status);
}
if (positionals.length > 0) {
  const words = positionals.map((w) => (/[\s"'\\]/.test(w) ? JSON.stringify(w) : w)).join(' ');
  const first = positionals[0]!;
  const line = first.startsWith('xl') || first.startsWith('xenstore-') || first === 'help' ? words : `xl ${words}`;
  const r = shell.exec(line);
  show(r);
  const keepRunning = /^xl create\b/.test(line) && r.status === 0;
  if (!keepRunning && !busy()) process.exit(r.status);
}
prompt();
step();
