// xenstored state round trip (no guests): the tree with permissions and
// generations, dom0's connections with a watch and an open transaction, quotas;
// restored into a fresh xenstored, it saves the same and goes on the same
// (the transaction commits, the generation counts on). Broken trees are refused.
import { describe, expect, it } from 'vitest';
import { MachineMemory } from '../../mem/memory';
import { Hypervisor } from '../../hv/hypervisor';
import { Rec } from '../../shared/record';
import { XenstoreService } from './ring';
import { readXenstore, saveXenstore } from './state';

function service(): XenstoreService {
  const hv = new Hypervisor(MachineMemory.create({ ramMiB: 1, vcpus: 1 }), { console: () => {} });
  const svc = new XenstoreService(hv);
  svc.xs.connect(0); // the machine's toolstack client comes first
  return svc;
}

function busy(): { svc: XenstoreService; tx: number } {
  const svc = service(), xs = svc.xs;
  const client = xs.internals().conns[0]!;
  xs.write(client, '/local/domain/0/name', 'Domain-0');
  xs.write(0, '/vm/abc/name', 'guest');
  xs.setPerms(0, '/vm/abc', ['n0', 'r5']);
  xs.mkdir(0, '/local/domain/7');
  xs.watch(0, '/vm', 'tok');
  xs.setQuota(0, null, 'nodes', 500);
  xs.setQuota(0, 0, 'watches', 7);
  const tx = xs.transactionStart(0);
  xs.write(0, '/vm/abc/state', 'running', tx);
  xs.rm(0, '/local/domain/7', tx);
  return { svc, tx };
}

const copy = (v: unknown): Rec => Rec.of(JSON.parse(JSON.stringify(v)), 'xenstore');

describe('xenstored state', () => {
  it('round-trips and goes on the same', () => {
    const { svc, tx } = busy();
    const saved = saveXenstore(svc);
    const svc2 = service();
    expect(readXenstore(copy(saved))(svc2, () => null)).toEqual([]);
    expect(saveXenstore(svc2)).toEqual(saved);
    for (const s of [svc, svc2]) {
      s.xs.write(0, '/local/domain/0/memory', '32');
      s.xs.transactionEnd(0, tx, true);
    }
    expect(saveXenstore(svc2)).toEqual(saveXenstore(svc));
    expect(svc2.xs.tryRead(0, '/vm/abc/state')).toBe('running');
    expect(svc2.xs.tryRead(0, '/local/domain/7')).toBeUndefined();
    expect(svc2.xs.getPermStrings(0, '/vm/abc')).toEqual(['n0', 'r5']);
    expect(svc2.xs.getQuota(0, 0, 'watches')).toBe(7);
  });

  it('refuses trees that do not hold together', () => {
    const { svc } = busy();
    const saved = saveXenstore(svc) as { nodes: { path: string; children: string[] }[]; conns: { role: string }[] };
    const read = (edit: (s: typeof saved) => void) => {
      const s = JSON.parse(JSON.stringify(saved)) as typeof saved;
      edit(s);
      return readXenstore(Rec.of(s, 'xenstore'));
    };
    expect(() => read((s) => { s.nodes = s.nodes.filter((n) => n.path !== '/'); })).toThrow(/no root node/);
    expect(() => read((s) => { s.nodes.find((n) => n.path === '/vm')!.children.push('ghost'); })).toThrow(/missing child ghost/);
    expect(() => read((s) => { s.nodes.find((n) => n.path === '/vm')!.children.length = 0; })).toThrow(/not listed by its parent/);
    expect(() => read((s) => { s.nodes.find((n) => n.path === '/vm')!.children.push('a/b'); })).toThrow(/not a child name/);
    expect(() => read((s) => { s.conns[0].role = 'default'; })).toThrow(/toolstack client/);
  });
});
