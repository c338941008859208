// pvos, the teaching guest (guests/kernel, guests/user), as a user meets it:
//   boot to the shell prompt   guest instructions and virtual ms from the start of
//                              the domain to "$ " on hvc0 (exact, the same every
//                              run), and wall ms (the median of --boots runs after
//                              a warm-up boot)
//   fork costs                 hypercalls for fork + exit + wait and for fork +
//                              exec + exit + wait, with lazy MMU batching on and
//                              off, as the shell's fork command counts them (the
//                              guest counts each call into the hypercall page; a
//                              multicall counts once)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../src/machine/machine';
import { makeGuests, median, now, numOption, ROOT, type Bench, type BenchContext } from './harness';

const PROMPT = '\n$ ';

interface Booted {
  m: Machine;
  domid: number;
  text: () => string;
  /** Wall ms, guest instructions and virtual ns until the first prompt. */
  ms: number;
  insns: number;
  ns: number;
}

function boot(ctx: BenchContext, kernel: Uint8Array): Booted | null {
  let out = '';
  const dec = new TextDecoder();
  const m = new Machine({ ramMiB: 48, maxVcpus: 1 }, {
    guestConsole: (_d, b) => { out += dec.decode(b).replace(/\r/g, ''); },
    shutdown: (dom) => ctx.problem(`pvos shut down: ${dom.crashReason || `reason ${dom.shutdownReason}`}`),
  });
  const t0 = now();
  const startNs = m.hv.time.now;
  const domid = m.createGuest({ name: 'pvos', kernel, memMiB: 32 }).dom.id;
  for (let k = 0; k < 1000 && !out.includes(PROMPT); k++) {
    if (m.run(200_000) === 'stopped') break;
  }
  const ms = now() - t0;
  if (!out.includes(PROMPT)) {
    ctx.problem(`pvos did not reach its prompt:\n${out}`);
    return null;
  }
  return { m, domid, text: () => out, ms, insns: m.executed, ns: m.hv.time.now - startNs };
}

/** Type a line and return what the guest printed before its next prompt. */
function command(b: Booted, line: string): string {
  const start = b.text().length;
  b.m.consoles.type(b.domid, new TextEncoder().encode(line + '\n'));
  for (let k = 0; k < 2000 && b.text().indexOf(PROMPT, start) < 0; k++) {
    if (b.m.run(1_000_000) === 'stopped') break;
  }
  return b.text().slice(start);
}

export default {
  name: 'pvos',
  title: 'the teaching guest: boot to the shell prompt (instructions, wall ms) and the hypercalls fork and exec cost, with and without lazy MMU batching',
  run(ctx: BenchContext): void {
    const err = makeGuests(['pvos']);
    if (err) {
      ctx.log(err.split('\n').join('\n  '));
      ctx.figure({ name: 'boot to prompt', value: 'skipped', note: 'pvos could not be built (see above)' });
      return;
    }
    const kernel = readFileSync(join(ROOT, 'guests/build/kernel/pvos.elf'));
    const runs = Math.round(numOption(ctx, 'boots', 5));
    boot(ctx, kernel); // warm up V8 and the code cache
    const boots: Booted[] = [];
    for (let k = 0; k < runs; k++) {
      const b = boot(ctx, kernel);
      if (b) boots.push(b);
    }
    if (!boots.length) return;
    const b = boots[0]!;
    if (boots.some((x) => x.insns !== b.insns)) ctx.problem('boots to the prompt took different instruction counts');
    ctx.figure({ name: 'boot to prompt', value: b.insns, unit: 'guest insns', note: `start of the domain to "$ " on hvc0; ${(b.ns / 1e6).toFixed(2)} ms of virtual time` });
    ctx.figure({ name: 'boot to prompt, wall', value: median(boots.map((x) => x.ms)), unit: 'ms', digits: 1, note: `median of ${runs} boots after a warm-up (${boots.map((x) => x.ms.toFixed(0)).join(', ')})` });

    const costs = new Map<string, number>();
    for (const mode of ['on', 'off']) {
      command(b, `lazy ${mode}`);
      const out = command(b, 'fork');
      const plain = /fork\+exit\+wait took (\d+) hypercalls/.exec(out);
      const exec = /fork\+exec true\+exit\+wait took (\d+) hypercalls/.exec(out);
      if (!plain || !exec) {
        ctx.problem(`the fork command printed something unexpected:\n${out}`);
        return;
      }
      costs.set(`fork ${mode}`, Number(plain[1]));
      costs.set(`exec ${mode}`, Number(exec[1]));
    }
    ctx.figure({ name: 'fork+exit+wait, lazy on', value: costs.get('fork on')!, unit: 'hypercalls', digits: 0, note: 'page-table updates, pin, unpin, switches batched into multicalls' });
    ctx.figure({ name: 'fork+exit+wait, lazy off', value: costs.get('fork off')!, unit: 'hypercalls', digits: 0, note: 'one hypercall per update' });
    ctx.figure({ name: 'fork+exec+exit+wait, lazy on', value: costs.get('exec on')!, unit: 'hypercalls', digits: 0, note: 'the child execs `true`, a program that exits at once' });
    ctx.figure({ name: 'fork+exec+exit+wait, lazy off', value: costs.get('exec off')!, unit: 'hypercalls', digits: 0, note: `${(costs.get('exec off')! / costs.get('exec on')!).toFixed(1)}x the batched count` });
  },
} satisfies Bench;
