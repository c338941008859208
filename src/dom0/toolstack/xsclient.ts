// The toolstack's StoreClient over xenstored's engine (src/dom0/xenstore), as
// dom0's privileged connection: the one place the toolstack and the xl shell
// touch xenstored's API.
import type { Xenstored } from '../xenstore/xenstored';
import type { StoreClient } from './store';
import { xsErrno } from './store';

export function xenstoredClient(xs: Xenstored): StoreClient {
  const conn = xs.connect(0);
  let tokens = 0;
  const client: StoreClient = {
    read(path) {
      return xs.tryRead(conn, path);
    },
    write(path, value) { xs.write(conn, path, value); },
    mkdir(path) { xs.mkdir(conn, path); },
    rm(path) {
      try {
        xs.rm(conn, path);
      } catch (e) {
        if (xsErrno(e) !== 'ENOENT') throw e;
      }
    },
    directory(path) { return xs.directory(conn, path); },
    getPerms(path) { return xs.getPermStrings(conn, path); },
    setPerms(path, perms) { xs.setPerms(conn, path, perms); },
    watch(path, token, cb) {
      // Each watch gets its own token inside xenstored, so two callers may use the same one.
      const inner = `${token}\0${tokens++}`;
      xs.watch(conn, path, inner, (p) => cb(p, token));
      return () => {
        try { xs.unwatch(conn, path, inner); } catch { /* already gone */ }
      };
    },
    introduce(domid, mfn, port) { xs.introduce(conn, domid, mfn, port); },
    release(domid) { xs.release(conn, domid); },
    isIntroduced(domid) { return xs.isDomainIntroduced(conn, domid); },
    walk(path) {
      const out: string[] = [];
      const visit = (p: string): void => {
        out.push(p);
        for (const c of xs.directory(conn, p)) visit(p === '/' ? `/${c}` : `${p}/${c}`);
      };
      visit(path);
      return out;
    },
  };
  return client;
}
