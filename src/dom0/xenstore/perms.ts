// Xenstore permissions (docs/misc/xenstore.txt "Permissions"; xenstored's
// perm_for_conn). A node carries a list of entries {domid, r/w/b/n}; the first
// names the owner and gives the access of every domain without an entry of its
// own. The owner, a privileged caller (dom0) and a caller whose target (SET_TARGET)
// is the owner get read, write and ownership; DOMID_ANY in the first entry gives
// everyone that too. Entries naming a domain that does not exist are kept but
// ignored (so a later domain reusing the id gains nothing), as xenstored marks them.
// Strings: "r5", "w0", "b3", "n0"; the number is parsed as C's strtol(base 0).
import { xsErr } from './errors';

export const PERM_NONE = 0, PERM_READ = 1, PERM_WRITE = 2, PERM_OWNER = 8;
/** The domid that stands for any domain in a permission entry (xen.h DOMID_ANY). */
export const DOMID_ANY = 0x7ff5;

export interface XsPerm {
  id: number;
  /** PERM_READ | PERM_WRITE bits. */
  perms: number;
  /** An entry for a domain that did not exist when it was set: no effect. */
  ignore?: boolean;
}

/** What a caller is: its domid, whether it is privileged, and its SET_TARGET domain. */
export interface Caller {
  readonly id: number;
  readonly privileged: boolean;
  readonly target: number | null;
}

const LETTER: Record<number, string> = { [PERM_NONE]: 'n', [PERM_READ]: 'r', [PERM_WRITE]: 'w', [PERM_READ | PERM_WRITE]: 'b' };

export function permToString(p: XsPerm): string {
  return `${LETTER[p.perms & 3]}${p.id}`;
}

/** strtol(s, &end, 0) over the whole string, or NaN if anything is left over. */
function strtol0(s: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return NaN;
  const body = m[2]!;
  const v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

/** Parse "r5"-style strings; EINVAL on a bad letter or number. */
export function parsePerms(strings: readonly string[]): XsPerm[] {
  return strings.map((s) => {
    const letter = s.charAt(0);
    const perms = letter === 'r' ? PERM_READ : letter === 'w' ? PERM_WRITE : letter === 'b' ? PERM_READ | PERM_WRITE : letter === 'n' ? PERM_NONE : -1;
    const id = strtol0(s.slice(1));
    if (perms < 0 || s.length < 2 || !Number.isFinite(id)) throw xsErr('EINVAL', `bad permission ${JSON.stringify(s)}`);
    // xenstored keeps the id in an unsigned int; ids only ever match real domids.
    return { id: id >>> 0, perms };
  });
}

function allows(c: Caller, id: number): boolean {
  return id === c.id || (c.target !== null && id === c.target) || id === DOMID_ANY;
}

/** The PERM_READ/WRITE/OWNER bits `c` has on a node with `perms`. */
export function permFor(c: Caller, perms: readonly XsPerm[]): number {
  const all = PERM_READ | PERM_WRITE | PERM_OWNER;
  if (c.privileged || allows(c, perms[0]!.id)) return all;
  for (let i = 1; i < perms.length; i++) {
    const p = perms[i]!;
    if (!p.ignore && allows(c, p.id)) return p.perms & all;
  }
  return perms[0]!.perms & all;
}
