// What the toolstack and the xl shell need of xenstored, as a dom0 client sees
// it (libxenstore's xs_* calls on a privileged connection): read, write, mkdir,
// rm, directory, permissions, watches, and the domain-lifecycle requests
// INTRODUCE and RELEASE. Errors are thrown with the errno name xenstored would
// send (`errno`, e.g. "ENOENT"), so xenstore-* commands can print them.
// xenstoredClient() adapts src/dom0/xenstore's engine to this interface.

export interface StoreClient {
  /** The node's value, or undefined when it does not exist. */
  read(path: string): string | undefined;
  write(path: string, value: string): void;
  mkdir(path: string): void;
  /** Remove a subtree; fine when it is absent. */
  rm(path: string): void;
  /** Child names in creation order (throws ENOENT). */
  directory(path: string): string[];
  /** "n0", "r5"... first entry = owner and default (throws ENOENT). */
  getPerms(path: string): string[];
  setPerms(path: string, perms: string[]): void;
  /** Fires once at once, then at each change under `path`; returns the unwatch. */
  watch(path: string, token: string, cb: (path: string, token: string) => void): () => void;
  /** XS_INTRODUCE: start serving the domain's ring. */
  introduce(domid: number, mfn: number, port: number): void;
  /** XS_RELEASE: stop serving it; its connection, watches and owned nodes go; @releaseDomain fires. */
  release(domid: number): void;
  /** Is the domain introduced (has a connection)? */
  isIntroduced(domid: number): boolean;
  /** Every node path under (and including) `path`, depth first in creation order. */
  walk?(path: string): string[];
}

/** The errno name of a thrown xenstore error, or undefined for anything else. */
export function xsErrno(e: unknown): string | undefined {
  const errno = (e as { errno?: unknown } | null)?.errno;
  return typeof errno === 'string' ? errno : undefined;
}
