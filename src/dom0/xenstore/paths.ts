// Xenstore path rules (docs/misc/xenstore.txt; xenstored's canonicalize()).
// A path is absolute ("/a/b") or relative to the caller's home
// /local/domain/<domid>; "@..." names a special watch node, accepted only where
// the op allows it (watch, unwatch, get/set_perms). Characters are ASCII letters,
// digits and -/_@; no trailing slash except "/" itself, no "//", not empty.
// Length: an unprivileged caller's path, counted after "/local/domain/<id>/" when
// it lies there, must stay under XENSTORE_REL_PATH_MAX (xenstored's path-max
// quota); every path must fit XENSTORE_ABS_PATH_MAX (xenstored applies no limit
// to dom0 itself; we keep the documented one for everyone). Violations: EINVAL.
import { xsErr } from './errors';

export const XENSTORE_ABS_PATH_MAX = 3072;
export const XENSTORE_REL_PATH_MAX = 2048;

const VALID = /^[A-Za-z0-9\-/_@]*$/;
const LOCAL = /^\/local\/domain\/(\d{1,5})\//;

export function domainPath(domid: number): string {
  return `/local/domain/${domid}`;
}

/**
 * The absolute form of `path` for a caller with domid `home`, or EINVAL.
 * `pathMax` is the caller's path-max quota (0 = none: privileged callers).
 */
export function canonicalize(path: string, home: number, allowSpecial: boolean, pathMax: number): string {
  if (!VALID.test(path) || (path.startsWith('@') && !allowSpecial)) throw xsErr('EINVAL', `bad path ${JSON.stringify(path)}`);
  const name = path.startsWith('/') || path.startsWith('@') ? path : `${domainPath(home)}/${path}`;
  if ((name.endsWith('/') && name !== '/') || name.includes('//')) throw xsErr('EINVAL', `bad path ${JSON.stringify(path)}`);
  if (name.length > XENSTORE_ABS_PATH_MAX) throw xsErr('EINVAL', 'path too long');
  const local = LOCAL.exec(name);
  const off = local ? local[0].length : 0;
  if (pathMax && name.length - off >= pathMax) throw xsErr('EINVAL', 'path too long');
  return name;
}

/** The parent of a canonical path ("/" for "/a" and for "/"); for "@x" it is "/". */
export function parentOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash <= 0 ? '/' : name.slice(0, slash);
}

export function baseOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/**
 * Is `child` the path `parent` itself or below it, at most `depth` levels down
 * (depth < 0: any depth)? As xenstored's is_child for watches.
 */
export function isChild(child: string, parent: string, depth = -1): boolean {
  if (!child.startsWith(parent)) return false;
  const len = parent.length;
  const next = child.charAt(len);
  if (len > 1 && next !== '/' && next !== '') return false;
  if (depth < 0 || next === '') return true;
  // Levels below parent: count the slashes after it ("/" itself counts as one level).
  let levels = len === 1 ? 1 : 0;
  for (let i = len; i < child.length; i++) if (child[i] === '/') levels++;
  return levels <= depth;
}
