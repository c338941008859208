import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTags, findRefs, findTags, readTree, renderTour, TOUR_PATH } from './tour';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = (path: string, text: string) => ({ path, text });

describe('tour', () => {
  it('the teaching guest has no duplicate or orphaned T:nnn tags', () => {
    const { sources, lessons, tour } = readTree(root);
    expect(findTags(sources).length).toBeGreaterThan(30);
    expect(checkTags(sources, tour, lessons)).toEqual([]);
  });

  it(`the committed ${TOUR_PATH} is the one the sources make (run \`npm run tour\`)`, () => {
    const { sources, tour } = readTree(root);
    expect(tour === renderTour(findTags(sources)), `${TOUR_PATH} is stale`).toBe(true);
  });

  it('reads a tag: number, title, body without the comment stars, file and line', () => {
    const [t] = findTags([src('k/a.c', 'int x;\n\t/*T:042 The title.\n\t * First line\n\t * second. :*/\n')]);
    expect(t).toEqual({ num: '042', title: 'The title.', body: 'First line\nsecond.', path: 'k/a.c', line: 2 });
  });

  it('counts mentions but not the openings of definitions', () => {
    expect(findRefs('/*T:001 A.\n * see T:002 and (T:003). :*/ T:001')).toEqual(['002', '003', '001']);
  });

  it('finds a number defined twice', () => {
    const files = [src('a.c', '/*T:001 A.\n * x :*/'), src('b.c', '/*T:001 B.\n * y :*/')];
    expect(checkTags(files, 'T:001', [])).toEqual(['T:001 is defined twice: a.c:1 and b.c:1']);
  });

  it('finds mentions of undefined tags in sources, the tour and lessons', () => {
    const files = [src('a.c', '/*T:001 A.\n * see T:009 :*/')];
    const problems = checkTags(files, 'T:001 T:008', [src('lesson.md', 'read T:007')]);
    expect(problems).toEqual([
      'a.c mentions T:009, which no source defines',
      `${TOUR_PATH} mentions T:008, which no source defines`,
      'lesson.md mentions T:007, which no source defines',
    ]);
  });

  it('finds a defined tag missing from the tour', () => {
    const files = [src('a.c', '/*T:001 A.\n * x :*/\n/*T:002 B.\n * y :*/')];
    expect(checkTags(files, 'T:001', [])).toEqual([`T:002 (a.c:3) is missing from ${TOUR_PATH}: run \`npm run tour\``]);
  });

  it('renders tags in number order with their place in the source', () => {
    const md = renderTour(findTags([src('a.c', '/*T:020 Second.\n * b :*/\n/*T:010 First.\n * a :*/')]));
    expect(md.indexOf('## T:010 First.')).toBeLessThan(md.indexOf('## T:020 Second.'));
    expect(md).toContain('`a.c:3`');
  });
});
