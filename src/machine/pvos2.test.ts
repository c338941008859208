// Two pvos domains in one Machine, driven from their shells: share and map (a
// grant, found through xenstore, written by both sides), ping (an interdomain
// event channel each way, events both ways), then destroying both leaves no
// frame, port, grant or xenstore node behind, whether the guests cleaned up
// (xl shutdown: the kernel unmaps and ends its grants) or not (destroyed while
// one still maps the other's page). Built from source as in pvos.test.ts, into a
// directory of its own, so the two files' builds cannot trip over each other.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVTCHNSTAT, SHUTDOWN } from '../abi/xen';
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { XlShell } from '../dom0/xl/shell';
import { Machine } from './machine';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
const PROMPT = '\n$ ';
let kernel: Uint8Array;

/** A machine with two booted pvos domains, a typist for each, and what was there before them. */
class Pair {
  readonly m: Machine;
  readonly out = new Map<number, string>();
  readonly a: number;
  readonly b: number;
  readonly before: { frames: number[]; nodes: string[]; dom0Ports: number };

  constructor() {
    const dec = new TextDecoder();
    this.m = new Machine({ ramMiB: 80, maxVcpus: 2 }, {
      guestConsole: (d, bytes) => this.out.set(d, this.text(d) + dec.decode(bytes).replace(/\r/g, '')),
    });
    // A first domain creates /vm and /libxl, which stay (as on Xen): count from after it.
    this.m.toolstack.destroy(this.m.createGuest({ name: 'warm', kernel, memMiB: 24 }).dom.id);
    const ft = this.m.hv.mm.ft;
    this.before = {
      frames: Array.from({ length: ft.frames }, (_, i) => ft.owner(i)),
      nodes: xenstoredClient(this.m.xs).walk!('/'),
      dom0Ports: this.m.hv.evtchn.ports(0).length,
    };
    this.a = this.m.createGuest({ name: 'pvos-a', kernel, memMiB: 24 }).dom.id;
    this.b = this.m.createGuest({ name: 'pvos-b', kernel, memMiB: 24 }).dom.id;
    expect(this.runUntil(() => this.text(this.a).includes(PROMPT) && this.text(this.b).includes(PROMPT))).toBe(true);
  }

  text(d: number): string {
    return this.out.get(d) ?? '';
  }

  runUntil(pred: () => boolean, budget = 400_000_000): boolean {
    const limit = this.m.executed + budget;
    while (!pred() && this.m.executed < limit) {
      const o = this.m.run(1_000_000);
      if (o === 'stopped' || o === 'idle') break;
    }
    return pred();
  }

  type(d: number, line: string): number {
    const start = this.text(d).length;
    this.m.consoles.type(d, new TextEncoder().encode(line + '\n'));
    return start;
  }

  /** Type a line on domain d's console and return what it printed up to its next prompt. */
  command(d: number, line: string): string {
    const start = this.type(d, line);
    const ok = this.runUntil(() => this.text(d).indexOf(PROMPT, start) >= 0);
    const got = this.text(d).slice(start);
    expect(ok, `no prompt after '${line}' on domain ${d}:\n${got}`).toBe(true);
    return got.slice(0, got.indexOf(PROMPT));
  }

  /** Destroy both; nothing of them may remain. */
  destroyAndAudit(): void {
    const { m } = this;
    m.toolstack.destroy(this.a);
    m.toolstack.destroy(this.b);
    const ft = m.hv.mm.ft;
    expect(m.hv.domains.size).toBe(0);
    for (const d of [this.a, this.b]) expect(m.hv.evtchn.hasDomain(d) || m.hv.gnttab.hasDomain(d)).toBe(false);
    expect(Array.from({ length: ft.frames }, (_, i) => ft.owner(i))).toEqual(this.before.frames);
    expect(m.hv.mm.audit(m.hv.gnttab.heldReferences())).toEqual([]);
    expect(m.hv.evtchn.ports(0).length).toBe(this.before.dom0Ports);
    expect(xenstoredClient(m.xs).walk!('/')).toEqual(this.before.nodes);
    expect(m.xs.introducedDomains()).toEqual([]);
  }
}

describe('two pvos domains', () => {
  const build = mkdtempSync(join(tmpdir(), 'pvplay-pvos2-'));
  afterAll(() => rmSync(build, { recursive: true, force: true }));
  beforeAll(() => {
    execFileSync('make', ['-s', '-C', GUESTS, `BUILD=${build}`, `${build}/kernel/pvos.elf`], { stdio: 'pipe' });
    kernel = readFileSync(join(build, 'kernel/pvos.elf'));
  }, 120_000);

  it('share and map: one grants a page, the other maps it, and each sees the other\'s writes', () => {
    const p = new Pair();
    const { a, b } = p;
    const share = p.command(a, `share ${b}`);
    expect(share).toMatch(new RegExp(`share: granted frame [0-9a-f]+ to domain ${b} as ref 8 \\(grant entry: GTF_permit_access\\)`));
    expect(share).toContain(`share: published /local/domain/${a}/data/share/${b}/ref = 8, readable by domain ${b}`);
    // What dom0 sees: A owns the node, B may read it.
    expect(p.m.xs.getPermStrings(0, `/local/domain/${a}/data/share/${b}/ref`)).toEqual([`n${a}`, `r${b}`]);

    const map = p.command(b, `map ${a}`);
    expect(map).toContain(`map: /local/domain/${a}/data/share/${b}/ref = 8 (XS_READ)`);
    expect(map).toMatch(new RegExp(`map: GNTTABOP_map_grant_ref: domain ${a} ref 8 -> handle 0 at 0xc[0-9a-f]+`));
    expect(map).toContain(`map: the page reads "hello from domain ${a}"\nmap: wrote "domain ${b} was here"`);

    // A sees B's write, and the hypervisor's mark that B maps the page.
    const again = p.command(a, `share ${b} a reply from ${a}`);
    expect(again).toContain(`share: ref 8 to domain ${b}, mapped by it (GTF_writing)`);
    expect(again).toContain(`share: the page reads "domain ${b} was here"\nshare: wrote "a reply from ${a}"`);
    // ... and B sees A's.
    expect(p.command(b, `map ${a} bye`)).toContain(`map: the page reads "a reply from ${a}"`);

    expect(p.command(a, 'grants')).toMatch(new RegExp(`ref +8 -> domain ${b}, frame [0-9a-f]+, permit_access,reading,writing \\(share\\): "bye"`));
    expect(p.command(b, 'grants')).toMatch(new RegExp(`domain ${a} ref 8, handle 0, at 0xc[0-9a-f]+: "bye"`));
    // The granter cannot take the page back while it is mapped.
    expect(p.command(a, `unshare ${b}`)).toContain('EBUSY');

    // Destroyed with the mapping in place: the hypervisor undoes it.
    p.destroyAndAudit();
  }, 120_000);

  it('ping: each side offers a port and binds the other\'s, and events go both ways', () => {
    const p = new Pair();
    const { a, b } = p;
    // A starts first and waits for B.
    const startA = p.type(a, `ping ${b}`);
    expect(p.runUntil(() => p.text(a).includes('ping: waiting for domain', startA))).toBe(true);
    expect(p.text(a).slice(startA)).toContain(`ping: waiting for domain ${b}, which must run ping ${a} too (Enter stops)`);
    const pb = p.command(b, `ping ${a}`);
    expect(p.runUntil(() => p.text(a).indexOf(PROMPT, startA) >= 0)).toBe(true);
    const pa = p.text(a).slice(startA);
    for (const [out, peer] of [[pa, b], [pb, a]] as const) {
      expect(out).toMatch(new RegExp(`ping: offered port (\\d+) to domain ${peer} \\(alloc_unbound, ~/data/ping/${peer}/port\\); bound its port \\d+ as our port \\d+ \\(bind_interdomain\\)`));
      for (let i = 1; i <= 4; i++) expect(out).toMatch(new RegExp(`^ping ${i}: event on port \\d+, answer from domain ${peer} in \\d+\\.\\d{3} us$`, 'm'));
    }
    // The channels stay: a second ping from B needs no setup.
    expect(p.command(b, `ping ${a} 2`)).toMatch(/^ping 1: .*\nping 2: event on port \d+, answer from domain \d+ in [\d.]+ us$/m);
    // Each side sent 4 or 6 pings on the port it offered and answered the other's on the one it bound.
    expect(p.command(a, 'evtchn')).toMatch(new RegExp(`port \\d+ ping>${b} +events 4 pending 0 masked 0\\n +port \\d+ ping<${b} +events 6 `));
    expect(p.command(b, 'evtchn')).toMatch(new RegExp(`port \\d+ ping>${a} +events 6 pending 0 masked 0\\n +port \\d+ ping<${a} +events 4 `));
    // As the hypervisor sees them: two interdomain ports on each side, each joined to one of the other's.
    const inter = (d: number) => p.m.hv.evtchn.ports(d).filter((v) => v.status === EVTCHNSTAT.interdomain && v.remoteDom !== 0)
      .map((v) => `${v.port}->${v.remoteDom}:${v.remotePort}`).sort();
    const [pa1, pa2] = inter(a).map((s) => s.split(/->|:/).map(Number));
    expect(inter(a)).toHaveLength(2);
    expect(inter(b)).toEqual([`${pa1![2]}->${a}:${pa1![0]}`, `${pa2![2]}->${a}:${pa2![0]}`].sort());
    p.destroyAndAudit();
  }, 120_000);

  it('xl shutdown of both: each kernel unmaps, ends its grants and closes its channels first', () => {
    const p = new Pair();
    const { a, b } = p;
    p.command(a, `share ${b}`);
    p.command(b, `map ${a}`);
    p.command(b, `share ${a}`);
    p.command(a, `map ${b}`);
    const startA = p.type(a, `ping ${b} 1`);
    p.command(b, `ping ${a} 1`);
    expect(p.runUntil(() => p.text(a).indexOf(PROMPT, startA) >= 0)).toBe(true);
    const xl = new XlShell({ hv: p.m.hv, toolstack: p.m.toolstack, store: xenstoredClient(p.m.xs), dmesg: p.m.dmesg, readFile: () => undefined });
    expect(xl.exec(`xl shutdown ${b}`).status).toBe(0);
    expect(p.runUntil(() => p.m.domain(b)!.state === 'shutdown')).toBe(true);
    expect(p.text(b)).toContain('pvos: closed 2 event channels, unmapped 1 grants; 1 grants still mapped by a peer');
    expect(xl.exec(`xl shutdown ${a}`).status).toBe(0);
    expect(p.runUntil(() => p.m.domain(a)!.state === 'shutdown')).toBe(true);
    // B unmapped A's page before it went, so A could end that grant; B's page A still mapped.
    expect(p.text(a)).toContain('pvos: closed 2 event channels, unmapped 1 grants; 0 grants still mapped by a peer');
    expect([p.m.domain(a)!.shutdownReason, p.m.domain(b)!.shutdownReason]).toEqual([SHUTDOWN.poweroff, SHUTDOWN.poweroff]);
    expect(p.m.dmesg.text()).not.toContain('did not act on control/shutdown');
    p.destroyAndAudit();
  }, 120_000);
});
