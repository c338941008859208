import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/messages';
import type { MachineSummary, SnapshotReply, SnapshotRequest } from '../../protocol/snapshots';
import { SnapshotPort } from './port';
import { createShareStore } from './shareStore';
import { because, downloadSnapshot, openLink, shareMachine, uploadSnapshot, type Page } from './operations';

const v = PROTOCOL_VERSION;
const summary: MachineSummary = {
  kind: 'recipe', instructions: 12_345_678, timeNs: 2_500_000_000, size: 900, inputs: 40,
  domains: [{ domid: 1, name: 'pvos', state: 'running' }],
};

/** A port whose worker answers each request with `answer(request)`. */
function setup(answer: (r: SnapshotRequest) => SnapshotReply | null, copyOk = true) {
  const store = createShareStore();
  const sent: SnapshotRequest[] = [];
  const saved: [number, string][] = [];
  const copied: string[] = [];
  const port: SnapshotPort = new SnapshotPort((m) => {
    sent.push(m);
    const reply = answer(m);
    if (reply) queueMicrotask(() => port.receive(reply));
  }, store, { append: () => {} });
  const page: Page = {
    base: 'https://example.test/play/',
    shipped: ['https://example.test/play/guests/pvos.elf'],
    copy: async (t) => { copied.push(t); return copyOk; },
    save: (b, name) => saved.push([b.byteLength, name]),
  };
  return { store, port, page, sent, saved, copied };
}

describe('share operations', () => {
  it('share: builds the URL from the fragment, copies it and says how long it is', async () => {
    const t = setup((r) => ({ v, type: 'share-link', id: r.id, fragment: 'recipe1=abc', summary, why: 'fast' }));
    const url = await shareMachine(t.port, t.store, t.page);
    expect(url).toBe('https://example.test/play/#recipe1=abc');
    expect(t.sent[0]).toMatchObject({ type: 'share', shipped: t.page.shipped });
    expect(t.copied).toEqual([url]);
    expect(t.store.getState().link).toMatchObject({ url, copied: true });
    expect(t.store.getState().message).toMatchObject({ tone: 'info', text: expect.stringMatching(/^Copied a replay recipe link of 38 characters: fast\.$/) });
    expect(t.store.getState().busy).toBeNull();
  });

  it('share: says so when the clipboard refuses, and when the worker cannot', async () => {
    const t = setup((r) => ({ v, type: 'share-link', id: r.id, fragment: 'snapshot1=abc', summary: { ...summary, kind: 'snapshot' } }), false);
    await shareMachine(t.port, t.store, t.page);
    expect(t.store.getState().message?.text).toMatch(/^Made a snapshot link/);
    const u = setup((r) => ({ v, type: 'share-link', id: r.id, error: 'there is no machine to share: boot a guest first' }));
    expect(await shareMachine(u.port, u.store, u.page)).toBeNull();
    expect(u.store.getState().message).toMatchObject({ tone: 'error', text: 'Could not share: there is no machine to share: boot a guest first.' });
  });

  it('download: saves the bytes under a name that says what they are', async () => {
    const t = setup((r) => ({ v, type: 'snapshot-file', id: r.id, bytes: new ArrayBuffer(1234), summary: { ...summary, kind: 'snapshot' } }));
    expect(await downloadSnapshot(t.port, t.store, t.page)).toBe(true);
    expect(t.saved).toEqual([[1234, 'pvplay-pvos-12M.pvsnap']]);
  });

  it('upload: a good file sets the banner; a bad one says why and leaves no banner', async () => {
    const t = setup((r) => (r.type === 'restore' && r.source.kind === 'file' && r.source.bytes.byteLength > 0
      ? { v, type: 'restored', id: r.id, summary: { ...summary, kind: 'snapshot' } }
      : { v, type: 'restored', id: r.id, error: 'the file is empty' }));
    expect(await uploadSnapshot(t.port, t.store, t.page, { name: 'a.pvsnap', bytes: new ArrayBuffer(8) })).toBe(true);
    expect(t.store.getState().banner).toMatchObject({ from: 'file', name: 'a.pvsnap' });
    t.store.setState({ banner: null });
    expect(await uploadSnapshot(t.port, t.store, t.page, { name: 'b.pvsnap', bytes: new ArrayBuffer(0) })).toBe(false);
    expect(t.store.getState().banner).toBeNull();
    expect(t.store.getState().message?.text).toBe('Could not open “b.pvsnap”: the file is empty. The machine you had is still here.');
  });

  it('open link: bad fragments are refused before the worker hears of them', async () => {
    const t = setup((r) => ({ v, type: 'restored', id: r.id, summary }));
    expect(await openLink(t.port, t.store, t.page, '')).toBe(false);
    expect(t.store.getState().message).toBeNull();
    expect(await openLink(t.port, t.store, t.page, '#recipe7=abc')).toBe(false);
    expect(t.store.getState().message?.text).toMatch(/link format 7/);
    expect(t.sent).toEqual([]);
    expect(await openLink(t.port, t.store, t.page, '#recipe1=abc')).toBe(true);
    expect(t.sent[0]).toMatchObject({ type: 'restore', source: { kind: 'link', fragment: 'recipe1=abc' } });
    expect(t.store.getState().banner).toEqual({ from: 'link', summary });
  });

  it('open link: the worker\'s reason is passed on', async () => {
    const t = setup((r) => ({ v, type: 'restored', id: r.id, error: 'the replay recipe is corrupt (its checksum does not match): was the link cut or changed?' }));
    expect(await openLink(t.port, t.store, t.page, '#recipe1=abc')).toBe(false);
    expect(t.store.getState().message?.text).toBe('This link could not be opened: the replay recipe is corrupt (its checksum does not match): was the link cut or changed?');
    expect(await openLink(t.port, t.store, t.page, '#recipe1=abc', true)).toBe(false);
    expect(t.store.getState().message?.text).toMatch(/changed\? The machine you had is still here\.$/);
  });
});

describe('because', () => {
  it('ends with one stop', () => {
    expect(because('A', 'b')).toBe('A: b.');
    expect(because('A', 'b. ')).toBe('A: b.');
    expect(because('A', 'b?')).toBe('A: b?');
  });
});
