// The node database: one map from canonical path to node, as xenstored's data
// base keyed by name. Nodes are immutable values (a change stores a new object),
// so a transaction's private copies never alias the global ones. Each stored
// node carries the generation count of its last change; the database keeps the
// per-domain count of nodes each domain owns (first permission entry), which the
// "nodes" quota reads. The initial tree is xenstored's: "/", "/tool",
// "/tool/xenstored", and the special nodes "@introduceDomain" and
// "@releaseDomain" (readable by any domain, as xenstored sets it up).
import { DOMID_ANY, PERM_NONE, PERM_READ, type XsPerm } from './perms';

export interface XsNode {
  readonly perms: readonly XsPerm[];
  readonly value: Uint8Array;
  /** Child names in creation order, as xenstored keeps them. */
  readonly children: readonly string[];
  /** The global generation count at the node's last change. */
  readonly generation: number;
}

/** A generation count no stored node has: "did not exist". */
export const NO_GENERATION = -1;

const EMPTY = new Uint8Array(0);

export function makeNode(perms: readonly XsPerm[], value: Uint8Array = EMPTY, children: readonly string[] = []): XsNode {
  return { perms, value, children, generation: NO_GENERATION };
}

export function ownerOf(n: XsNode): number {
  return n.perms[0]!.id;
}

/** xenstored's accounted node size: header 16, 8 per permission, value, child names with NULs. */
export function nodeSize(n: XsNode): number {
  let size = 16 + 8 * n.perms.length + n.value.length;
  for (const c of n.children) size += c.length + 1;
  return size;
}

export class NodeDb {
  private readonly nodes = new Map<string, XsNode>();
  private readonly owned = new Map<number, number>();
  /** The global generation counter: incremented before every copy to a node or transaction. */
  generation = 0;

  constructor() {
    const dom0None: XsPerm[] = [{ id: 0, perms: PERM_NONE }];
    this.set('/', makeNode(dom0None, EMPTY, ['tool']));
    this.set('/tool', makeNode(dom0None, EMPTY, ['xenstored']));
    this.set('/tool/xenstored', makeNode(dom0None));
    this.set('@releaseDomain', makeNode([{ id: 0, perms: PERM_NONE }, { id: DOMID_ANY, perms: PERM_READ }]));
    this.set('@introduceDomain', makeNode(dom0None));
  }

  get(name: string): XsNode | undefined {
    return this.nodes.get(name);
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  /** Store `node` under `name`, stamping it with a fresh generation. */
  set(name: string, node: XsNode): XsNode {
    const stamped = { ...node, generation: ++this.generation };
    this.account(this.nodes.get(name), stamped);
    this.nodes.set(name, stamped);
    return stamped;
  }

  delete(name: string): void {
    const old = this.nodes.get(name);
    if (!old) return;
    this.generation++;
    this.account(old, undefined);
    this.nodes.delete(name);
  }

  /** Nodes owned by `domid`. */
  ownedBy(domid: number): number {
    return this.owned.get(domid) ?? 0;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Every path, in insertion order (for dumps and tests). */
  paths(): IterableIterator<string> {
    return this.nodes.keys();
  }

  /** Every node with its path, in insertion order (for snapshots). */
  entries(): IterableIterator<[string, XsNode]> {
    return this.nodes.entries();
  }

  /** Replace the whole database (a snapshot's, already checked); owner counts are recounted. */
  load(nodes: Iterable<[string, XsNode]>, generation: number): void {
    this.nodes.clear();
    this.owned.clear();
    for (const [name, node] of nodes) {
      this.account(undefined, node);
      this.nodes.set(name, node);
    }
    this.generation = generation;
  }

  private account(old: XsNode | undefined, now: XsNode | undefined): void {
    if (old) this.bump(ownerOf(old), -1);
    if (now) this.bump(ownerOf(now), +1);
  }

  private bump(domid: number, by: number): void {
    const n = (this.owned.get(domid) ?? 0) + by;
    if (n === 0) this.owned.delete(domid);
    else this.owned.set(domid, n);
  }
}
