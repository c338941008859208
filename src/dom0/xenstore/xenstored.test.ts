// The xenstored engine per op and per error, against docs/misc/xenstore.txt and
// the behaviour of Xen's C xenstored.
import { describe, expect, it } from 'vitest';
import { XenstoreError, type XsErrno } from './errors';
import { Xenstored } from './xenstored';
import type { XsConnection } from './connection';

const dec = new TextDecoder();

function errnoOf(fn: () => unknown): XsErrno | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof XenstoreError) return e.errno;
    throw e;
  }
}

/** A store with guest domains attached; each guest's watch events land in events[domid]. */
function setup(domids: number[] = [1, 2]) {
  const xs = new Xenstored();
  const events: Record<number, string[]> = {};
  const conns: Record<number, XsConnection> = {};
  for (const d of domids) {
    events[d] = [];
    conns[d] = xs.attachDomain(d, (p, t) => events[d]!.push(`${p}|${t}`));
  }
  return { xs, events, conns };
}

describe('initial tree', () => {
  it('has /, /tool/xenstored and the special nodes, owned by dom0', () => {
    const xs = new Xenstored();
    expect(xs.directory(0, '/')).toEqual(['tool']);
    expect(xs.directory(0, '/tool')).toEqual(['xenstored']);
    expect(xs.getPermStrings(0, '/')).toEqual(['n0']);
    expect(xs.getPermStrings(0, '@introduceDomain')).toEqual(['n0']);
    expect(xs.getPermStrings(0, '@releaseDomain')).toEqual(['n0', `r${0x7ff5}`]);
    expect(xs.read(0, '/').length).toBe(0);
  });
});

describe('read, write, mkdir', () => {
  it('write stores bytes and creates missing parents with empty values', () => {
    const { xs } = setup([]);
    xs.write(0, '/a/b/c', 'hello');
    expect(xs.readString(0, '/a/b/c')).toBe('hello');
    expect(xs.read(0, '/a/b').length).toBe(0);
    expect(xs.directory(0, '/')).toEqual(['tool', 'a']);
    xs.write(0, '/a/b/c', new Uint8Array([0, 1, 255]));
    expect([...xs.read(0, '/a/b/c')]).toEqual([0, 1, 255]);
  });

  it('relative paths are under /local/domain/<caller>', () => {
    const { xs } = setup([3]);
    xs.mkdir(0, '/local/domain/3');
    xs.setPerms(0, '/local/domain/3', ['n3']);
    xs.write(3, 'data/x', '1');
    expect(xs.readString(0, '/local/domain/3/data/x')).toBe('1');
    expect(xs.readString(3, 'data/x')).toBe('1');
  });

  it('read of a missing node: ENOENT; tryRead: undefined', () => {
    const { xs } = setup([]);
    expect(errnoOf(() => xs.read(0, '/nope'))).toBe('ENOENT');
    expect(xs.tryRead(0, '/nope')).toBeUndefined();
  });

  it('mkdir keeps an existing value and fires nothing', () => {
    const { xs } = setup([]);
    xs.write(0, '/m', 'v');
    const seen: string[] = [];
    xs.watch(0, '/m', 't', (p) => seen.push(p));
    xs.mkdir(0, '/m');
    expect(xs.readString(0, '/m')).toBe('v');
    expect(seen).toEqual(['/m']);
    xs.mkdir(0, '/m/n/o');
    expect(xs.directory(0, '/m/n')).toEqual(['o']);
    expect(seen).toEqual(['/m', '/m/n/o']);
  });

  it('bad paths are EINVAL', () => {
    const { xs } = setup([1]);
    for (const p of ['', '/a/', '/a//b', '/a b', '/a!b', 'x/', '@introduceDomain']) {
      expect(errnoOf(() => xs.read(0, p)), p).toBe('EINVAL');
    }
    expect(errnoOf(() => xs.write(0, `/${'a'.repeat(3072)}`, ''))).toBe('EINVAL');
    expect(errnoOf(() => xs.write(0, `/${'a'.repeat(3070)}`, ''))).toBe('ok');
    // A guest's path counts after /local/domain/<id>/ and must stay under 2048.
    expect(errnoOf(() => xs.read(1, 'a'.repeat(2048)))).toBe('EINVAL');
    expect(errnoOf(() => xs.read(1, 'a'.repeat(2047)))).toBe('EACCES');
  });
});

describe('rm', () => {
  it('removes a subtree and unlinks it from its parent', () => {
    const { xs } = setup([]);
    xs.write(0, '/r/a/x', '1');
    xs.write(0, '/r/b', '2');
    xs.rm(0, '/r/a');
    expect(xs.directory(0, '/r')).toEqual(['b']);
    expect(errnoOf(() => xs.read(0, '/r/a/x'))).toBe('ENOENT');
    expect(xs.db.has('/r/a/x')).toBe(false);
  });

  it('a missing node is fine if its parent exists, else ENOENT; / is EINVAL', () => {
    const { xs } = setup([]);
    xs.mkdir(0, '/p');
    expect(errnoOf(() => xs.rm(0, '/p/q'))).toBe('ok');
    expect(errnoOf(() => xs.rm(0, '/p/q/r'))).toBe('ENOENT');
    expect(errnoOf(() => xs.rm(0, '/'))).toBe('EINVAL');
  });
});

describe('directory_part', () => {
  it('returns the generation, then the names from a byte offset, with a final empty string at the end', () => {
    const { xs } = setup([]);
    xs.write(0, '/d/aa', '');
    xs.write(0, '/d/bbb', '');
    const gen = String(xs.db.get('/d')!.generation);
    const all = dec.decode(xs.directoryPart(0, '/d', 0));
    expect(all).toBe(`${gen}\0aa\0bbb\0\0`);
    expect(dec.decode(xs.directoryPart(0, '/d', 3))).toBe(`${gen}\0bbb\0\0`);
    expect(dec.decode(xs.directoryPart(0, '/d', 100))).toBe(`${gen}\0\0`);
  });

  it('splits a list longer than a payload', () => {
    const { xs } = setup([]);
    for (let i = 0; i < 400; i++) xs.mkdir(0, `/big/child-number-${i}`);
    const first = xs.directoryPart(0, '/big', 0);
    expect(first.length).toBeLessThanOrEqual(4096);
    const text = dec.decode(first);
    expect(text.endsWith('\0\0')).toBe(false);
    const names = text.split('\0').slice(1, -1);
    const offset = names.reduce((n, s) => n + s.length + 1, 0);
    const rest = dec.decode(xs.directoryPart(0, '/big', offset)).split('\0').slice(1);
    expect([...names, ...rest.slice(0, -2)]).toEqual(xs.directory(0, '/big'));
  });
});

describe('permissions', () => {
  it('new nodes inherit the parent permissions, an unprivileged creator becomes owner', () => {
    const { xs } = setup([1]);
    xs.mkdir(0, '/local/domain/1');
    xs.setPerms(0, '/local/domain/1', ['n0', 'b1']);
    xs.write(0, '/local/domain/1/by-dom0', '');
    expect(xs.getPermStrings(0, '/local/domain/1/by-dom0')).toEqual(['n0', 'b1']);
    xs.write(1, 'mine/deep', 'x');
    expect(xs.getPermStrings(0, '/local/domain/1/mine')).toEqual(['n1', 'b1']);
    expect(xs.getPermStrings(0, '/local/domain/1/mine/deep')).toEqual(['n1', 'b1']);
  });

  it('the permission matrix: owner, r, w, b, n, default', () => {
    const { xs } = setup([1, 2, 3, 4, 5]);
    xs.write(0, '/m', 'v');
    xs.setPerms(0, '/m', ['r1', 'n2', 'w3', 'b4']);
    const can = (d: number) => [errnoOf(() => xs.read(d, '/m')), errnoOf(() => xs.write(d, '/m', 'v'))];
    expect(can(1)).toEqual(['ok', 'ok']); // owner
    expect(can(2)).toEqual(['EACCES', 'EACCES']); // n
    expect(can(3)).toEqual(['EACCES', 'ok']); // w
    expect(can(4)).toEqual(['ok', 'ok']); // b
    expect(can(5)).toEqual(['ok', 'EACCES']); // default: the owner entry's r
    expect(can(0)).toEqual(['ok', 'ok']); // dom0
  });

  it('DOMID_ANY as owner gives everyone access', () => {
    const { xs } = setup([7]);
    xs.write(0, '/any', 'v');
    xs.setPerms(0, '/any', [`n${0x7ff5}`]);
    expect(errnoOf(() => xs.write(7, '/any', 'w'))).toBe('ok');
  });

  it('EACCES hides what is below a node the caller cannot read; ENOENT when the parent is readable', () => {
    const { xs } = setup([1]);
    xs.write(0, '/secret/x', 'v');
    expect(errnoOf(() => xs.read(1, '/secret/x'))).toBe('EACCES');
    expect(errnoOf(() => xs.read(1, '/secret/nope'))).toBe('EACCES');
    xs.setPerms(0, '/secret', ['n0', 'r1']);
    expect(errnoOf(() => xs.read(1, '/secret/nope'))).toBe('ENOENT');
    expect(errnoOf(() => xs.read(1, '/secret/x'))).toBe('EACCES');
    expect(errnoOf(() => xs.write(1, '/secret/new', 'v'))).toBe('EACCES');
    expect(errnoOf(() => xs.directory(1, '/secret'))).toBe('ok');
  });

  it('set_perms: owner only; only dom0 changes the owner; bad strings EINVAL; too many ENOSPC', () => {
    const { xs } = setup([1, 2]);
    xs.write(0, '/o', '');
    xs.setPerms(0, '/o', ['b1']);
    expect(errnoOf(() => xs.setPerms(2, '/o', ['b2']))).toBe('EACCES');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['b2']))).toBe('EPERM');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['n1', 'r2']))).toBe('ok');
    expect(xs.getPermStrings(1, '/o')).toEqual(['n1', 'r2']);
    expect(errnoOf(() => xs.setPerms(1, '/o', ['x1']))).toBe('EINVAL');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['r']))).toBe('EINVAL');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['r1z']))).toBe('EINVAL');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['n1', 'r0', 'r2', 'r3']))).toBe('ok');
    expect(errnoOf(() => xs.setPerms(1, '/o', ['n1', 'r0', 'r2', 'r3', 'r4']))).toBe('ENOSPC');
    expect(errnoOf(() => xs.setPerms(0, '/o', ['n1', 'r0', 'r2', 'r3', 'r4', 'r5']))).toBe('ok');
    expect(errnoOf(() => xs.setPerms(0, '/o', []))).toBe('EINVAL');
  });

  it('entries for domains that do not exist are kept but ignored; such an owner is ENOENT', () => {
    const xs = new Xenstored({ domainExists: (d) => d === 1 || d === 2 });
    xs.attachDomain(1, null);
    xs.write(0, '/g', 'v');
    xs.setPerms(0, '/g', ['n0', 'r9', 'r1']);
    expect(xs.getPermStrings(0, '/g')).toEqual(['n0', 'r9', 'r1']);
    expect(xs.getPerms(0, '/g')[1]!.ignore).toBe(true);
    expect(errnoOf(() => xs.setPerms(0, '/g', ['n9']))).toBe('ENOENT');
  });

  it('SET_TARGET gives a domain its target\'s rights', () => {
    const { xs } = setup([1, 5]);
    xs.write(0, '/t', 'v');
    xs.setPerms(0, '/t', ['n1']);
    expect(errnoOf(() => xs.read(5, '/t'))).toBe('EACCES');
    xs.setTarget(0, 5, 1);
    expect(errnoOf(() => xs.read(5, '/t'))).toBe('ok');
    expect(errnoOf(() => xs.setTarget(0, 5, 9))).toBe('ENOENT');
    expect(errnoOf(() => xs.setTarget(1, 5, 1))).toBe('EACCES');
  });
});

describe('transactions', () => {
  it('reads and writes inside see a private view; commit publishes', () => {
    const { xs } = setup([]);
    xs.write(0, '/t/a', '1');
    const tx = xs.transactionStart(0);
    xs.write(0, '/t/a', '2', tx);
    xs.write(0, '/t/new/b', '3', tx);
    expect(xs.readString(0, '/t/a', tx)).toBe('2');
    expect(xs.readString(0, '/t/a')).toBe('1');
    expect(xs.tryRead(0, '/t/new/b')).toBeUndefined();
    xs.transactionEnd(0, tx, true);
    expect(xs.readString(0, '/t/a')).toBe('2');
    expect(xs.readString(0, '/t/new/b')).toBe('3');
    expect(xs.directory(0, '/t')).toEqual(['a', 'new']);
  });

  it('abort discards; the id is gone either way', () => {
    const { xs } = setup([]);
    const tx = xs.transactionStart(0);
    xs.write(0, '/gone', 'x', tx);
    xs.transactionEnd(0, tx, false);
    expect(xs.tryRead(0, '/gone')).toBeUndefined();
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('ENOENT');
    expect(errnoOf(() => xs.read(0, '/', tx))).toBe('ENOENT');
  });

  it('EAGAIN when a node the transaction read changed meanwhile', () => {
    const { xs } = setup([]);
    xs.write(0, '/c/a', '1');
    const tx = xs.transactionStart(0);
    xs.read(0, '/c/a', tx);
    xs.write(0, '/c/b', 'x', tx);
    xs.write(0, '/c/a', 'other');
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('EAGAIN');
    expect(xs.tryRead(0, '/c/b')).toBeUndefined();
  });

  it('EAGAIN when a node it wrote changed, when one it found absent appeared, or was removed', () => {
    const { xs } = setup([]);
    xs.write(0, '/w', '1');
    let tx = xs.transactionStart(0);
    xs.write(0, '/w', '2', tx);
    xs.write(0, '/w', '3');
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('EAGAIN');
    expect(xs.readString(0, '/w')).toBe('3');

    tx = xs.transactionStart(0);
    expect(xs.tryRead(0, '/appear', tx)).toBeUndefined();
    xs.write(0, '/appear', 'x');
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('EAGAIN');

    tx = xs.transactionStart(0);
    xs.read(0, '/w', tx);
    xs.rm(0, '/w');
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('EAGAIN');
  });

  it('no conflict for nodes the transaction never touched', () => {
    const { xs } = setup([]);
    xs.write(0, '/x/a', '1');
    xs.write(0, '/y/b', '1');
    const tx = xs.transactionStart(0);
    xs.write(0, '/x/a', '2', tx);
    xs.write(0, '/y/b', '2');
    expect(errnoOf(() => xs.transactionEnd(0, tx, true))).toBe('ok');
  });

  it('two transactions: the second to commit a conflicting change gets EAGAIN', () => {
    const { xs } = setup([]);
    xs.write(0, '/k', '0');
    const t1 = xs.transactionStart(0), t2 = xs.transactionStart(0);
    expect(t2).not.toBe(t1);
    xs.write(0, '/k', `${Number(xs.readString(0, '/k', t1)) + 1}`, t1);
    xs.write(0, '/k', `${Number(xs.readString(0, '/k', t2)) + 1}`, t2);
    xs.transactionEnd(0, t1, true);
    expect(errnoOf(() => xs.transactionEnd(0, t2, true))).toBe('EAGAIN');
    expect(xs.readString(0, '/k')).toBe('1');
  });

  it('ids start at 1; nesting is EBUSY; a guest may have at most 9 open (quota 10)', () => {
    const { xs } = setup([1]);
    expect(xs.transactionStart(1)).toBe(1);
    expect(errnoOf(() => xs.transactionStart(1, 1))).toBe('EBUSY');
    expect(errnoOf(() => xs.transactionStart(1, 77))).toBe('ENOENT');
    for (let i = 2; i <= 9; i++) xs.transactionStart(1);
    expect(errnoOf(() => xs.transactionStart(1))).toBe('ENOSPC');
    xs.resetWatches(1);
    expect(errnoOf(() => xs.transactionStart(1))).toBe('ok');
  });

  it('watches fire at commit only, and not after an abort', () => {
    const { xs } = setup([]);
    const seen: string[] = [];
    xs.watch(0, '/wt', 'tok', (p) => seen.push(p));
    const tx = xs.transactionStart(0);
    xs.write(0, '/wt/a', '1', tx);
    expect(seen).toEqual(['/wt']);
    xs.transactionEnd(0, tx, true);
    expect(seen).toEqual(['/wt', '/wt/a']);
    const tx2 = xs.transactionStart(0);
    xs.write(0, '/wt/b', '1', tx2);
    xs.transactionEnd(0, tx2, false);
    expect(seen).toEqual(['/wt', '/wt/a']);
  });

  it('removal inside a transaction', () => {
    const { xs } = setup([]);
    xs.write(0, '/rt/a/b', '1');
    const tx = xs.transactionStart(0);
    xs.rm(0, '/rt/a', tx);
    expect(xs.directory(0, '/rt', tx)).toEqual([]);
    expect(xs.directory(0, '/rt')).toEqual(['a']);
    xs.transactionEnd(0, tx, true);
    expect(xs.db.has('/rt/a/b')).toBe(false);
    expect(xs.directory(0, '/rt')).toEqual([]);
  });
});

describe('watches', () => {
  it('fire once at once, then on changes at or below the path, with the changed path', () => {
    const { xs, events } = setup([1]);
    xs.mkdir(0, '/local/domain/1');
    xs.setPerms(0, '/local/domain/1', ['n1']);
    xs.watch(1, '/local/domain/1/w', 'T');
    expect(events[1]).toEqual(['/local/domain/1/w|T']);
    xs.write(0, '/local/domain/1/w/x/y', 'v');
    xs.write(0, '/local/domain/1/other', 'v');
    expect(events[1]).toEqual(['/local/domain/1/w|T', '/local/domain/1/w/x/y|T']);
  });

  it('a relative watch reports relative paths', () => {
    const { xs, events } = setup([1]);
    xs.mkdir(0, '/local/domain/1');
    xs.setPerms(0, '/local/domain/1', ['n1']);
    xs.watch(1, 'control', 'c');
    xs.write(0, '/local/domain/1/control/shutdown', 'poweroff');
    expect(events[1]).toEqual(['control|c', 'control/shutdown|c']);
  });

  it('rm fires the removed root as a subtree and each removed node exactly', () => {
    const { xs } = setup([]);
    xs.write(0, '/rw/a/b', '1');
    const seen: string[] = [];
    xs.watch(0, '/rw', 'up', (p, t) => seen.push(`${p}|${t}`));
    xs.watch(0, '/rw/a/b', 'leaf', (p, t) => seen.push(`${p}|${t}`));
    xs.watch(0, '/rw/a/b/never', 'none', (p, t) => seen.push(`${p}|${t}`));
    seen.length = 0;
    xs.rm(0, '/rw/a');
    expect(seen).toEqual(['/rw/a/b|leaf', '/rw/a|up']);
  });

  it('depth limits the levels that match', () => {
    const { xs } = setup([]);
    const seen: string[] = [];
    xs.watch(0, '/dp', 't', (p) => seen.push(p), 1);
    xs.write(0, '/dp/a', '');
    xs.write(0, '/dp/a/b', '');
    expect(seen).toEqual(['/dp', '/dp/a']);
  });

  it('a guest hears only of nodes it may read (or whose parent it may read)', () => {
    const { xs, events } = setup([1]);
    xs.mkdir(0, '/vis');
    xs.setPerms(0, '/vis', ['n0', 'r1']);
    xs.watch(1, '/vis', 't');
    xs.mkdir(0, '/vis/a');
    xs.setPerms(0, '/vis/a', ['n0']);
    xs.write(0, '/vis/a/hidden', 'x');
    expect(events[1]).toEqual(['/vis|t', '/vis/a|t', '/vis/a|t']);
  });

  it('unwatch; a duplicate watch is EEXIST; a missing one ENOENT; a guest has at most 127', () => {
    const { xs, events } = setup([1]);
    xs.watch(1, '/u', 't');
    expect(errnoOf(() => xs.watch(1, '/u', 't'))).toBe('EEXIST');
    expect(errnoOf(() => xs.watch(1, '/u', 't2'))).toBe('ok');
    xs.unwatch(1, '/u', 't');
    expect(errnoOf(() => xs.unwatch(1, '/u', 't'))).toBe('ENOENT');
    for (let i = 2; i < 128; i++) xs.watch(1, `/q${i}`, 't');
    expect(errnoOf(() => xs.watch(1, '/q-last', 't'))).toBe('ENOSPC');
    expect(events[1]!.length).toBe(128);
    xs.resetWatches(1);
    xs.write(0, '/u', 'x');
    expect(events[1]!.length).toBe(128);
  });

  it('@introduceDomain and @releaseDomain fire for dom0; a guest sees @releaseDomain only', () => {
    const { xs, events } = setup([1]);
    const seen: string[] = [];
    xs.watch(0, '@introduceDomain', 'i', (p, t) => seen.push(`${p}|${t}`));
    xs.watch(0, '@releaseDomain', 'r', (p, t) => seen.push(`${p}|${t}`));
    xs.watch(0, '@releaseDomain', 'r1', (p, t) => seen.push(`${p}|${t}`), 1);
    xs.watch(1, '@introduceDomain', 'gi');
    xs.watch(1, '@releaseDomain', 'gr');
    seen.length = 0;
    events[1]!.length = 0;
    xs.introduce(0, 4, 1234, 1);
    expect(seen).toEqual(['@introduceDomain|i']);
    xs.release(0, 4);
    expect(seen).toEqual(['@introduceDomain|i', '@releaseDomain|r', '@releaseDomain/4|r1']);
    expect(events[1]).toEqual(['@releaseDomain|gr']);
  });

  it('dom0 callbacks run after the op, and may use the store', () => {
    const { xs } = setup([]);
    const seen: string[] = [];
    xs.watch(0, '/cb', 't', (p) => {
      seen.push(p);
      if (p === '/cb/ping') xs.write(0, '/cb/pong', 'x');
    });
    xs.write(0, '/cb/ping', '1');
    expect(seen).toEqual(['/cb', '/cb/ping', '/cb/pong']);
  });

  it('separate dom0 connections have their own watches', () => {
    const xs = new Xenstored();
    const a = xs.connect(0), b = xs.connect(0);
    const seen: string[] = [];
    xs.watch(a, '/s', 'same', (p) => seen.push(`a${p}`));
    xs.watch(b, '/s', 'same', (p) => seen.push(`b${p}`));
    xs.close(b);
    xs.write(0, '/s', '');
    expect(seen).toEqual(['a/s', 'b/s', 'a/s']);
  });
});

describe('quotas', () => {
  it('a guest owns at most 999 nodes (quota 1000); dom0 is not limited', () => {
    const { xs } = setup([1]);
    xs.mkdir(0, '/local/domain/1');
    xs.setPerms(0, '/local/domain/1', ['n1']);
    // /local/domain/1 itself is owned by 1; 10 directories of 98 + 99 more nodes (a
    // directory of 1000 names would go over the node-size quota first).
    for (let d = 0; d < 10; d++) for (let i = 0; i < 99; i++) xs.mkdir(1, i ? `d${d}/n${i}` : `d${d}`);
    for (let i = 0; i < 8; i++) xs.mkdir(1, `x${i}`);
    expect(xs.db.ownedBy(1)).toBe(999);
    expect(errnoOf(() => xs.mkdir(1, 'one-more'))).toBe('ENOSPC');
    expect(errnoOf(() => xs.mkdir(1, 'a/b'))).toBe('ENOSPC');
    expect(xs.tryRead(0, '/local/domain/1/a')).toBeUndefined();
    xs.setQuota(0, 1, 'nodes', 2000);
    expect(errnoOf(() => xs.mkdir(1, 'one-more'))).toBe('ok');
  });

  it('node size: header, permissions, value and child names count against 2048', () => {
    const { xs } = setup([1]);
    xs.mkdir(0, '/local/domain/1');
    xs.setPerms(0, '/local/domain/1', ['n1']);
    xs.mkdir(1, 'v');
    // 16 + 8 * 1 permission + value must stay under 2048.
    expect(errnoOf(() => xs.write(1, 'v', 'x'.repeat(2048 - 24 - 1)))).toBe('ok');
    expect(errnoOf(() => xs.write(1, 'v', 'x'.repeat(2048 - 24)))).toBe('ENOSPC');
    expect(xs.readString(1, 'v').length).toBe(2023);
    expect(errnoOf(() => xs.write(0, '/local/domain/1/v', 'x'.repeat(4000)))).toBe('ok');
  });

  it('get/set quota: dom0 only; unknown names EINVAL', () => {
    const { xs } = setup([1]);
    expect(xs.getQuota(0, null, 'watches')).toBe(128);
    expect(xs.getQuota(0, 1, 'watches')).toBe(128);
    xs.setQuota(0, 1, 'watches', 2);
    expect(xs.getQuota(0, 1, 'watches')).toBe(2);
    xs.watch(1, '/a', 't');
    expect(errnoOf(() => xs.watch(1, '/b', 't'))).toBe('ENOSPC');
    expect(errnoOf(() => xs.getQuota(1, null, 'watches'))).toBe('EACCES');
    expect(errnoOf(() => xs.getQuota(0, null, 'bogus'))).toBe('EINVAL');
  });
});

describe('domains', () => {
  it('introduce, is_domain_introduced, release, get_domain_path', () => {
    const { xs } = setup([]);
    expect(xs.isDomainIntroduced(0, 3)).toBe(false);
    xs.introduce(0, 3, 100, 1);
    expect(xs.isDomainIntroduced(0, 3)).toBe(true);
    expect(xs.isDomainIntroduced(0, 0x7ff0)).toBe(true);
    expect(xs.introducedDomains()).toEqual([3]);
    xs.release(0, 3);
    expect(xs.isDomainIntroduced(0, 3)).toBe(false);
    expect(errnoOf(() => xs.release(0, 3))).toBe('ENOENT');
    expect(errnoOf(() => xs.release(0, 0))).toBe('EINVAL');
    expect(errnoOf(() => xs.introduce(0, 3, 100, 0))).toBe('EINVAL');
    expect(errnoOf(() => xs.introduce(0, 70000, 100, 1))).toBe('EINVAL');
    expect(xs.getDomainPath(7)).toBe('/local/domain/7');
  });

  it('privileged ops from a guest are EACCES', () => {
    const { xs } = setup([1]);
    expect(errnoOf(() => xs.introduce(1, 5, 1, 1))).toBe('EACCES');
    expect(errnoOf(() => xs.release(1, 1))).toBe('EACCES');
    expect(errnoOf(() => xs.isDomainIntroduced(1, 1))).toBe('EACCES');
    expect(errnoOf(() => xs.resume(1, 1))).toBe('EACCES');
    expect(errnoOf(() => xs.control(1, ['check']))).toBe('EACCES');
    expect(errnoOf(() => xs.setFeature(1, 1, 0))).toBe('EACCES');
    expect(errnoOf(() => xs.getFeature(1, 1))).toBe('EACCES');
    expect(xs.getFeature(1)).toBe(14);
  });

  it('release removes the nodes the domain owns and its entries in other nodes', () => {
    const { xs } = setup([2]);
    xs.mkdir(0, '/local/domain/2');
    xs.setPerms(0, '/local/domain/2', ['n0', 'b2']);
    xs.write(2, 'data/x', '1');
    xs.write(0, '/local/domain/2/name', 'g');
    xs.write(0, '/shared', '');
    xs.setPerms(0, '/shared', ['n0', 'r2']);
    xs.release(0, 2);
    expect(xs.directory(0, '/local/domain/2')).toEqual(['name']);
    expect(xs.getPermStrings(0, '/local/domain/2')).toEqual(['n0']);
    expect(xs.getPermStrings(0, '/shared')).toEqual(['n0']);
    expect(xs.db.ownedBy(2)).toBe(0);
  });

  it('a shutdown fires @releaseDomain once until resume', () => {
    const { xs } = setup([1]);
    const seen: string[] = [];
    xs.watch(0, '@releaseDomain', 'r', (p) => seen.push(p));
    seen.length = 0;
    xs.domainShutdown(1);
    xs.domainShutdown(1);
    expect(seen).toEqual(['@releaseDomain']);
    xs.resume(0, 1);
    xs.domainShutdown(1);
    expect(seen.length).toBe(2);
  });

  it('features can be set before introduction only', () => {
    const xs = new Xenstored();
    xs.setFeature(0, 6, 2);
    expect(xs.getFeature(0, 6)).toBe(2);
    expect(xs.featuresOf(6)).toBe(2);
    expect(errnoOf(() => xs.setFeature(0, 6, 1))).toBe('EINVAL');
    xs.introduce(0, 6, 1, 1);
    expect(errnoOf(() => xs.setFeature(0, 6, 2))).toBe('EBUSY');
  });
});
