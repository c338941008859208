// The inside of xenstored's engine (xenstored.ts is its API): connections, the
// caller's view of the tree (global, or a transaction's copies, recorded on first
// access), xenstored's permission check with its EACCES-hiding rule, node creation
// with inherited permissions and quota checks before any change, subtree removal,
// transaction commit with generation checks, watch matching and event delivery,
// and the domain records with their quotas. Split from xenstored.ts for size only.
import { XenstoreError, xsErr, type XsErrno } from './errors';
import { type Transaction, XsConnection, type Access, type EventSink, type Watch } from './connection';
import { baseOf, canonicalize, childPath, isChild, parentOf } from './paths';
import { PERM_READ, permFor, type XsPerm } from './perms';
import { NO_GENERATION, NodeDb, makeNode, nodeSize, ownerOf, type XsNode } from './tree';
import { DEFAULT_QUOTAS, type QuotaName, QUOTA_NAMES } from './quota';

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

export interface DomainRec {
  readonly domid: number;
  conn: XsConnection | null;
  features: number;
  shutdown: boolean;
  readonly quotas: Map<QuotaName, number>;
}

/** Where an op reads and writes: the caller and its transaction, if any. */
export interface Ctx {
  readonly conn: XsConnection;
  readonly tx: Transaction | null;
}

export type Match = 'exact' | 'subtree' | 'depth' | 'nodepth';

/** See XenstoreCore.internals. */
export interface CoreInternals {
  readonly conns: XsConnection[];
  readonly domains: Map<number, DomainRec>;
  readonly globalQuotas: Map<QuotaName, number>;
  readonly byDomid: Map<number, XsConnection>;
  readonly pending: readonly unknown[];
}

export class XenstoreCore {
  readonly db = new NodeDb();
  protected readonly hooks: XenstoredHooks;
  protected readonly conns: XsConnection[] = [];
  protected readonly domains = new Map<number, DomainRec>();
  protected readonly globalQuotas = new Map<QuotaName, number>(DEFAULT_QUOTAS);
  /** Default connections of callers named by domid (dom0's, or test stand-ins). */
  protected readonly byDomid = new Map<number, XsConnection>();
  /** Events for TypeScript watches, delivered when the outermost op returns. */
  protected readonly pending: { conn: XsConnection; watch: Watch; path: string }[] = [];
  protected depth = 0;

  constructor(hooks: XenstoredHooks = {}) {
    this.hooks = hooks;
  }

  /** The engine's containers, for snapshots (state.ts); nothing may be kept from them. */
  internals(): CoreInternals {
    return { conns: this.conns, domains: this.domains, globalQuotas: this.globalQuotas, byDomid: this.byDomid, pending: this.pending };
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
  protected op<T>(caller: CallerRef, tx: number, fn: (ctx: Ctx) => T): T {
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

  protected privileged(ctx: Ctx): void {
    if (!ctx.conn.privileged) throw xsErr('EACCES', 'dom0 only');
  }

  protected canon(ctx: Ctx, path: string, allowSpecial: boolean): string {
    const c = ctx.conn;
    return canonicalize(path, c.id, allowSpecial, c.privileged ? 0 : this.quota(c.id, 'path-max'));
  }

  protected domainExists(domid: number): boolean {
    return domid === 0 || (this.hooks.domainExists?.(domid) ?? true);
  }

  /** The node if the caller has `perm` on it, else null (ENOENT) or a throw (any other error). */
  protected lookup(ctx: Ctx, name: string, perm: number): XsNode | null {
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
  protected checked(ctx: Ctx, name: string, perm: number): XsNode {
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
  protected get(ctx: Ctx, name: string): XsNode | undefined {
    const t = ctx.tx;
    if (!t) return this.db.get(name);
    const a = t.accessed.get(name);
    if (a) return a.node ?? undefined;
    return this.access(ctx, t, name).node ?? undefined;
  }

  protected access(ctx: Ctx, t: Transaction, name: string): Access {
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
  protected checkSize(ctx: Ctx, node: XsNode): void {
    if (this.exceeds(ctx.conn.id, 'node-size', nodeSize(node))) throw xsErr('ENOSPC', 'node too large');
  }

  /** Store a node in the caller's view (quota-checked unless told otherwise). */
  protected put(ctx: Ctx, name: string, node: XsNode, check: boolean): void {
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

  protected del(ctx: Ctx, name: string): void {
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
  protected owned(ctx: Ctx, domid: number): number {
    return this.db.ownedBy(domid) + (ctx.tx?.delta.get(domid) ?? 0);
  }

  /**
   * Create `name` and any missing parents (each inherits its parent's
   * permissions; an unprivileged creator becomes the owner). Every quota is
   * checked before anything is stored.
   */
  protected create(ctx: Ctx, name: string, value: Uint8Array): void {
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
  protected rmNode(ctx: Ctx, name: string): void {
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

  protected commit(conn: XsConnection, t: Transaction): void {
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
  protected fire(ctx: Ctx, name: string, match: 'exact' | 'subtree', node: XsNode | null, oldPerms: readonly XsPerm[] | null): void {
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

  protected fireWatches(name: string, match: Match, node: XsNode | null, oldPerms: readonly XsPerm[] | null): void {
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
  protected watchPermitted(c: XsConnection, name: string, node: XsNode | null, oldPerms: readonly XsPerm[] | null): boolean {
    if (oldPerms && permFor(c, oldPerms) & PERM_READ) return true;
    const n = node ?? this.db.get(name);
    if (!n) return false;
    if (permFor(c, n.perms) & PERM_READ) return true;
    const parent = this.db.get(parentOf(name));
    return !!parent && (permFor(c, parent.perms) & PERM_READ) !== 0;
  }

  /** @introduceDomain / @releaseDomain: plain watches, and "<name>/<domid>" for depth watches. */
  protected fireSpecial(name: string, domid: number, nodom: boolean, dom: boolean): void {
    const node = this.db.get(name) ?? null;
    if (nodom) this.fireWatches(name, 'nodepth', node, null);
    if (dom) this.fireWatches(`${name}/${domid}`, 'depth', node, null);
  }

  protected deliver(c: XsConnection, w: Watch, path: string, initial: boolean): void {
    if (c.sink) {
      c.sink(path, w.token);
      return;
    }
    // An identical event still queued is not repeated (specials and the initial event aside).
    if (!initial && !path.startsWith('@') && this.pending.some((e) => e.conn === c && e.path === path && e.watch.token === w.token)) return;
    this.pending.push({ conn: c, watch: w, path });
  }

  // ---- internals: domains and quotas ----

  protected introducedDomain(domid: number): DomainRec {
    checkDomid(domid);
    if (domid === 0) throw xsErr('EINVAL', 'not for dom0');
    const d = this.domains.get(domid);
    if (!d?.conn) throw xsErr('ENOENT', `domain ${domid} not introduced`);
    return d;
  }

  protected connectedDomain(domid: number): DomainRec {
    const d = this.domains.get(domid);
    if (!d?.conn) throw xsErr('ENOENT', `domain ${domid} not introduced`);
    return d;
  }

  /** The record of a domain known to exist (created for one not yet introduced), else ENOENT. */
  protected domainRec(domid: number): DomainRec {
    let d = this.domains.get(domid);
    if (!d) {
      if (!this.domainExists(domid)) throw xsErr('ENOENT', `no domain ${domid}`);
      d = { domid, conn: null, features: XENSTORE_FEATURES, shutdown: false, quotas: new Map() };
      this.domains.set(domid, d);
    }
    return d;
  }

  protected quota(domid: number, q: QuotaName): number {
    return this.domains.get(domid)?.quotas.get(q) ?? this.globalQuotas.get(q)!;
  }

  /** xenstored's quota test: dom0 has none; 0 disables; otherwise val >= quota is over. */
  protected exceeds(domid: number, q: QuotaName, val: number): boolean {
    if (domid === 0) return false;
    const quota = this.quota(domid, q);
    return quota !== 0 && val >= quota;
  }

  /** A released domain's nodes go (as xenstored's domain_tree_remove); entries naming it are dropped. */
  protected removeDomainNodes(domid: number): void {
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

export function checkDomid(domid: number): void {
  if (!Number.isInteger(domid) || domid < 0 || domid > 65535) throw xsErr('EINVAL', `bad domid ${domid}`);
}

export function quotaName(name: string): QuotaName {
  if (!(QUOTA_NAMES as readonly string[]).includes(name)) throw xsErr('EINVAL', `unknown quota ${name}`);
  return name as QuotaName;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}