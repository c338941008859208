// xenstored's state for snapshots: the node database with generations, every
// connection (watches, open transactions with their private copies, the next
// transaction id), the domain records with features, shutdown flags and quotas,
// the global quotas, and each guest ring's adapter state (a request half read,
// replies and events not yet on the ring, a connection cut off).
//
// Not saved: watches with a TypeScript callback (dom0 tools such as a running
// `xenstore-watch`; a callback cannot be written down) and connections opened
// by dom0 code other than the machine's own toolstack client. The first
// connection is that client's (the Machine opens it first): restoring keeps the
// new machine's client object and gives it the saved state.
import { toBase64 } from '../../shared/base64';
import type { Rec } from '../../shared/record';
import { XsConnection, Transaction, type Access, type Watch } from './connection';
import type { DomainRec } from './core';
import { childPath, parentOf } from './paths';
import type { XsPerm } from './perms';
import { QUOTA_NAMES, type QuotaName } from './quota';
import type { XenstoreService } from './ring';
import { NO_GENERATION, type XsNode } from './tree';
import { WireConn, XENSTORE_PAYLOAD_MAX, XSD_HEADER_SIZE, type Outgoing } from './wire';

export const XENSTORE_STATE_VERSION = 1;
const MAX_NODES = 200_000;
const MAX_VALUE = 1 << 20;
const MAX_GEN = 2 ** 53;

type Role = 'client' | 'domain' | 'default';

function saveNode(n: XsNode): Record<string, unknown> {
  return { perms: n.perms.map((p) => ({ ...p })), value: toBase64(n.value), children: [...n.children], generation: n.generation };
}

function saveAccess(name: string, a: Access): Record<string, unknown> {
  return {
    name, gen: a.gen, node: a.node ? saveNode(a.node) : null, modified: a.modified, fire: a.fire,
    oldPerms: a.oldPerms ? a.oldPerms.map((p) => ({ ...p })) : null,
  };
}

function saveConn(c: XsConnection, role: Role): Record<string, unknown> {
  return {
    role, id: c.id, target: c.target, nextTxId: c.nextTxId,
    // A TypeScript callback cannot be saved: such watches are left out (see the top).
    watches: c.watches.filter((w) => w.callback === null).map((w) => ({ node: w.node, token: w.token, depth: w.depth, prefixLen: w.prefixLen })),
    transactions: [...c.transactions.values()].map((t) => ({
      id: t.id, generation: t.generation, nodeCreated: t.nodeCreated, fail: t.fail,
      accessed: [...t.accessed].map(([name, a]) => saveAccess(name, a)), delta: [...t.delta],
    })),
  };
}

export function saveXenstore(svc: XenstoreService): Record<string, unknown> {
  const xs = svc.xs, core = xs.internals();
  if (core.pending.length) throw new Error('xenstored saved in the middle of an operation');
  const domConn = new Map<XsConnection, DomainRec>();
  for (const d of core.domains.values()) if (d.conn) domConn.set(d.conn, d);
  const byDomid = new Set(core.byDomid.values());
  const conns: { c: XsConnection; role: Role }[] = [];
  core.conns.forEach((c, i) => {
    if (i === 0 && c.id === 0 && c.sink === null && !domConn.has(c) && !byDomid.has(c)) conns.push({ c, role: 'client' });
    else if (domConn.has(c)) conns.push({ c, role: 'domain' });
    else if (byDomid.has(c)) conns.push({ c, role: 'default' });
  });
  const index = new Map(conns.map((x, i) => [x.c, i]));
  return {
    version: XENSTORE_STATE_VERSION,
    generation: xs.db.generation,
    nodes: [...xs.db.entries()].map(([path, n]) => ({ path, ...saveNode(n) })),
    conns: conns.map((x) => saveConn(x.c, x.role)),
    domains: [...core.domains.values()].map((d) => ({
      domid: d.domid, conn: d.conn ? index.get(d.conn) : -1, features: d.features, shutdown: d.shutdown, quotas: [...d.quotas],
    })),
    globalQuotas: [...core.globalQuotas],
    rings: [...svc.ringMap().values()].map((r) => {
      const w = r.wc.state();
      return {
        domid: r.domid, base: r.base, port: r.port, sent: r.sent, broken: r.broken,
        wire: { out: w.out.map((m) => ({ bytes: toBase64(m.bytes), reply: m.reply, event: m.event ?? null })), partial: toBase64(w.partial), hdr: w.hdr },
      };
    }),
  };
}

// ---- Reading ----

function readPerms(r: Rec): XsPerm[] {
  const list = r.list(1024);
  if (list.length === 0) r.fail('a node has at least one permission entry');
  return list.map((p) => {
    const perm: XsPerm = { id: p.get('id').int(0, 0xffffffff), perms: p.get('perms').int(0, 3) };
    const ignore = p.opt('ignore');
    if (ignore?.bool()) perm.ignore = true;
    return perm;
  });
}

function readNode(r: Rec): XsNode {
  const children = r.get('children').list(MAX_NODES).map((c) => {
    const s = c.str(2048);
    if (s === '' || s.includes('/') || s.includes('\0')) c.fail('not a child name');
    return s;
  });
  return { perms: readPerms(r.get('perms')), value: r.get('value').bytes(MAX_VALUE), children, generation: r.get('generation').int(NO_GENERATION, MAX_GEN) };
}

function readWatch(r: Rec): Watch {
  return {
    node: r.get('node').str(4096), token: r.get('token').str(4096), depth: r.get('depth').int(-1, 4096),
    prefixLen: r.get('prefixLen').int(0, 64), callback: null,
  };
}

function readTransaction(r: Rec): Transaction {
  const t = new Transaction(r.get('id').int(1, 0xffffffff), r.get('generation').int(0, MAX_GEN));
  t.nodeCreated = r.get('nodeCreated').bool();
  t.fail = r.get('fail').bool();
  for (const a of r.get('accessed').list(MAX_NODES)) {
    const name = a.get('name').str(4096);
    if (t.accessed.has(name)) a.get('name').fail('accessed twice');
    const node = a.get('node');
    const old = a.get('oldPerms');
    t.accessed.set(name, {
      gen: a.get('gen').int(NO_GENERATION, MAX_GEN), node: node.isNull ? null : readNode(node),
      modified: a.get('modified').bool(), fire: a.get('fire').int(0, 2) as 0 | 1 | 2, oldPerms: old.isNull ? null : readPerms(old),
    });
  }
  for (const d of r.get('delta').list(65536)) {
    const [dom, n] = d.list(2);
    if (!n) d.fail('not [domain, count]');
    t.delta.set(dom.int(0, 0xffffffff), n.int(-MAX_NODES, MAX_NODES));
  }
  return t;
}

/**
 * Check a saved record; the result installs it into a machine's xenstored and
 * ring adapter. `ringOk` checks a ring against the machine (its page and port).
 * Returns problems (empty when sound).
 */
export function readXenstore(r: Rec): (svc: XenstoreService, ringOk: (domid: number, base: number, port: number) => string | null) => string[] {
  if (r.get('version').int() !== XENSTORE_STATE_VERSION) r.get('version').fail(`version ${XENSTORE_STATE_VERSION} expected`);
  const generation = r.get('generation').int(0, MAX_GEN);
  const nodes = new Map<string, XsNode>();
  for (const n of r.get('nodes').list(MAX_NODES)) {
    const path = n.get('path').str(4096);
    if (nodes.has(path)) n.get('path').fail('a node appears twice');
    nodes.set(path, readNode(n));
  }
  if (!nodes.has('/')) r.get('nodes').fail('no root node');
  for (const [path, node] of nodes) {
    for (const c of node.children) if (!nodes.has(childPath(path, c))) r.get('nodes').fail(`${path} lists a missing child ${c}`);
    if (path !== '/' && !path.startsWith('@') && !nodes.get(parentOf(path))?.children.some((c) => childPath(parentOf(path), c) === path)) {
      r.get('nodes').fail(`${path} is not listed by its parent`);
    }
  }
  const conns = r.get('conns').list(65536).map((c, i) => {
    const role = c.get('role').oneOf(['client', 'domain', 'default'] as const);
    if ((role === 'client') !== (i === 0)) c.get('role').fail('the first connection, and only it, is the toolstack client');
    const target = c.opt('target');
    return {
      role, id: c.get('id').int(0, 0xffff), target: target ? target.int(0, 0xffff) : null, nextTxId: c.get('nextTxId').int(0, 0xffffffff),
      watches: c.get('watches').list(65536).map(readWatch), transactions: c.get('transactions').list(65536).map(readTransaction), at: c,
    };
  });
  if (conns.length === 0) r.get('conns').fail('no toolstack client connection');
  const domains = r.get('domains').list(65536).map((d) => {
    const conn = d.get('conn').int(-1, conns.length - 1);
    const domid = d.get('domid').int(0, 0xffff);
    if (conn >= 0 && (conns[conn].role !== 'domain' || conns[conn].id !== domid)) d.get('conn').fail(`connection ${conn} is not domain ${domid}'s`);
    const quotas = new Map<QuotaName, number>();
    for (const q of d.get('quotas').list(QUOTA_NAMES.length)) {
      const [name, v] = q.list(2);
      if (!v) q.fail('not [name, value]');
      quotas.set(name.oneOf(QUOTA_NAMES), v.int(0, 0xffffffff));
    }
    return { domid, conn, features: d.get('features').int(0, 0xffffffff), shutdown: d.get('shutdown').bool(), quotas };
  });
  conns.forEach((c, i) => {
    if (c.role === 'domain' && domains.filter((d) => d.conn === i).length !== 1) c.at.fail('a domain connection no domain record names');
  });
  const globalQuotas = r.get('globalQuotas').list(QUOTA_NAMES.length).map((q) => {
    const [name, v] = q.list(2);
    if (!v) q.fail('not [name, value]');
    return [name.oneOf(QUOTA_NAMES), v.int(0, 0xffffffff)] as const;
  });
  const rings = r.get('rings').list(65536).map((g) => {
    const w = g.get('wire');
    const hdrR = w.opt('hdr');
    const hdr = hdrR ? {
      type: hdrR.get('type').int(0, 0xffffffff), reqId: hdrR.get('reqId').int(0, 0xffffffff),
      txId: hdrR.get('txId').int(0, 0xffffffff), len: hdrR.get('len').int(0, XENSTORE_PAYLOAD_MAX),
    } : null;
    const partial = w.get('partial').bytes(XENSTORE_PAYLOAD_MAX);
    if (partial.length >= (hdr ? Math.max(1, hdr.len) : XSD_HEADER_SIZE)) w.get('partial').fail('more bytes than the message being read');
    const out: Outgoing[] = w.get('out').list(4096).map((m) => {
      const ev = m.opt('event');
      const o: Outgoing = { bytes: m.get('bytes').bytes(XSD_HEADER_SIZE + XENSTORE_PAYLOAD_MAX), reply: m.get('reply').bool() };
      if (ev) o.event = ev.str(8192);
      if (o.bytes.length < XSD_HEADER_SIZE) m.get('bytes').fail('shorter than a message header');
      return o;
    });
    const sent = g.get('sent').int(0, out.length ? out[0].bytes.length - 1 : 0);
    const domid = g.get('domid').int(1, 0x7fef);
    const conn = domains.find((d) => d.domid === domid)?.conn ?? -1;
    if (conn < 0) g.get('domid').fail(`domain ${domid} has no connection for its ring`);
    return {
      domid, conn, base: g.get('base').int(0, 2 ** 40), port: g.get('port').int(1, 1023), sent,
      broken: g.get('broken').int(0, 3), wire: { out, partial, hdr },
    };
  });
  if (new Set(rings.map((g) => g.domid)).size !== rings.length) r.get('rings').fail('a domain has two rings');
  if (rings.length !== conns.filter((c) => c.role === 'domain').length) r.get('rings').fail('not one ring per domain connection');

  return (svc, ringOk) => {
    const bad: string[] = [];
    for (const g of rings) {
      const why = ringOk(g.domid, g.base, g.port);
      if (why) bad.push(`xenstore ring of domain ${g.domid}: ${why}`);
    }
    if (bad.length) return bad;
    const xs = svc.xs, core = xs.internals();
    xs.db.load(nodes, generation);
    const client = core.conns[0];
    if (!client || client.id !== 0 || client.sink !== null) return ['this machine has no toolstack client connection to restore'];
    core.conns.length = 0;
    core.byDomid.clear();
    core.domains.clear();
    const ringMap = svc.ringMap();
    ringMap.clear();
    const made: XsConnection[] = [];
    const wires = new Map<number, WireConn>();
    conns.forEach((c, i) => {
      let conn: XsConnection;
      if (c.role === 'client') {
        conn = client;
        conn.watches.length = 0;
        conn.transactions.clear();
      } else if (c.role === 'domain') {
        let wc: WireConn | null = null;
        conn = new XsConnection(c.id, (path, token) => wc?.event(path, token));
        wc = new WireConn(xs, conn);
        wires.set(i, wc);
      } else {
        conn = new XsConnection(c.id, null);
        core.byDomid.set(c.id, conn);
      }
      conn.target = c.target;
      conn.nextTxId = c.nextTxId;
      conn.watches.push(...c.watches);
      for (const t of c.transactions) conn.transactions.set(t.id, t);
      core.conns.push(conn);
      made.push(conn);
    });
    for (const d of domains) {
      core.domains.set(d.domid, { domid: d.domid, conn: d.conn >= 0 ? made[d.conn] : null, features: d.features, shutdown: d.shutdown, quotas: d.quotas });
    }
    for (const [name, v] of globalQuotas) core.globalQuotas.set(name, v);
    for (const g of rings) {
      const wc = wires.get(g.conn)!;
      wc.load(g.wire);
      ringMap.set(g.domid, { domid: g.domid, base: g.base, port: g.port, wc, sent: g.sent, broken: g.broken });
    }
    return bad;
  };
}
