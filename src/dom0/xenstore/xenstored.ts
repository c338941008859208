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
import { XenstoreError, xsErr, type XsErrno } from './errors';
import { Transaction, XsConnection, type Access, type EventSink, type Watch, type WatchCallback } from './connection';
import { baseOf, canonicalize, childPath, domainPath, isChild, parentOf } from './paths';
import { DOMID_ANY, PERM_OWNER, PERM_READ, PERM_WRITE, parsePerms, permFor, permToString, type XsPerm } from './perms';
import { NO_GENERATION, NodeDb, makeNode, nodeSize, ownerOf, type XsNode } from './tree';
import { DEFAULT_QUOTAS, QUOTA_NAMES, type QuotaName } from './quota';

export type CallerRef = number | XsConnection;

/** Server features we offer in the ring page (error field, WATCH depth, DOMID_ANY), as xenstored. */
export const XENSTORE_FEATURES = 2 | 4 | 8;

export interface XenstoredHooks {
  /** Does a domain with this id exist? Permission entries naming others are ignored. Default: yes. */
  domainExists?(domid: number): boolean;
  /**
   * INTRODUCE: connect the domain's ring (map the page, bind the port) and call
   * attachDomain. Return an errno name to refuse. Without the hook, INTRODUCE
   * attaches a connection whose events are dropped (engine tests use attachDomain).
   */
  introduce?(domid: number, gfn: number, port: number): XsErrno | null;
  /** The domain's connection is gone (RELEASE): unbind and stop serving its ring. */
  release?(domid: number): void;
  /** A line for the log (CONTROL print). */
  log?(line: string): void;
}

interface DomainRec {
  readonly domid: number;
  conn: XsConnection | null;
  features: number;
  shutdown: boolean;
  readonly quotas: Map<QuotaName, number>;
}

/** Where an op reads and writes: the caller and its transaction, if any. */
interface Ctx {
  readonly conn: XsConnection;
  readonly tx: Transaction | null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

type Match = 'exact' | 'subtree' | 'depth' | 'nodepth';

export class Xenstored {
  readonly db = new NodeDb();
  private readonly hooks: XenstoredHooks;
  private readonly conns: XsConnection[] = [];
  private readonly domains = new Map<number, DomainRec>();
  private readonly globalQuotas = new Map<QuotaName, number>(DEFAULT_QUOTAS);
  /** Default connections of callers named by domid (dom0's, or test stand-ins). */
  private readonly byDomid = new Map<number, XsConnection>();
  /** Events for TypeScript watches, delivered when the outermost op returns. */
  private readonly pending: { conn: XsConnection; watch: Watch; path: string }[] = [];
  private depth = 0;

  constructor(hooks: XenstoredHooks = {}) {
    this.hooks = hooks;
  }

  // ---- connections ----

  /** A new connection acting as `domid` (dom0 tools: 0). Events go to `sink`, or to watch callbacks. */
  connect(domid = 0, sink: EventSink | null = null): XsConnection {
    const c = new XsConnection(domid, sink);
    this.conns.push(c);
    return c;
  }

  /** Close a connection: its watches and transactions go away. */
  close(conn: XsConnection): void {
    conn.watches.length = 0;
    conn.transactions.clear();
    conn.closed = true;
    const i = this.conns.indexOf(conn);
    if (i >= 0) this.conns.splice(i, 1);
    for (const [id, c] of this.byDomid) if (c === conn) this.byDomid.delete(id);
  }

  /** The connection a caller names: an introduced domain's own, else a default one for that domid. */
  conn(caller: CallerRef): XsConnection {
    if (typeof caller !== 'number') {
      if (caller.closed) throw new XenstoreError('EINVAL', 'connection is closed');
      return caller;
    }
    const d = this.domains.get(caller);
    if (d?.conn) return d.conn;
    let c = this.byDomid.get(caller);
    if (!c) {
      c = this.connect(caller);
      this.byDomid.set(caller, c);
    }
    return c;
  }

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
  introducedDomains(): number[] {
    return [...this.domains.values()].filter((d) => d.conn).map((d) => d.domid);
  }

  /** Deliver the events queued for TypeScript watch callbacks (ops do this when they return). */
  flush(): void {
    while (this.pending.length > 0) {
      const e = this.pending.shift()!;
      if (!e.conn.closed && e.conn.watches.includes(e.watch)) e.watch.callback?.(e.path, e.watch.token);
    }
  }

  // ---- internals: op frame, permission checks, node access ----

  /** Run an op for a caller in a transaction context; TypeScript events go out when the outermost op ends. */
  private op<T>(caller: CallerRef, tx: number, fn: (ctx: Ctx) => T): T {
    this.depth++;
    try {
      const conn = this.conn(caller);
      let t: Transaction | null = null;
      if (tx !== 0) {
        t = conn.transactions.get(tx >>> 0) ?? null;
        if (!t) throw xsErr('ENOENT', `no transaction ${tx}`);
      }
      return fn({ conn, tx: t });
    } finally {
      if (--this.depth === 0) this.flush();
    }
  }

  private privileged(ctx: Ctx): void {
    if (!ctx.conn.privileged) throw xsErr('EACCES', 'dom0 only');
  }

  private canon(ctx: Ctx, path: string, allowSpecial: boolean): string {
    const c = ctx.conn;
    return canonicalize(path, c.id, allowSpecial, c.privileged ? 0 : this.quota(c.id, 'path-max'));
  }

  private domainExists(domid: number): boolean {
    return domid === 0 || (this.hooks.domainExists?.(domid) ?? true);
  }

  /** The node if the caller has `perm` on it, else null (ENOENT) or a throw (any other error). */
  private lookup(ctx: Ctx, name: string, perm: number): XsNode | null {
    try {
      return this.checked(ctx, name, perm);
    } catch (e) {
      if (e instanceof XenstoreError && e.errno === 'ENOENT') return null;
      throw e;
    }
  }

  /**
   * xenstored's get_node: the node, if it exists and the caller has every bit of
   * `perm`; otherwise ENOENT or EACCES, but EACCES whenever the nearest existing
   * ancestor does not grant any of `perm` (the caller may not learn what is there).
   */
  private checked(ctx: Ctx, name: string, perm: number): XsNode {
    const node = this.get(ctx, name);
    if (node && (permFor(ctx.conn, node.perms) & perm) === perm) return node;
    const errno: XsErrno = node ? 'EACCES' : 'ENOENT';
    let p = name, parent: XsNode | undefined;
    do {
      p = parentOf(p);
      parent = this.get(ctx, p);
    } while (!parent && p !== '/');
    if (parent && permFor(ctx.conn, parent.perms) & perm) throw xsErr(errno, name);
    throw xsErr('EACCES', name);
  }

  /** Read a node in the caller's view; in a transaction the first access is recorded. */
  private get(ctx: Ctx, name: string): XsNode | undefined {
    const t = ctx.tx;
    if (!t) return this.db.get(name);
    const a = t.accessed.get(name);
    if (a) return a.node ?? undefined;
    return this.access(ctx, t, name).node ?? undefined;
  }

  private access(ctx: Ctx, t: Transaction, name: string): Access {
    const a0 = t.accessed.get(name);
    if (a0) return a0;
    if (this.exceeds(ctx.conn.id, 'transaction-nodes', t.accessed.size + 1)) {
      t.fail = true;
      throw xsErr('ENOSPC', 'transaction touches too many nodes');
    }
    const g = this.db.get(name) ?? null;
    const a: Access = { gen: g ? g.generation : NO_GENERATION, node: g, modified: false, fire: 0, oldPerms: g ? g.perms : null };
    t.accessed.set(name, a);
    return a;
  }

  /** Would this write go over the node-size quota? */
  private checkSize(ctx: Ctx, node: XsNode): void {
    if (this.exceeds(ctx.conn.id, 'node-size', nodeSize(node))) throw xsErr('ENOSPC', 'node too large');
  }

  /** Store a node in the caller's view (quota-checked unless told otherwise). */
  private put(ctx: Ctx, name: string, node: XsNode, check: boolean): void {
    if (check) this.checkSize(ctx, node);
    const t = ctx.tx;
    if (!t) {
      this.db.set(name, node);
      return;
    }
    const a = this.access(ctx, t, name);
    bumpDelta(t, a.node, -1);
    a.node = { ...node, generation: ++this.db.generation };
    bumpDelta(t, a.node, +1);
    a.modified = true;
  }

  private del(ctx: Ctx, name: string): void {
    const t = ctx.tx;
    if (!t) {
      this.db.delete(name);
      return;
    }
    const a = this.access(ctx, t, name);
    this.db.generation++;
    bumpDelta(t, a.node, -1);
    a.node = null;
    a.modified = true;
  }

  /** Nodes `domid` owns now, as the caller's view sees them. */
  private owned(ctx: Ctx, domid: number): number {
    return this.db.ownedBy(domid) + (ctx.tx?.delta.get(domid) ?? 0);
  }

  /**
   * Create `name` and any missing parents (each inherits its parent's
   * permissions; an unprivileged creator becomes the owner). Every quota is
   * checked before anything is stored.
   */
  private create(ctx: Ctx, name: string, value: Uint8Array): void {
    const c = ctx.conn;
    const missing: string[] = [];
    let p = name, parent: XsNode | undefined;
    for (;;) {
      missing.push(p);
      p = parentOf(p);
      parent = this.get(ctx, p);
      if (parent) break;
      if (p === '/') throw xsErr('EIO', 'no root node');
    }
    // Top-down: the nodes to store, the existing parent with its new child first.
    const writes: [string, XsNode][] = [[p, { ...parent, children: [...parent.children, baseOf(missing[missing.length - 1]!)] }]];
    let perms = parent.perms;
    for (let i = missing.length - 1; i >= 0; i--) {
      const n = missing[i]!;
      perms = c.privileged ? perms.map((x) => ({ ...x })) : [{ ...perms[0]!, id: c.id }, ...perms.slice(1).map((x) => ({ ...x }))];
      const children = i > 0 ? [baseOf(missing[i - 1]!)] : [];
      writes.push([n, makeNode(perms, i === 0 ? value : new Uint8Array(0), children)]);
    }
    if (this.exceeds(c.id, 'nodes', this.owned(ctx, c.id) + missing.length)) throw xsErr('ENOSPC', 'too many nodes');
    for (const [, n] of writes) this.checkSize(ctx, n);
    if (ctx.tx) ctx.tx.nodeCreated = true;
    for (const [n, node] of writes) this.put(ctx, n, node, false);
  }

  /** rm_node: remove a subtree bottom-up, firing each removed node (its root as a subtree). */
  private rmNode(ctx: Ctx, name: string): void {
    const parentName = parentOf(name);
    const parent = this.get(ctx, parentName);
    if (!parent) throw xsErr('EINVAL', 'parent missing');
    const walk = (n: string): void => {
      const node = this.get(ctx, n);
      if (!node) return;
      for (const child of node.children) walk(childPath(n, child));
      this.del(ctx, n);
      this.fire(ctx, n, n === name ? 'subtree' : 'exact', node, null);
    };
    walk(name);
    const base = baseOf(name);
    this.put(ctx, parentName, { ...parent, children: parent.children.filter((c) => c !== base) }, false);
  }

  private commit(conn: XsConnection, t: Transaction): void {
    if (t.fail) throw xsErr('ENOMEM', 'transaction failed');
    if (t.nodeCreated && !conn.privileged) {
      for (const [domid, d] of t.delta) {
        if (d > 0 && this.exceeds(domid, 'nodes', this.db.ownedBy(domid) + d)) throw xsErr('ENOSPC', 'too many nodes');
      }
    }
    for (const [name, a] of t.accessed) {
      const g = this.db.get(name);
      if ((g ? g.generation : NO_GENERATION) !== a.gen) throw xsErr('EAGAIN', `${name} changed`);
    }
    const ctx: Ctx = { conn, tx: null };
    for (const [name, a] of t.accessed) {
      if (!a.modified) continue;
      if (a.node) this.db.set(name, a.node);
      else this.db.delete(name);
      if (a.fire) this.fire(ctx, name, a.fire === 2 ? 'subtree' : 'exact', null, a.oldPerms);
    }
  }

  // ---- internals: watches ----

  /** A change to `name`: fire now, or remember it for the transaction's commit. */
  private fire(ctx: Ctx, name: string, match: 'exact' | 'subtree', node: XsNode | null, oldPerms: readonly XsPerm[] | null): void {
    const t = ctx.tx;
    if (t) {
      const a = t.accessed.get(name);
      if (!a) {
        t.fail = true;
        return;
      }
      if (match === 'subtree') a.fire = 2;
      else if (!a.fire) a.fire = 1;
      return;
    }
    this.fireWatches(name, match, node, oldPerms);
  }

  private fireWatches(name: string, match: Match, node: XsNode | null, oldPerms: readonly XsPerm[] | null): void {
    for (const c of this.conns) {
      if (!this.watchPermitted(c, name, node, oldPerms)) continue;
      for (const w of c.watches) {
        let send: boolean;
        switch (match) {
          case 'exact': send = name === w.node; break;
          case 'subtree': send = isChild(name, w.node, w.depth); break;
          case 'depth': send = name === w.node || (w.depth > 0 && isChild(name, w.node, w.depth)); break;
          case 'nodepth': send = name === w.node && w.depth < 0; break;
        }
        if (send) this.deliver(c, w, name.slice(w.prefixLen), false);
      }
    }
  }

  /** May `c` hear of a change to `name`? If it can read the node (before or after) or its parent. */
  private watchPermitted(c: XsConnection, name: string, node: XsNode | null, oldPerms: readonly XsPerm[] | null): boolean {
    if (oldPerms && permFor(c, oldPerms) & PERM_READ) return true;
    const n = node ?? this.db.get(name);
    if (!n) return false;
    if (permFor(c, n.perms) & PERM_READ) return true;
    const parent = this.db.get(parentOf(name));
    return !!parent && (permFor(c, parent.perms) & PERM_READ) !== 0;
  }

  /** @introduceDomain / @releaseDomain: plain watches, and "<name>/<domid>" for depth watches. */
  private fireSpecial(name: string, domid: number, nodom: boolean, dom: boolean): void {
    const node = this.db.get(name) ?? null;
    if (nodom) this.fireWatches(name, 'nodepth', node, null);
    if (dom) this.fireWatches(`${name}/${domid}`, 'depth', node, null);
  }

  private deliver(c: XsConnection, w: Watch, path: string, initial: boolean): void {
    if (c.sink) {
      c.sink(path, w.token);
      return;
    }
    // An identical event still queued is not repeated (specials and the initial event aside).
    if (!initial && !path.startsWith('@') && this.pending.some((e) => e.conn === c && e.path === path && e.watch.token === w.token)) return;
    this.pending.push({ conn: c, watch: w, path });
  }

  // ---- internals: domains and quotas ----

  private introducedDomain(domid: number): DomainRec {
    checkDomid(domid);
    if (domid === 0) throw xsErr('EINVAL', 'not for dom0');
    const d = this.domains.get(domid);
    if (!d?.conn) throw xsErr('ENOENT', `domain ${domid} not introduced`);
    return d;
  }

  private connectedDomain(domid: number): DomainRec {
    const d = this.domains.get(domid);
    if (!d?.conn) throw xsErr('ENOENT', `domain ${domid} not introduced`);
    return d;
  }

  /** The record of a domain known to exist (created for one not yet introduced), else ENOENT. */
  private domainRec(domid: number): DomainRec {
    let d = this.domains.get(domid);
    if (!d) {
      if (!this.domainExists(domid)) throw xsErr('ENOENT', `no domain ${domid}`);
      d = { domid, conn: null, features: XENSTORE_FEATURES, shutdown: false, quotas: new Map() };
      this.domains.set(domid, d);
    }
    return d;
  }

  private quota(domid: number, q: QuotaName): number {
    return this.domains.get(domid)?.quotas.get(q) ?? this.globalQuotas.get(q)!;
  }

  /** xenstored's quota test: dom0 has none; 0 disables; otherwise val >= quota is over. */
  private exceeds(domid: number, q: QuotaName, val: number): boolean {
    if (domid === 0) return false;
    const quota = this.quota(domid, q);
    return quota !== 0 && val >= quota;
  }

  /** A released domain's nodes go (as xenstored's domain_tree_remove); entries naming it are dropped. */
  private removeDomainNodes(domid: number): void {
    const ctx: Ctx = { conn: this.conn(0), tx: null };
    const owned: string[] = [];
    const walk = (name: string): void => {
      const node = this.db.get(name);
      if (!node) return;
      if (ownerOf(node) === domid) {
        owned.push(name);
        return;
      }
      for (const c of node.children) walk(childPath(name, c));
    };
    walk('/');
    for (const name of owned) if (this.db.has(name) && name !== '/') this.rmNode(ctx, name);
    for (const name of [...this.db.paths()]) {
      const node = this.db.get(name)!;
      if (node.perms.slice(1).some((p) => p.id === domid)) {
        this.db.set(name, { ...node, perms: [node.perms[0]!, ...node.perms.slice(1).filter((p) => p.id !== domid)] });
      }
    }
  }
}

function bumpDelta(t: Transaction, node: XsNode | null, by: number): void {
  if (!node) return;
  const o = ownerOf(node);
  t.delta.set(o, (t.delta.get(o) ?? 0) + by);
}

function checkDomid(domid: number): void {
  if (!Number.isInteger(domid) || domid < 0 || domid > 65535) throw xsErr('EINVAL', `bad domid ${domid}`);
}

function quotaName(name: string): QuotaName {
  if (!(QUOTA_NAMES as readonly string[]).includes(name)) throw xsErr('EINVAL', `unknown quota ${name}`);
  return name as QuotaName;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
