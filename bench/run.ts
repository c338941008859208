// `npm run bench [-- NAME... [--option value]...]`: runs every bench/*.bench.ts
// (or those whose name contains one of the NAMEs), prints each figure as it is
// measured, then one table of all of them (and, with --json FILE, writes them
// to FILE). Exit status 1 when a benchmark threw
// or reported a problem (a wrong checksum, an unexpected emulator exit); slow
// figures are never a failure.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, type Bench, type BenchContext, type Figure } from './harness';

interface Row extends Figure {
  bench: string;
}

function parseArgs(argv: readonly string[]): { names: string[]; options: Map<string, string> } {
  const names: string[] = [];
  const options = new Map<string, string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
      else if (k + 1 < argv.length && !argv[k + 1].startsWith('--')) options.set(a.slice(2), argv[++k]);
      else options.set(a.slice(2), 'true');
    } else {
      names.push(a);
    }
  }
  return { names, options };
}

function formatValue(f: Figure): string {
  if (typeof f.value === 'string') return f.value;
  const d = f.digits ?? (Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 2);
  return f.value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function printTable(rows: readonly Row[]): void {
  const cells = rows.map((r) => [r.bench, r.name, formatValue(r), r.unit ?? '', r.note ?? '']);
  const head = ['bench', 'figure', 'value', 'unit', 'how'];
  const w = head.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r.map((s, c) => (c === 2 ? s.padStart(w[c]) : c === 4 ? s : s.padEnd(w[c]))).join('  ').trimEnd();
  console.log(line(head));
  console.log(line(w.map((n) => '-'.repeat(n))));
  for (const r of cells) console.log(line(r));
}

/**
 * The benchmarks must run as real ESM (package.json "type": "module"): compiled
 * to CommonJS, every imported binding becomes a getter call, which makes hot
 * code several times slower.
 */
function checkEsm(): void {
  if (typeof require !== 'undefined' || typeof module !== 'undefined') {
    console.warn('warning: the benchmarks are running as CommonJS; figures will be far too low. Run `npm run bench` from the repository.');
  }
}

async function main(): Promise<number> {
  checkEsm();
  const { names, options } = parseArgs(process.argv.slice(2));
  const dir = join(ROOT, 'bench');
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
  const benches: Bench[] = [];
  for (const f of files) {
    try {
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: Bench };
      if (!mod.default) throw new Error('no default export (a Bench)');
      benches.push(mod.default);
    } catch (e) {
      console.error(`bench/${f} did not load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return 1;
    }
  }
  const chosen = names.length ? benches.filter((b) => names.some((n) => b.name.includes(n))) : benches;
  if (!chosen.length) {
    console.error(`no benchmark matches ${names.join(' ')}; there are: ${benches.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg()[0];
  console.log(`node ${process.version}, ${cpu.trim()}, ${cpus().length} logical CPUs, load average ${load.toFixed(1)}${load >= cpus().length * 0.5 ? ' (busy: figures will be low and noisy)' : ''}`);
  const rows: Row[] = [];
  const problems: string[] = [];
  for (const b of chosen) {
    console.log(`\n== ${b.name}: ${b.title}`);
    const ctx: BenchContext = {
      root: ROOT,
      options,
      figure(f) {
        rows.push({ ...f, bench: b.name });
        console.log(`  ${f.name}: ${formatValue(f)}${f.unit ? ' ' + f.unit : ''}${f.note ? `   (${f.note})` : ''}`);
      },
      log(line) {
        console.log(`  ${line}`);
      },
      problem(line) {
        problems.push(`${b.name}: ${line}`);
        console.log(`\n  !!! ${line}\n`);
      },
    };
    try {
      await b.run(ctx);
    } catch (e) {
      ctx.problem(`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log('');
  printTable(rows);
  const json = options.get('json');
  if (json) {
    writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu, figures: rows, problems }, null, 2) + '\n');
    console.log(`\nfigures written to ${json}`);
  }
  if (problems.length) {
    console.log('\nPROBLEMS:');
    for (const p of problems) console.log(`  ${p}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
