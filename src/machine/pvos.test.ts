// Boot tests of pvos, the teaching guest (guests/kernel, guests/user), built
// from source with `make -C guests pvos`: boot to the shell prompt on hvc0,
// type each shell command and match what it prints, run usertests and
// require every test it lists to print OK, and end with poweroff and reboot,
// asked for on the shell and by the toolstack (`xl shutdown`, `xl reboot`
// through control/shutdown). The two-domain demos are in pvos2.test.ts.
// Needs a gcc that can emit 32-bit code, as the PV test kernels do.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN } from '../abi/xen';
import { XlShell } from '../dom0/xl/shell';
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { Machine } from './machine';

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../../guests');
const PROMPT = '\n$ ';

/** The test names usertests.c lists in its table, in order. */
function usertestNames(): string[] {
  const src = readFileSync(join(GUESTS, 'user/usertests.c'), 'utf8');
  return [...src.matchAll(/\{ t_\w+, "(\w+)" \}/g)].map((m) => m[1]);
}

/** One booted pvos with a typist at its console. */
class Session {
  readonly m: Machine;
  readonly domid: number;
  out = '';
  hv = '';
  reason: number | null = null;
  crash = '';

  constructor() {
    const dec = new TextDecoder();
    this.m = new Machine({ ramMiB: 48, maxVcpus: 1 }, {
      hvConsole: (_d, b) => { this.hv += dec.decode(b); },
      guestConsole: (_d, b) => { this.out += dec.decode(b).replace(/\r/g, ''); },
      shutdown: (dom) => { this.reason = dom.shutdownReason; this.crash = dom.crashReason; },
    });
    const kernel = readFileSync(join(GUESTS, 'build/kernel/pvos.elf'));
    this.domid = this.m.createGuest({ name: 'pvos', kernel, memMiB: 32, vcpus: 1 }).dom.id;
  }

  /** Run until pred holds, the domain stops, or the budget is spent; say whether pred held. */
  runUntil(pred: () => boolean, budget = 400_000_000): boolean {
    const limit = this.m.executed + budget;
    while (!pred() && this.reason === null && this.m.executed < limit) {
      const o = this.m.run(1_000_000);
      // Idle: every vcpu waits for input that is not coming; running more changes nothing.
      if (o === 'stopped' || o === 'idle') break;
    }
    return pred();
  }

  /** Type a line and return what the guest printed until its next prompt. */
  command(line: string, budget?: number): string {
    const start = this.out.length;
    this.m.consoles.type(this.domid, new TextEncoder().encode(line + '\n'));
    const ok = this.runUntil(() => this.out.indexOf(PROMPT, start) >= 0, budget);
    const text = this.out.slice(start, ok ? this.out.indexOf(PROMPT, start) : undefined);
    expect(ok, `no prompt after '${line}':\n${text}\n${this.hv}${this.crash}`).toBe(true);
    return text;
  }
}

describe('pvos, the teaching guest', () => {
  let s: Session;

  beforeAll(() => {
    const cc = spawnSync('make', ['-C', GUESTS, 'check-cc'], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cannot build pvos:\n${cc.stderr}`);
    execFileSync('make', ['-C', GUESTS, 'pvos'], { stdio: 'pipe' });
    s = new Session();
  }, 120_000);

  it('boots to the shell prompt on hvc0', () => {
    expect(s.runUntil(() => s.out.includes(PROMPT)), s.out + s.hv + s.crash).toBe(true);
    expect(s.hv).toContain('pvos: trap table and event upcall registered');
    expect(s.out).toContain('pvos: a teaching kernel on the Xen PV ABI');
    expect(s.out).toContain('pvos shell on hvc0');
  });

  it('help lists every command and program', () => {
    const out = s.command('help');
    for (const c of ['ps', 'kill', 'mem', 'pt', 'evtchn', 'hcalls', 'lazy', 'fork', 'spin', 'sleep', 'uptime', 'date',
      'xs', 'share', 'unshare', 'map', 'unmap', 'grants', 'ping', 'poweroff', 'reboot']) {
      expect(out).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    expect(out).toContain('programs: init sh usertests echo true');
  });

  it('echoes what is typed (the line discipline over the input ring)', () => {
    expect(s.command('echo over the ring')).toBe('echo over the ring\nover the ring');
  });

  it('ps shows idle, init and the shell with their L3 frames', () => {
    const out = s.command('ps');
    expect(out).toMatch(/^ +0 \S+ +0 +0 +idle$/m);
    expect(out).toMatch(/^ +1 sleep +\d+ +[0-9a-f]+ +init$/m);
    expect(out).toMatch(/^ +2 sleep +0 +0 +xenwatch \(kernel thread\)$/m);
    expect(out).toMatch(/^ +\d+ run +\d+ +[0-9a-f]+ +sh \(this shell\)$/m);
  });

  it('mem counts frames by use', () => {
    const out = s.command('mem');
    expect(out).toMatch(/memory: 8192 frames of 4 KiB \(pfn -> mfn through the P2M list/);
    for (const use of ['free', 'kernel', 'page tables', 'user', 'gdt']) expect(out).toMatch(new RegExp(`^  ${use} +\\d+$`, 'm'));
  });

  it('pt shows the pinned L3, its private kernel L2 and the user L1', () => {
    const out = s.command('pt');
    expect(out).toMatch(/L3 mfn [0-9a-f]+ \(pinned/);
    expect(out).toMatch(/slot 0 -> L2 mfn [0-9a-f]+ \(user\)/);
    expect(out).toMatch(/slot 3 -> L2 mfn [0-9a-f]+ \(kernel \+ hypervisor; private to this L3\)/);
    expect(out).toMatch(/L1 mfn [0-9a-f]+ maps 0x00400000-0x005fffff: 0x00400000\+\d+ 0x005fe000\+2 pages/);
  });

  it('evtchn shows the xenstore, console and timer ports', () => {
    const out = s.command('evtchn');
    expect(out).toMatch(/port 1 xenstore +events [1-9]\d* pending 0 masked 0/);
    expect(out).toMatch(/event channels \(2-level; upcalls \d+, mask 0, pending 0\)/);
    expect(out).toMatch(/port 2 console +events [1-9]\d* pending 0 masked 0/);
    expect(out).toMatch(/port \d+ timer +events \d+ pending \d masked 0/);
  });

  it('hcalls counts hypercalls by kind, batched ones apart', () => {
    const out = s.command('hcalls');
    expect(out).toMatch(/multicall +[1-9]\d* \/ 0/);
    expect(out).toMatch(/mmu_update +\d+ \/ [1-9]\d*/);
    expect(out).toMatch(/iret +[1-9]\d* \/ 0/);
    expect(out).toMatch(/total [1-9]\d*/);
  });

  it('fork and fork+exec cost fewer hypercalls with lazy MMU batching than without', () => {
    const costs = (out: string, mode: string): number[] => {
      const fork = new RegExp(`fork\\+exit\\+wait took (\\d+) hypercalls \\(lazy mmu ${mode}\\)`).exec(out);
      const exec = new RegExp(`fork\\+exec true\\+exit\\+wait took (\\d+) hypercalls \\(lazy mmu ${mode}\\)`).exec(out);
      expect(fork && exec, out).toBeTruthy();
      return [Number(fork![1]), Number(exec![1])];
    };
    const on = costs(s.command('fork'), 'on');
    expect(s.command('lazy off')).toContain('lazy mmu off: page-table updates sent one hypercall each');
    const off = costs(s.command('fork'), 'off');
    expect(s.command('lazy on')).toContain('lazy mmu on: page-table updates batched into multicalls');
    expect(on[0]).toBeLessThan(off[0]);
    expect(on[1]).toBeLessThan(off[1]);
    // exec replaces the copied pages: more page-table work than fork alone.
    expect(on[1]).toBeGreaterThan(on[0]);
  });

  it('spin runs a process in ring 3 that the timer preempts, and kill ends it', () => {
    expect(s.command('spin')).toContain('spin: a process now spins in ring 3');
    const ps = s.command('ps');
    const m = /^ +(\d+) (?:run|runble) +\d+ +[0-9a-f]+ +sh$/m.exec(ps);
    expect(m, ps).toBeTruthy();
    expect(s.command(`kill ${m![1]}`)).toContain(`kill: pid ${m![1]} marked`);
    s.command('sleep 30');
    expect(s.command('ps')).not.toMatch(new RegExp(`^ +${m![1]} `, 'm'));
  });

  it('sleep, uptime and date read the timer, system time and the wall clock', () => {
    expect(s.command('sleep 20')).toMatch(/^slept (2\d|[3-9]\d) ms \(asked 20\): single-shot timer, VIRQ_TIMER$/m);
    expect(s.command('uptime')).toMatch(/^up \d+\.\d{3} s \(system time from vcpu_time_info, version \d+\)$/m);
    expect(s.command('date')).toMatch(/^2026-01-01 00:00:\d\d UTC \(shared_info wall clock \+ system time\)$/m);
  });

  it('xs reads, writes, lists and removes nodes through the kernel\'s xenbus client', () => {
    expect(s.command('xs read domid')).toBe(`xs read domid\ndomid = "${s.domid}" (XS_READ)`);
    expect(s.command('xs write data/greeting hello there')).toContain('data/greeting = "hello there" (XS_WRITE)');
    expect(s.m.xs.tryRead(0, `/local/domain/${s.domid}/data/greeting`)).toBe('hello there');
    s.m.xs.write(0, `/local/domain/${s.domid}/data/from-dom0`, 'written by dom0');
    const ls = s.command('xs ls data');
    expect(ls).toMatch(/^data: 2 children \(XS_DIRECTORY, then XS_READ of each\)$/m);
    expect(ls).toContain('  greeting = "hello there"\n');
    expect(ls).toContain('  from-dom0 = "written by dom0"');
    expect(s.command('xs rm data/greeting')).toContain('data/greeting removed (XS_RM)');
    expect(s.command('xs read data/greeting')).toContain('xs: read data/greeting: ENOENT');
    expect(s.command('xs write domid 7')).toContain('xs: write domid: EACCES');
    // The toolstack's nodes, and the features the kernel announced.
    const control = s.command('xs ls control');
    expect(control).toContain('  shutdown = ""');
    expect(control).toContain('  feature-poweroff = "1"');
    expect(control).toContain('  feature-reboot = "1"');
  });

  it('xs watch shows the first event and each change, then unwatches', () => {
    const start = s.out.length;
    s.m.consoles.type(s.domid, new TextEncoder().encode('xs watch data/w 2\n'));
    expect(s.runUntil(() => s.out.includes('event 1:', start))).toBe(true);
    expect(s.out.slice(start)).toContain('xs: watching data/w (XS_WATCH; events come on event channel 1; Enter stops)');
    expect(s.out.slice(start)).toContain('  event 1: data/w (ENOENT)');
    s.m.xs.write(0, `/local/domain/${s.domid}/data/w`, 'changed');
    expect(s.runUntil(() => s.out.includes(PROMPT, start))).toBe(true);
    expect(s.out.slice(start)).toContain('  event 2: data/w = "changed"\nxs: 2 events; unwatched (XS_UNWATCH)');
    // Enter ends a watch that would go on.
    const again = s.out.length;
    s.m.consoles.type(s.domid, new TextEncoder().encode('xs watch data/w\n'));
    expect(s.runUntil(() => s.out.includes('event 1:', again))).toBe(true);
    expect(s.command('')).toContain('xs: 1 events; unwatched (XS_UNWATCH)');
  });

  it('share, map and grants with ourselves as the peer', () => {
    const me = s.domid;
    const sh = s.command(`share ${me}`);
    expect(sh).toMatch(new RegExp(`share: granted frame [0-9a-f]+ to domain ${me} as ref 8 \\(grant entry: GTF_permit_access\\)`));
    expect(sh).toContain(`share: published /local/domain/${me}/data/share/${me}/ref = 8, readable by domain ${me} (XS_WRITE, XS_SET_PERMS)`);
    expect(sh).toContain(`share: the page reads "hello from domain ${me}"`);
    const mp = s.command(`map ${me} mirror`);
    expect(mp).toMatch(/map: GNTTABOP_map_grant_ref: domain \d+ ref 8 -> handle 0 at 0xc[0-9a-f]+/);
    expect(mp).toContain(`map: the page reads "hello from domain ${me}"\nmap: wrote "mirror"`);
    const g = s.command('grants');
    expect(g).toMatch(/ref +0 -> domain 0, frame [0-9a-f]+, permit_access \(toolstack: console ring\)/);
    expect(g).toMatch(/ref +1 -> domain 0, frame [0-9a-f]+, permit_access \(toolstack: xenstore ring\)/);
    expect(g).toMatch(new RegExp(`ref +8 -> domain ${me}, frame [0-9a-f]+, permit_access,reading,writing \\(share\\): "mirror"`));
    expect(g).toMatch(new RegExp(`domain ${me} ref 8, handle 0, at 0xc[0-9a-f]+: "mirror"`));
    expect(s.command(`unshare ${me}`)).toContain('EBUSY; unmap it there first');
    expect(s.command(`unmap ${me}`)).toContain(`unmap: GNTTABOP_unmap_grant_ref of domain ${me} ref 8 (handle 0): okay`);
    expect(s.command(`unshare ${me}`)).toContain(`unshare: grant to domain ${me} ended, page freed, data/share/${me} removed`);
    expect(s.command('grants')).toContain("mappings of other domains' grants (GNTTABOP_map_grant_ref): none");
    expect(s.command(`map ${me}`)).toContain(`map: /local/domain/${me}/data/share/${me}/ref: ENOENT (has domain ${me} run share ${me}?)`);
  });

  it('ping to ourselves: one interdomain channel each way, and round trips', () => {
    const out = s.command(`ping ${s.domid} 2`);
    expect(out).toMatch(new RegExp(`ping: offered port (\\d+) to domain ${s.domid} \\(alloc_unbound, ~/data/ping/${s.domid}/port\\); bound its port \\1 as our port \\d+ \\(bind_interdomain\\)`));
    expect(out).toMatch(/^ping 2: event on port \d+, answer from domain \d+ in \d+\.\d{3} us$/m);
    expect(s.command('evtchn')).toMatch(/port \d+ ping>\d+ +events 2 pending 0 masked 0\n +port \d+ ping<\d+ +events 2/);
  });

  it('an unknown command says so', () => {
    expect(s.command('frobnicate')).toContain('sh: frobnicate: no such command or program (try help)');
  });

  it('usertests passes every test it lists', () => {
    const out = s.command('usertests');
    const names = usertestNames();
    expect(names.length).toBeGreaterThan(10);
    const lines = out.split('\n');
    const missing = names.filter((n) => !lines.includes(`OK ${n}`));
    const failed = lines.filter((l) => l.startsWith('FAILED'));
    expect({ missing, failed }, out).toEqual({ missing: [], failed: [] });
    expect(lines).toContain(`usertests: ${names.length} passed, 0 failed`);
    // A fault in user mode kills only that process, and says what it was.
    expect(out).toMatch(/page fault at 0x00000000: page not present on write from user mode/);
    expect(out).toMatch(/general protection fault \(trap 13, err 412\)/);
  });

  it('poweroff shuts the domain down', () => {
    s.m.consoles.type(s.domid, new TextEncoder().encode('poweroff\n'));
    s.runUntil(() => s.reason !== null);
    expect(s.reason, s.crash).toBe(SHUTDOWN.poweroff);
  });

  it('reboot asks the toolstack for a reboot', () => {
    const r = new Session();
    expect(r.runUntil(() => r.out.includes(PROMPT))).toBe(true);
    r.m.consoles.type(r.domid, new TextEncoder().encode('reboot\n'));
    r.runUntil(() => r.reason !== null);
    expect(r.reason, r.crash).toBe(SHUTDOWN.reboot);
    expect(r.out).toContain('reboot: SCHEDOP_shutdown(reboot)');
  });

  it('xl shutdown: the kernel\'s watch on control/shutdown powers it off at once', () => {
    const r = new Session();
    expect(r.runUntil(() => r.out.includes(PROMPT))).toBe(true);
    const xl = new XlShell({ hv: r.m.hv, toolstack: r.m.toolstack, store: xenstoredClient(r.m.xs), dmesg: r.m.dmesg, readFile: () => undefined });
    const asked = r.m.hv.time.now;
    expect(xl.exec(`xl shutdown ${r.domid}`).status).toBe(0);
    r.runUntil(() => r.reason !== null);
    expect(r.reason, r.crash).toBe(SHUTDOWN.poweroff);
    expect(r.m.hv.time.now - asked).toBeLessThan(100_000_000); // well within the toolstack's 30 s
    expect(r.out).toContain('pvos: control/shutdown = "poweroff" (watch control/shutdown): acknowledged, SCHEDOP_shutdown(poweroff)');
    expect(r.m.xs.tryRead(0, `/local/domain/${r.domid}/control/shutdown`)).toBe('');
    expect(r.m.dmesg.text()).not.toContain('did not act on control/shutdown');
  });

  it('xl reboot: the same watch asks the toolstack for a reboot', () => {
    const r = new Session();
    expect(r.runUntil(() => r.out.includes(PROMPT))).toBe(true);
    const xl = new XlShell({ hv: r.m.hv, toolstack: r.m.toolstack, store: xenstoredClient(r.m.xs), dmesg: r.m.dmesg, readFile: () => undefined });
    const asked = r.m.hv.time.now;
    expect(xl.exec(`xl reboot ${r.domid}`).status).toBe(0);
    r.runUntil(() => r.reason !== null);
    expect(r.reason, r.crash).toBe(SHUTDOWN.reboot);
    expect(r.m.hv.time.now - asked).toBeLessThan(100_000_000);
    expect(r.out).toContain('pvos: control/shutdown = "reboot" (watch control/shutdown): acknowledged, SCHEDOP_shutdown(reboot)');
  });
});
