// The soak: `npm run difftest -- --count 200000 --seed 7` runs that many
// sequences and prints the same report as the test; `--case N` reruns one case
// of a seed and prints it in full.
import { BATCH, formatMismatch, formatReport, runDifftest } from './run.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

function str(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const only = process.argv.includes('--case') ? arg('case', 0) : undefined;
const r = runDifftest({
  count: arg('count', 100000), seed: arg('seed', 1), batch: arg('batch', BATCH), keep: arg('show', 10), only,
  includeSkipped: process.argv.includes('--all'),
  rowFilter: str('rows') ? new RegExp(str('rows')!) : undefined,
  log: (l) => process.stderr.write(`${l}\n`),
});
for (const m of r.mismatches) console.log(`${formatMismatch(m, r.seed)}\n`);
console.log(formatReport(r));
process.exitCode = r.mismatchCount ? 1 : 0;
