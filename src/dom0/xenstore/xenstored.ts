// xenstored as a pure engine: the node tree, Xen's permission model, transactions,
// watches, quotas and the domain ops, with no rings and no I/O (the ring adapter,
// ring.ts, and the wire codec, wire.ts, sit on top). Every op takes the caller
// (a domid or an XsConnection) and, where the protocol has one, a transaction id
// (0: none), and either returns its result or throws XenstoreError with the errno
// name xenstored would send. Checks run in xenstored's order and before any change.
//
// Behaviour follows Xen's C xenstored (tools/xenstored): new nodes inherit their
// parent's permissions with an unprivileged creator as owner; a missing or
// unreadable node answers EACCES unless the nearest existing ancestor would let
// the caller know (then ENOENT/EACCES as is); transactions copy a node on first
// access and fail with EAGAIN at commit when any node they touched has a different
// generation (they are not snapshots of the whole store); watch events name the
// changed path (relative when the watch was), removal fires each removed node
// exactly and the removed root as a subtree; quotas answer ENOSPC and count
// "value >= quota" as exceeded, as xenstored does. Dom0 (domid 0) is privileged
// and has no quotas.
//
// The TypeScript API (for the toolstack and the xl shell), with caller 0 = dom0:
//   xs.write(0, '/local/domain/1/name', 'guest');  xs.read(0, path) -> bytes;
//   xs.readString / tryRead; xs.mkdir; xs.rm; xs.directory -> names;
//   xs.setPerms(0, path, ['n1', 'r0']) or [{id, perms}]; xs.getPerms;
//   const tx = xs.transactionStart(0); ...(0, path, tx); xs.transactionEnd(0, tx, true);
//   xs.watch(0, path, token, (path, token) => ...) fires once at once and on changes;
//   xs.introduce(0, domid, mfn, port); xs.release(0, domid); xs.connect(0) for a
//   separate dom0 connection (its own watches and transactions).
import { DOMID_SELF } from '../../abi/xen';
import { XenstoreError, xsErr } from './errors';
import { Transaction, type EventSink, type WatchCallback, type Watch, type XsConnection } from './connection';
import { domainPath, parentOf } from './paths';
import { DOMID_ANY, PERM_OWNER, PERM_READ, PERM_WRITE, parsePerms, permToString, type XsPerm } from './perms';
import { ownerOf } from './tree';
import { QUOTA_NAMES } from './quota';
import { XENSTORE_FEATURES, XenstoreCore, checkDomid, concat, quotaName, type CallerRef } from './core';

export { XENSTORE_FEATURES, type CallerRef, type XenstoredHooks } from './core';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Xenstored extends XenstoreCore {
  // ---- data ops ----

  read(caller: CallerRef, path: string, tx = 0): Uint8Array {
    return this.op(caller, tx, (ctx) => this.checked(ctx, this.canon(ctx, path, false), PERM_READ).value);
  }

  /** read() decoded as UTF-8. */
  readString(caller: CallerRef, path: string, tx = 0): string {
    return dec.decode(this.read(caller, path, tx));
  }

  /** readString(), or undefined when the node does not exist (other errors still throw). */
  tryRead(caller: CallerRef, path: string, tx = 0): string | undefined {
    try {
      return this.readString(caller, path, tx);
    } catch (e) {
      if (e instanceof XenstoreError && e.errno === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Store a value (a string is UTF-8 encoded), creating missing parents. */
  write(caller: CallerRef, path: string, value: string | Uint8Array, tx = 0): void {
    const bytes = typeof value === 'string' ? enc.encode(value) : value.slice();
    this.op(caller, tx, (ctx) => {
      const name = this.canon(ctx, path, false);
      const node = this.lookup(ctx, name, PERM_WRITE);
      if (node) this.put(ctx, name, { ...node, value: bytes }, true);
      else this.create(ctx, name, bytes);
      this.fire(ctx, name, 'subtree', null, null);
    });
  }

  /** Make sure a node exists (with an empty value if it is created). */
  mkdir(caller: CallerRef, path: string, tx = 0): void {
    this.op(caller, tx, (ctx) => {
      const name = this.canon(ctx, path, false);
      if (this.lookup(ctx, name, PERM_WRITE)) return;
      this.create(ctx, name, new Uint8Array(0));
      this.fire(ctx, name, 'subtree', null, null);
    });
  }

  /** Remove a node and everything below it; fine if it is absent but its parent exists. */
  rm(caller: CallerRef, path: string, tx = 0): void {
    this.op(caller, tx, (ctx) => {
      const name = this.canon(ctx, path, false);
      const node = this.lookup(ctx, name, PERM_WRITE);
      if (!node) {
        if (this.get(ctx, parentOf(name))) return;
        throw xsErr('ENOENT');
      }
      if (name === '/') throw xsErr('EINVAL', 'cannot remove /');
      this.rmNode(ctx, name);
    });
  }

  /** Child names of a node, in creation order. */
  directory(caller: CallerRef, path: string, tx = 0): string[] {
    return this.op(caller, tx, (ctx) => [...this.checked(ctx, this.canon(ctx, path, false), PERM_READ).children]);
  }

  /**
   * DIRECTORY_PART's reply payload: the node's generation, NUL, then child names
   * from byte `offset` of the NUL-separated list, as many as fit the payload; an
   * extra NUL ends the list when its end is reached.
   */
  directoryPart(caller: CallerRef, path: string, offset: number, tx = 0): Uint8Array {
    return this.op(caller, tx, (ctx) => {
      const node = this.checked(ctx, this.canon(ctx, path, false), PERM_READ);
      const list = enc.encode(node.children.map((c) => `${c}\0`).join(''));
      const gen = enc.encode(`${node.generation}\0`);
      const off = offset >>> 0;
      if (off >= list.length) return concat(gen, new Uint8Array(1));
      const maxlen = 4096 - gen.length - 1;
      let len = 0;
      for (;;) {
        const end = list.indexOf(0, off + len);
        const clen = end - (off + len);
        if (len + clen >= maxlen) break;
        len += clen + 1;
        if (off + len === list.length) break;
      }
      const body = list.subarray(off, off + len);
      return off + len === list.length ? concat(gen, body, new Uint8Array(1)) : concat(gen, body);
    });
  }

  getPerms(caller: CallerRef, path: string, tx = 0): XsPerm[] {
    return this.op(caller, tx, (ctx) => this.checked(ctx, this.canon(ctx, path, true), PERM_READ).perms.map((p) => ({ ...p })));
  }

  /** get_perms as strings ("n0", "r1", ...). */
  getPermStrings(caller: CallerRef, path: string, tx = 0): string[] {
    return this.getPerms(caller, path, tx).map(permToString);
  }

  /** Replace a node's permissions (the owner or dom0 only; only dom0 may change the owner). */
  setPerms(caller: CallerRef, path: string, perms: readonly (string | XsPerm)[], tx = 0): void {
    this.op(caller, tx, (ctx) => {
      const c = ctx.conn;
      if (perms.length < 1) throw xsErr('EINVAL', 'no permissions');
      if (this.exceeds(c.id, 'node-permissions', perms.length)) throw xsErr('ENOSPC', 'too many permissions');
      const list = perms.map((p) => (typeof p === 'string' ? parsePerms([p])[0]! : { id: p.id >>> 0, perms: p.perms & (PERM_READ | PERM_WRITE) }));
      for (const p of list) if (p.id !== DOMID_ANY && !this.domainExists(p.id)) p.ignore = true;
      if (list[0]!.ignore) throw xsErr('ENOENT', `owner domain ${list[0]!.id} does not exist`);
      const name = this.canon(ctx, path, true);
      const node = this.checked(ctx, name, PERM_WRITE | PERM_OWNER);
      if (!c.privileged && list[0]!.id !== ownerOf(node)) throw xsErr('EPERM', 'only dom0 may change the owner');
      this.put(ctx, name, { ...node, perms: list }, true);
      this.fire(ctx, name, 'subtree', null, node.perms);
    });
  }

  // ---- watches ----

  /**
   * Watch `path` (absolute, relative to the caller's home, or @introduceDomain /
   * @releaseDomain). The watch fires once at once, then on every change at or
   * below path (at most `depth` levels below, if given). Dom0 callers pass a callback.
   */
  watch(caller: CallerRef, path: string, token: string, callback: WatchCallback | null = null, depth = -1): void {
    this.op(caller, 0, (ctx) => {
      const c = ctx.conn;
      const relative = !path.startsWith('/') && !path.startsWith('@');
      const node = this.canon(ctx, path, true);
      if (c.watches.some((w) => w.node === node && w.token === token)) throw xsErr('EEXIST');
      if (this.exceeds(c.id, 'watches', c.watches.length + 1)) throw xsErr('ENOSPC', 'too many watches');
      const w: Watch = { node, token, depth, prefixLen: relative ? domainPath(c.id).length + 1 : 0, callback };
      c.watches.push(w);
      this.deliver(c, w, node.slice(w.prefixLen), true);
    });
  }

  unwatch(caller: CallerRef, path: string, token: string): void {
    this.op(caller, 0, (ctx) => {
      const node = this.canon(ctx, path, true);
      const ws = ctx.conn.watches;
      const i = ws.findIndex((w) => w.node === node && w.token === token);
      if (i < 0) throw xsErr('ENOENT');
      ws.splice(i, 1);
    });
  }

  /** Drop every watch and transaction of the caller. */
  resetWatches(caller: CallerRef): void {
    this.op(caller, 0, (ctx) => {
      ctx.conn.watches.length = 0;
      ctx.conn.transactions.clear();
    });
  }

  // ---- transactions ----

  /** Open a transaction; `tx` is the request's own tx_id (nonzero: EBUSY, no nesting). */
  transactionStart(caller: CallerRef, tx = 0): number {
    return this.op(caller, tx, (ctx) => {
      const c = ctx.conn;
      if (ctx.tx) throw xsErr('EBUSY', 'transactions do not nest');
      if (this.exceeds(c.id, 'transactions', c.transactions.size + 1)) throw xsErr('ENOSPC', 'too many transactions');
      let id = c.nextTxId;
      while (id === 0 || c.transactions.has(id)) id = (id + 1) >>> 0;
      c.nextTxId = (id + 1) >>> 0;
      c.transactions.set(id, new Transaction(id, ++this.db.generation));
      return id;
    });
  }

  /** Commit (EAGAIN if anything it touched changed meanwhile) or abort; the id is gone after either. */
  transactionEnd(caller: CallerRef, tx: number, commit: boolean): void {
    this.op(caller, tx, (ctx) => {
      const t = ctx.tx;
      if (!t) throw xsErr('ENOENT', 'no transaction');
      ctx.conn.transactions.delete(t.id);
      if (commit) this.commit(ctx.conn, t);
    });
  }

  // ---- domains ----

  /** INTRODUCE (dom0 only): start serving a domain's ring; fires @introduceDomain. */
  introduce(caller: CallerRef, domid: number, gfn: number, port: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      checkDomid(domid);
      if (!(port > 0)) throw xsErr('EINVAL', 'bad port');
      if (this.hooks.introduce) {
        const err = this.hooks.introduce(domid, gfn, port);
        if (err) throw xsErr(err);
      } else {
        this.attachDomain(domid, null);
      }
    });
  }

  /**
   * Give a domain its connection (the ring adapter calls this once the ring is
   * mapped and the port bound). A new one fires @introduceDomain; an existing
   * one is reset (watches and transactions dropped), as xenstored's introduce does.
   */
  attachDomain(domid: number, sink: EventSink | null): XsConnection {
    return this.op(0, 0, () => {
      let d = this.domains.get(domid);
      if (d?.conn) {
        d.conn.watches.length = 0;
        d.conn.transactions.clear();
        return d.conn;
      }
      if (!d) {
        d = { domid, conn: null, features: XENSTORE_FEATURES, shutdown: false, quotas: new Map() };
        this.domains.set(domid, d);
      }
      const stale = this.byDomid.get(domid);
      if (stale) this.close(stale);
      d.conn = this.connect(domid, sink);
      d.shutdown = false;
      if (domid !== 0) this.fireSpecial('@introduceDomain', domid, true, true);
      return d.conn;
    });
  }

  /**
   * RELEASE (dom0 only): stop serving a domain. Its watches go first (so it hears
   * nothing of its own removal), then the nodes it owns are removed and its
   * entries in other nodes' permissions dropped, then @releaseDomain fires.
   */
  release(caller: CallerRef, domid: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      const d = this.introducedDomain(domid);
      const conn = d.conn!;
      conn.watches.length = 0;
      this.close(conn);
      d.conn = null;
      this.domains.delete(domid);
      this.hooks.release?.(domid);
      this.removeDomainNodes(domid);
      this.fireSpecial('@releaseDomain', domid, true, true);
    });
  }

  /** RESUME (dom0 only): @releaseDomain may fire again at the domain's next shutdown. */
  resume(caller: CallerRef, domid: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      this.introducedDomain(domid).shutdown = false;
    });
  }

  /** The hypervisor says a domain shut down: @releaseDomain, once until RESUME. */
  domainShutdown(domid: number): void {
    this.op(0, 0, () => {
      const d = this.domains.get(domid);
      if (!d?.conn || d.shutdown) return;
      d.shutdown = true;
      this.fireSpecial('@releaseDomain', domid, false, true);
      this.fireSpecial('@releaseDomain', 0, true, false);
    });
  }

  /** IS_DOMAIN_INTRODUCED (dom0 only); DOMID_SELF is always "yes". */
  isDomainIntroduced(caller: CallerRef, domid: number): boolean {
    return this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      checkDomid(domid);
      return domid === DOMID_SELF || !!this.domains.get(domid)?.conn;
    });
  }

  /** GET_DOMAIN_PATH: /local/domain/<domid> for any domid 0..65535. */
  getDomainPath(domid: number): string {
    checkDomid(domid);
    return domainPath(domid);
  }

  /** SET_TARGET (dom0 only): `domid` acts with `tdomid`'s rights (a device model for its guest). */
  setTarget(caller: CallerRef, domid: number, tdomid: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      checkDomid(domid);
      checkDomid(tdomid);
      const d = this.connectedDomain(domid);
      this.connectedDomain(tdomid);
      d.conn!.target = tdomid;
    });
  }

  /** GET_FEATURE: the caller's own features (domid omitted), or a domain's (dom0 only). */
  getFeature(caller: CallerRef, domid?: number): number {
    return this.op(caller, 0, (ctx) => {
      if (domid === undefined) return this.domains.get(ctx.conn.id)?.features ?? XENSTORE_FEATURES;
      this.privileged(ctx);
      checkDomid(domid);
      return this.domainRec(domid).features;
    });
  }

  /** SET_FEATURE (dom0 only), before the domain is introduced; only features we have. */
  setFeature(caller: CallerRef, domid: number, features: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      checkDomid(domid);
      const d = this.domainRec(domid);
      if (d.conn) throw xsErr('EBUSY', 'already introduced');
      if (features & ~XENSTORE_FEATURES) throw xsErr('EINVAL', 'unsupported feature');
      d.features = features >>> 0;
    });
  }

  /** The features to put in a domain's ring page. */
  featuresOf(domid: number): number {
    return this.domains.get(domid)?.features ?? XENSTORE_FEATURES;
  }

  /** GET_QUOTA (dom0 only): a global (domid null) or per-domain quota; 0 = unlimited. */
  getQuota(caller: CallerRef, domid: number | null, name: string): number {
    return this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      const q = quotaName(name);
      if (domid === null) return this.globalQuotas.get(q)!;
      checkDomid(domid);
      return this.domainRec(domid).quotas.get(q) ?? this.globalQuotas.get(q)!;
    });
  }

  /** SET_QUOTA (dom0 only). */
  setQuota(caller: CallerRef, domid: number | null, name: string, value: number): void {
    this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      const q = quotaName(name);
      if (domid === null) this.globalQuotas.set(q, value >>> 0);
      else {
        checkDomid(domid);
        this.domainRec(domid).quotas.set(q, value >>> 0);
      }
    });
  }

  /** The quota names GET_QUOTA lists. */
  get quotaNames(): readonly string[] {
    return QUOTA_NAMES;
  }

  /** CONTROL (dom0 only): "check", "help", "print <text>", "quota [<domid>]". */
  control(caller: CallerRef, args: readonly string[]): string {
    return this.op(caller, 0, (ctx) => {
      this.privileged(ctx);
      switch (args[0]) {
        case 'check': return 'OK';
        case 'help': return 'check\nhelp\nprint\nquota\n';
        case 'print':
          this.hooks.log?.(args.slice(1).join(' '));
          return 'OK';
        case 'quota': {
          if (args.length < 2) return QUOTA_NAMES.map((q) => `${q.padEnd(17)}: ${this.globalQuotas.get(q)}\n`).join('');
          const domid = Number(args[1]);
          if (!Number.isInteger(domid) || !this.domains.has(domid)) throw xsErr('ENOENT');
          return `Domain ${domid}:\n` + `${'nodes'.padEnd(17)}: ${String(this.db.ownedBy(domid)).padStart(8)}\n` +
            `${'watches'.padEnd(17)}: ${String(this.domains.get(domid)!.conn?.watches.length ?? 0).padStart(8)}\n` +
            `${'transactions'.padEnd(17)}: ${String(this.domains.get(domid)!.conn?.transactions.size ?? 0).padStart(8)}\n`;
        }
        default: throw xsErr('EINVAL', `unknown control command ${args[0] ?? ''}`);
      }
    });
  }

  /** Domids with a connection (introduced), in introduction order. */
}
