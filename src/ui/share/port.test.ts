import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/messages';
import type { SnapshotReply, SnapshotRequest } from '../../protocol/snapshots';
import { SnapshotPort, crlf } from './port';
import { createShareStore } from './shareStore';

const v = PROTOCOL_VERSION;

function setup() {
  const sent: SnapshotRequest[] = [];
  const appended: [string, string][] = [];
  const store = createShareStore();
  const port = new SnapshotPort((m) => sent.push(m), store, {
    append: (key, bytes) => appended.push([key, new TextDecoder().decode(bytes)]),
  });
  return { sent, appended, store, port };
}

describe('SnapshotPort', () => {
  it('matches replies to requests by id, whatever their order', async () => {
    const { sent, port } = setup();
    const a = port.request({ type: 'share', shipped: [] });
    const b = port.request({ type: 'snapshot' });
    expect(sent.map((m) => [m.type, m.v])).toEqual([['share', v], ['snapshot', v]]);
    const [ida, idb] = sent.map((m) => m.id);
    expect(ida).not.toBe(idb);
    port.receive({ v, type: 'snapshot-file', id: idb!, error: 'no' });
    port.receive({ v, type: 'share-link', id: ida!, fragment: 'recipe1=x' });
    await expect(a).resolves.toMatchObject({ fragment: 'recipe1=x' });
    await expect(b).resolves.toMatchObject({ error: 'no' });
  });

  it('ignores replies nobody waits for', () => {
    const { port } = setup();
    expect(() => port.receive({ v, type: 'restored', id: 99, error: 'x' })).not.toThrow();
  });

  it('keeps the timeline, asked for or not', async () => {
    const { sent, port, store } = setup();
    const timeline = { start: 0, now: 5, end: 9, checkpoints: [0], inputs: [3] };
    port.receive({ v, type: 'timeline-info', timeline });
    expect(store.getState().timeline).toEqual(timeline);
    const p = port.request({ type: 'timeline' });
    const reply: SnapshotReply = { v, type: 'timeline-info', id: sent[0]!.id, timeline: { ...timeline, now: 6 } };
    port.receive(reply);
    await expect(p).resolves.toEqual(reply);
    expect(store.getState().timeline?.now).toBe(6);
  });

  it('repaints the terminals from a scrollback, the hypervisor lines with CR LF', () => {
    const { port, appended } = setup();
    const enc = new TextEncoder();
    port.receive({ v, type: 'scrollback', guest: [{ domid: 1, data: enc.encode('$ ls\r\n') }], xen: enc.encode('(XEN) a\n(d1) b\n') });
    expect(appended).toEqual([['guest:1', '$ ls\r\n'], ['xen', '(XEN) a\r\n(d1) b\r\n']]);
  });
});

describe('crlf', () => {
  it('adds CR before lone LFs only', () => {
    const t = (s: string) => new TextDecoder().decode(crlf(new TextEncoder().encode(s)));
    expect(t('a\nb\r\nc\n')).toBe('a\r\nb\r\nc\r\n');
    expect(t('')).toBe('');
    expect(t('\n')).toBe('\r\n');
    expect(t('no newline')).toBe('no newline');
  });
});
