// The xenstore-* commands of dom0 (tools/xs-clients), over dom0's privileged
// connection: ls (indented "name = "value"" lines, values made printable the
// way xenstore-ls does -- \t \n \r \\ escaped, other control bytes as \ooo or
// \xhh -- and lines cut at 80 columns with \... unless -f; -p appends the
// permissions, dotted out to column 60), read, write, rm, chmod and watch
// (prints each changed path; -n NR stops after NR events). Errors are the
// tools' messages: "couldn't read path P", "could not write path P",
// "could not remove path P", "xs_directory (P): No such file or directory".
import type { StoreClient } from '../toolstack/store';
import { xsErrno } from '../toolstack/store';
import { fail, ok, type Follow, type XlResult } from './result';

const MAX_WIDTH = 80, DESIRED_WIDTH = 60, TAG_LEN = 8;

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', EINVAL: 'Invalid argument',
  EEXIST: 'File exists', ENOSPC: 'No space left on device', E2BIG: 'Argument list too long', EPERM: 'Operation not permitted',
};

export function sanitise(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c <= 0x7e && ch !== '\\') out += ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') out += '\\\\';
    else if (c < 8) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += `\\x${(c & 0xff).toString(16).padStart(2, '0')}`;
  }
  return out;
}

function ls(xs: StoreClient, path: string, depth: number, perms: boolean, full: boolean, out: string[]): void {
  const maxWidth = full ? Infinity : MAX_WIDTH, desired = full ? 0 : DESIRED_WIDTH;
  for (const name of xs.directory(path)) {
    const child = path.endsWith('/') ? `${path}${name}` : `${path}/${name}`;
    let line = ' '.repeat(depth);
    line += name.slice(0, Math.max(0, maxWidth - TAG_LEN - line.length));
    const val = xs.read(child);
    if (val === undefined) {
      line += ':';
    } else {
      const s = sanitise(val);
      if (maxWidth < line.length + s.length + TAG_LEN) {
        line += ` = "${s.slice(0, Math.max(0, maxWidth - TAG_LEN - line.length))}\\..."`;
      } else {
        line += ` = "${s}"`;
        if (perms) {
          line += ' ';
          for (let w = line.length; w < Math.min(desired, maxWidth); w++) line += w & 1 ? '.' : ' ';
        }
      }
    }
    if (perms) line += `  (${xs.getPerms(child).join(',')})`;
    out.push(line);
    try {
      ls(xs, child, depth + 1, perms, full, out);
    } catch (e) {
      // A node that disappears while we recurse is passed over, as xenstore-ls does.
      if (xsErrno(e) !== 'ENOENT') throw e;
    }
  }
}

export function xenstoreCommand(xs: StoreClient, cmd: string, argv: string[]): XlResult {
  const flags = new Set(argv.filter((a) => /^-[a-zA-Z]+$/.test(a)).flatMap((a) => a.slice(1).split('')));
  const args: string[] = [];
  let nr = -1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-n') { nr = Number(argv[++i]); continue; }
    if (!/^-[a-zA-Z]+$/.test(argv[i]!)) args.push(argv[i]!);
  }
  const errText = (e: unknown): string => ERRNO_TEXT[xsErrno(e) ?? ''] ?? (xsErrno(e) ?? (e as Error).message);
  switch (cmd) {
    case 'xenstore-ls': case 'xenstore-list': {
      const path = args[0] ?? '/';
      const out: string[] = [];
      try {
        if (cmd === 'xenstore-list') out.push(...xs.directory(path));
        else ls(xs, path, 0, flags.has('p'), flags.has('f'), out);
      } catch (e) {
        return fail(cmd === 'xenstore-list' ? `${cmd}: could not list path ${path}` : `${cmd}: xs_directory (${path}): ${errText(e)}`);
      }
      return ok(out.map((l) => `${l}\n`).join(''));
    }
    case 'xenstore-read': {
      if (args.length === 0) return fail('Usage: xenstore-read [-h] [-p] [-R] key [...]');
      let out = '';
      for (const p of args) {
        let v: string | undefined;
        try { v = xs.read(p); } catch { v = undefined; }
        if (v === undefined) return { out, err: `${cmd}: couldn't read path ${p}\n`, status: 1 };
        out += `${flags.has('p') ? `${p}: ` : ''}${flags.has('R') ? v : sanitise(v)}\n`;
      }
      return ok(out);
    }
    case 'xenstore-write': {
      if (args.length === 0 || args.length % 2 !== 0) return fail('Usage: xenstore-write [-h] [-R] key value [...]');
      for (let i = 0; i < args.length; i += 2) {
        try { xs.write(args[i]!, args[i + 1]!); } catch { return fail(`${cmd}: could not write path ${args[i]}`); }
      }
      return ok();
    }
    case 'xenstore-rm': {
      if (args.length === 0) return fail('Usage: xenstore-rm [-h] [-t] key [...]');
      for (const p of args) {
        try {
          if (xs.read(p) === undefined) throw new Error('absent');
          xs.rm(p);
        } catch {
          return fail(`${cmd}: could not remove path ${p}`);
        }
      }
      return ok();
    }
    case 'xenstore-chmod': {
      if (args.length < 2) return fail('Usage: xenstore-chmod [-h] [-u] [-r] key <mode [modes...]>');
      const [path, ...perms] = args;
      const targets = flags.has('r') && xs.walk ? xs.walk(path!) : [path!];
      try {
        for (const t of targets) xs.setPerms(t, perms);
      } catch (e) {
        return fail(`${cmd}: Error occurred trying to set permissions on ${path}: ${errText(e)}`);
      }
      return ok();
    }
    case 'xenstore-exists': {
      return args.every((p) => xs.read(p) !== undefined) ? ok() : { out: '', err: '', status: 1 };
    }
    case 'xenstore-watch': {
      if (args.length !== 1) return fail('Usage: xenstore-watch [-h] [-n NR] key');
      const queue: string[] = [];
      let seen = 0, done = false;
      let unwatch = (): void => {};
      unwatch = xs.watch(args[0]!, 'xenstore-watch', (p) => {
        if (done) return;
        queue.push(p);
        seen++;
        if (nr > 0 && seen >= nr) { done = true; unwatch(); }
      });
      if (done) unwatch();
      const follow: Follow = {
        poll: () => {
          if (queue.length === 0) return done ? null : '';
          const text = queue.map((p) => `${p}\n`).join('');
          queue.length = 0;
          return text;
        },
        stop: () => { done = true; unwatch(); },
      };
      return { ...ok(), follow };
    }
    default:
      return fail(`${cmd}: command not found (try help)`, 127);
  }
}
