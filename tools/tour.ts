// npm run tour [-- --check]
// Gathers the /*T:nnn ... :*/ narratives of the teaching guest (guests/kernel,
// guests/user) into docs/tour.md, in tag order: the guided tour of every point
// where pvos crosses into the hypervisor. --check writes nothing and exits 1
// when docs/tour.md is stale or the tags have problems.
//
// Tag rules (checked by tour.test.ts): a tag number is defined once; every
// "T:nnn" mentioned in the sources, in docs/tour.md or in a lesson names a
// defined tag; every defined tag appears in docs/tour.md. A mention that
// breaks either rule is an orphan.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE_DIRS = ['guests/kernel', 'guests/user'];
export const LESSON_DIRS = ['src/ui/lessons', 'docs/lessons'];
export const TOUR_PATH = 'docs/tour.md';

export interface SourceFile {
  path: string;
  text: string;
}

export interface Tag {
  num: string;
  title: string;
  body: string;
  path: string;
  line: number;
}

const DEF = /\/\*T:(\d{3})\s+([^\n]*)\n([\s\S]*?):\*\//g;
const REF = /\bT:(\d{3})\b/g;

/** Every tag defined in these files, in file order. */
export function findTags(files: SourceFile[]): Tag[] {
  const tags: Tag[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(DEF)) {
      const body = m[3].split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join('\n').trim();
      tags.push({ num: m[1], title: m[2].trim(), body, path: f.path, line: f.text.slice(0, m.index).split('\n').length });
    }
  }
  return tags;
}

/** Tag numbers mentioned in text, outside their own definitions' openings. */
export function findRefs(text: string): string[] {
  const defs = new Set([...text.matchAll(DEF)].map((m) => m.index! + 2));
  return [...text.matchAll(REF)].filter((m) => !defs.has(m.index!)).map((m) => m[1]);
}

/** The tour document for these tags. */
export function renderTour(tags: Tag[]): string {
  const sorted = [...tags].sort((a, b) => a.num.localeCompare(b.num));
  const out = [
    '<!-- GENERATED FILE: do not edit. Made by `npm run tour` (tools/tour.ts) from the T:nnn comments in guests/kernel and guests/user. -->',
    '# A tour of pvos: where a PV kernel meets the hypervisor',
    '',
    'pvos (`guests/kernel`, `guests/user`) is the teaching guest. Every place where it crosses',
    'into the hypervisor carries a narrative comment tagged `T:nnn`; here they are in tag order,',
    'which is roughly the order a kernel meets them as it boots and runs. Each names the file',
    'and line it comes from, so the code is one click away.',
    '',
  ];
  for (const t of sorted) {
    out.push(`## T:${t.num} ${t.title}`, '', `\`${t.path}:${t.line}\``, '', t.body, '');
  }
  return out.join('\n');
}

/** Problems with the tags: duplicates and orphans, one sentence each. */
export function checkTags(sources: SourceFile[], tour: string, lessons: SourceFile[]): string[] {
  const problems: string[] = [];
  const tags = findTags(sources);
  const seen = new Map<string, Tag>();
  for (const t of tags) {
    const first = seen.get(t.num);
    if (first) problems.push(`T:${t.num} is defined twice: ${first.path}:${first.line} and ${t.path}:${t.line}`);
    else seen.set(t.num, t);
  }
  const mentions: [string, string[]][] = [
    ...sources.map((f): [string, string[]] => [f.path, findRefs(f.text)]),
    [TOUR_PATH, findRefs(tour)],
    ...lessons.map((f): [string, string[]] => [f.path, findRefs(f.text)]),
  ];
  for (const [path, refs] of mentions) {
    for (const r of new Set(refs)) if (!seen.has(r)) problems.push(`${path} mentions T:${r}, which no source defines`);
  }
  const inTour = new Set(findRefs(tour));
  for (const t of seen.values()) {
    if (!inTour.has(t.num)) problems.push(`T:${t.num} (${t.path}:${t.line}) is missing from ${TOUR_PATH}: run \`npm run tour\``);
  }
  return problems;
}

function walk(dir: string, exts: string[]): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

/** The files the tour is made from and checked against, relative to root. */
export function readTree(root: string): { sources: SourceFile[]; lessons: SourceFile[]; tour: string } {
  const read = (dirs: string[], exts: string[]): SourceFile[] => dirs.flatMap((d) => walk(join(root, d), exts))
    .map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  const tourFile = join(root, TOUR_PATH);
  return {
    sources: read(SOURCE_DIRS, ['.c', '.h', '.S']),
    lessons: read(LESSON_DIRS, ['.md', '.ts', '.tsx']),
    tour: existsSync(tourFile) ? readFileSync(tourFile, 'utf8') : '',
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { sources, lessons, tour } = readTree(root);
  const fresh = renderTour(findTags(sources));
  if (process.argv.includes('--check')) {
    const problems = checkTags(sources, tour, lessons);
    if (tour !== fresh) problems.push(`${TOUR_PATH} is stale: run \`npm run tour\``);
    for (const p of problems) process.stderr.write(`tour: ${p}\n`);
    process.exit(problems.length ? 1 : 0);
  }
  writeFileSync(join(root, TOUR_PATH), fresh);
  const problems = checkTags(sources, fresh, lessons);
  for (const p of problems) process.stderr.write(`tour: ${p}\n`);
  process.stdout.write(`tour: ${findTags(sources).length} tags -> ${TOUR_PATH}\n`);
  process.exit(problems.length ? 1 : 0);
}
