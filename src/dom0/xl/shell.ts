// The Domain-0 shell: `xl ...` and `xenstore-*` command lines in, text out
// (stdout, stderr and an exit status, as the real commands give them). It is
// pure with respect to its host: the CLI (tools/xl.ts) and the UI's Domain-0
// terminal both feed it lines and show what comes back. Commands that go on
// after they return -- `xl console`, `xenstore-watch`, `xl shutdown -w` --
// hand back `attach` (the caller connects its terminal to that domain's
// console until Ctrl-]) or a Follow whose poll() the caller calls between
// machine slices until it returns null (or until the user stops it).
// Command words are split like a shell's: blanks separate, quotes group,
// backslash escapes.
import type { Hypervisor } from '../../hv/hypervisor';
import type { Toolstack } from '../toolstack/toolstack';
import type { StoreClient } from '../toolstack/store';
import { ConfigError, parseDomainConfig } from '../toolstack/config';
import { allDomains, domInfo, formatInfo, formatList, formatVcpuList } from './format';
import { dumpDomains, dumpEvtchn, dumpGrants } from './debugkeys';
import type { ConsoleRing } from './dmesg';
import { xenstoreCommand } from './xenstore';
import { fail, ok, type Follow, type XlResult } from './result';

export { fail, ok, type Follow, type XlResult } from './result';

export interface XlHost {
  hv: Hypervisor;
  toolstack: Toolstack;
  store: StoreClient;
  dmesg: ConsoleRing;
  /** Files `xl create` may read (config files, kernels); undefined: not found. */
  readFile?(path: string): Uint8Array | undefined;
}

/** Split a command line into words (blanks, quotes, backslash). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '', inWord = false, quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; inWord = true; }
    else if (c === '\\' && i + 1 < line.length) { cur += line[++i]; inWord = true; }
    else if (c === ' ' || c === '\t') { if (inWord) words.push(cur); cur = ''; inWord = false; }
    else { cur += c; inWord = true; }
  }
  if (inWord) words.push(cur);
  return words;
}

const XL_HELP = `Usage xl [-vfNtT] <subcommand> [args]

xl full list of subcommands (the ones pvplay has):

 create              Create a domain from config file <filename>
 destroy             Terminate a domain immediately
 shutdown            Issue a shutdown signal to a domain
 reboot              Issue a reboot signal to a domain
 pause               Pause execution of a domain
 unpause             Unpause a paused domain
 console             Attach to domain's console
 list                List information about all/some domains
 vcpu-list           List the VCPUs for all/some domains
 info                Get information about Xen host
 dmesg               Read and/or clear dmesg buffer
 debug-keys          Send debug keys to Xen
 help                Print this help
`;

const HELP = `${XL_HELP}
xenstore commands:

 xenstore-ls [-f] [-p] [path]      List a subtree (-p: permissions)
 xenstore-read [-p] path...        Print values
 xenstore-write path value...      Write values
 xenstore-rm [-t] path...          Remove nodes
 xenstore-chmod [-r] path perm...  Set permissions (n0, r1, w2, b3)
 xenstore-watch [-n NR] path       Print each path that changes (Ctrl-C ends)
`;

export class XlShell {
  private readonly host: XlHost;

  constructor(host: XlHost) {
    this.host = host;
  }

  /** Run one command line. */
  exec(line: string): XlResult {
    const words = splitWords(line.trim());
    if (words.length === 0) return ok();
    const [cmd, ...args] = words;
    try {
      if (cmd === 'xl') return this.xl(args);
      if (cmd === 'help') return ok(HELP);
      if (cmd!.startsWith('xenstore-')) return xenstoreCommand(this.host.store, cmd!, args);
      return fail(`${cmd}: command not found (try help)`, 127);
    } catch (e) {
      return fail(`${cmd}: ${(e as Error).message}`);
    }
  }

  /** The domid xl's find_domain gives an identifier, or an error result. */
  private domain(ident: string | undefined, sub: string): number | XlResult {
    if (ident === undefined) return fail(`'xl ${sub}' requires at least 1 argument.\n`, 2);
    const id = this.host.toolstack.find(ident);
    if (id === undefined) return fail(`${ident} is an invalid domain identifier (rc=-6)`);
    return id;
  }

  private xl(args: string[]): XlResult {
    const [sub, ...rest] = args;
    const flags = rest.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('').replace(/-/g, '');
    const pos = rest.filter((a) => !/^-[a-zA-Z]+$/.test(a));
    const { hv, toolstack: ts } = this.host;
    switch (sub) {
      case undefined: case 'help': case '-h':
        return ok(XL_HELP);
      case 'list': case 'li': {
        if (pos.length === 0) return ok(formatList(allDomains(hv)));
        const doms = [];
        for (const p of pos) {
          const id = this.domain(p, sub);
          if (typeof id !== 'number') return id;
          doms.push(id === 0 ? allDomains(hv)[0]! : domInfo(hv, hv.domains.get(id)!));
        }
        return ok(formatList(doms));
      }
      case 'vcpu-list': {
        const ids: number[] = [];
        if (pos.length === 0) ids.push(...allDomains(hv).map((d) => d.id));
        for (const p of pos) {
          const id = this.domain(p, sub);
          if (typeof id !== 'number') return id;
          ids.push(id);
        }
        return ok(formatVcpuList(hv, ids));
      }
      case 'info':
        return ok(formatInfo(hv, { commandLine: hv.commandLine }));
      case 'dmesg': {
        const text = this.host.dmesg.text();
        if (flags.includes('c')) this.host.dmesg.clear();
        return ok(text);
      }
      case 'debug-keys': {
        if (pos.length === 0) return fail("'xl debug-keys' requires at least 1 argument.\n", 2);
        for (const key of pos.join('')) {
          const lines = key === 'e' ? dumpEvtchn(hv) : key === 'g' ? dumpGrants(hv)
            : key === 'q' ? dumpDomains(hv, (id) => ts.records.get(id)?.uuid ?? '') : [`'${key}' pressed -> (no handler in pvplay; try e, g or q)`];
          for (const l of lines) hv.message(l);
        }
        return ok();
      }
      case 'create': return this.create(rest);
      case 'destroy': {
        const id = this.domain(pos[0], sub);
        if (typeof id !== 'number') return id;
        if (id === 0 && !flags.includes('f')) return fail('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n');
        if (id === 0) return fail('destroy failed (rc=-3)');
        ts.destroy(id);
        return ok();
      }
      case 'shutdown': case 'reboot': {
        const what = sub === 'shutdown' ? 'poweroff' : 'reboot';
        const ids = flags.includes('a') ? [...hv.domains.keys()].sort((a, b) => a - b) : [];
        if (!flags.includes('a')) {
          if (pos.length === 0) return fail('You must specify -a or a domain id.\n\n');
          const id = this.domain(pos[0], sub);
          if (typeof id !== 'number') return id;
          ids.push(id);
        }
        let err = '';
        for (const id of ids) {
          err += `${sub === 'shutdown' ? 'Shutting down' : 'Rebooting'} domain ${id}\n`;
          ts.requestShutdown(id, what);
        }
        const res: XlResult = { out: '', err, status: 0 };
        if (flags.includes('w') || flags.includes('W')) res.follow = this.waitFor(ids, flags.includes('W'));
        return res;
      }
      case 'pause': case 'unpause': {
        const id = this.domain(pos[0], sub);
        if (typeof id !== 'number') return id;
        if (id === 0) return fail(`${sub} failed (rc=-3)`);
        if (sub === 'pause') ts.pause(id);
        else ts.unpause(id);
        return ok();
      }
      case 'console': {
        const id = this.domain(pos[0], sub);
        if (typeof id !== 'number') return id;
        if (id === 0) return fail('Domain-0 has no PV console here (its console is this shell)');
        return { ...ok(), attach: id };
      }
      default:
        return fail(`command not implemented\n${XL_HELP}`);
    }
  }

  /** xl create [-c] <file> [key=value...]: extra settings are appended to the file, as xl does. */
  private create(rest: string[]): XlResult {
    const attach = rest.includes('-c');
    const words = rest.filter((a) => a !== '-c');
    const file = words[0];
    if (!file) return fail('Config file not specified and none in save file\n');
    const read = this.host.readFile;
    const bytes = read?.(file);
    if (!bytes) return fail(`Failed to read config file: ${file}: No such file or directory\n`);
    const text = new TextDecoder().decode(bytes) + '\n' + words.slice(1).join('\n');
    let err = `Parsing config from ${file}\n`;
    let cfg;
    try {
      cfg = parseDomainConfig(text, file);
    } catch (e) {
      if (e instanceof ConfigError) return fail(`${err}${e.message}\nFailed to parse config: Invalid argument\n`);
      throw e;
    }
    const kernel = read?.(cfg.kernel);
    if (!kernel) return fail(`${err}libxl: error: cannot read kernel ${cfg.kernel}: No such file or directory\n`);
    let ramdisk: Uint8Array | undefined;
    if (cfg.ramdisk !== undefined) {
      ramdisk = read?.(cfg.ramdisk);
      if (!ramdisk) return fail(`${err}libxl: error: cannot read ramdisk ${cfg.ramdisk}: No such file or directory\n`);
    }
    for (const k of cfg.ignored) err += `WARNING: ignoring "${k}" option (not supported by pvplay)\n`;
    try {
      const dom = this.host.toolstack.create(cfg, { kernel, ramdisk });
      return { out: '', err, status: 0, attach: attach ? dom.id : undefined };
    } catch (e) {
      return fail(`${err}libxl: error: ${(e as Error).message}\nlibxl: error: Domain ${cfg.name}:cannot (re-)build domain\n`);
    }
  }

  /** xl shutdown -w: wait until each domain is gone (-W: or merely shut down), as xl's wait_for_domain_deaths. */
  private waitFor(ids: number[], shutdownIsEnough: boolean): Follow {
    const hv = this.host.hv;
    const left = new Set(ids);
    let said = false, stopped = false;
    const reported = new Set<number>();
    return {
      poll: () => {
        if (stopped) return null;
        let text = said ? '' : `Waiting for ${ids.length} domains\n`;
        said = true;
        for (const id of [...left]) {
          const d = hv.domains.get(id);
          if (!d) {
            text += `Domain ${id} has been destroyed.\n`;
            left.delete(id);
          } else if (d.state === 'shutdown' && !reported.has(id)) {
            reported.add(id);
            text += `Domain ${id} has been shut down, reason code ${d.shutdownReason}\n`;
            if (shutdownIsEnough) left.delete(id);
            else text += `Domain ${id} continue waiting for death\n`;
          }
        }
        if (left.size === 0) {
          stopped = true;
          return text;
        }
        return text;
      },
      stop: () => { stopped = true; },
    };
  }
}
