import { describe, expect, it } from 'vitest';
import { ConsoleStreams, HISTORY_BYTES } from './consoleStreams';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join('');

describe('ConsoleStreams', () => {
  it('replays history to a late subscriber, then streams', () => {
    const s = new ConsoleStreams();
    s.append('guest:1', bytes('hello '));
    const got: Uint8Array[] = [];
    const off = s.subscribe('guest:1', (b) => got.push(b));
    s.append('guest:1', bytes('world'));
    s.append('xen', bytes('(XEN) not mine'));
    off();
    s.append('guest:1', bytes('!'));
    expect(text(got)).toBe('hello world');
  });

  it('keeps only about HISTORY_BYTES of history', () => {
    const s = new ConsoleStreams();
    const chunk = new Uint8Array(HISTORY_BYTES / 4);
    for (let i = 0; i < 10; i++) s.append('xen', chunk);
    let total = 0;
    s.subscribe('xen', (b) => (total += b.length));
    expect(total).toBeLessThanOrEqual(HISTORY_BYTES);
    expect(total).toBeGreaterThan(HISTORY_BYTES / 2);
  });

  it('forgets history on clear but keeps subscribers', () => {
    const s = new ConsoleStreams();
    const got: Uint8Array[] = [];
    s.subscribe('guest:1', (b) => got.push(b));
    s.append('guest:1', bytes('a'));
    s.clear();
    s.append('guest:1', bytes('b'));
    const late: Uint8Array[] = [];
    s.subscribe('guest:1', (b) => late.push(b));
    expect(text(got)).toBe('ab');
    expect(text(late)).toBe('b');
  });

  it("keeps Domain 0's shell across a new boot, which clears the machine's streams", () => {
    const streams = new ConsoleStreams();
    streams.append('xen', new Uint8Array([1]));
    streams.append('dom0', new Uint8Array([2]));
    streams.clear();
    const seen: number[] = [];
    streams.subscribe('xen', (b) => seen.push(...b));
    streams.subscribe('dom0', (b) => seen.push(...b));
    expect(seen).toEqual([2]);
  });
});
