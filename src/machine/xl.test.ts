// The xl shell on a whole machine: each command's output and errors as xl prints them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { XlShell } from '../dom0/xl/shell';
import { xenstoredClient } from '../dom0/toolstack/xsclient';
import { Machine } from './machine';

const KERNEL = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../public/guests/console.elf'));
const enc = new TextEncoder();

function setup() {
  const m = new Machine({ ramMiB: 32, maxVcpus: 4 });
  const files = new Map<string, Uint8Array>([
    ['web.cfg', enc.encode('name = "web"\nkernel = "console.elf"\nmemory = 8\nvcpus = 2\n')],
    ['bad.cfg', enc.encode('name = "bad"\nmemory = \n')],
    ['console.elf', KERNEL],
  ]);
  const sh = new XlShell({ hv: m.hv, toolstack: m.toolstack, store: xenstoredClient(m.xs), dmesg: m.dmesg, readFile: (p) => files.get(p) });
  return { m, sh };
}

describe('xl shell', () => {
  it('create, list, vcpu-list, pause, unpause, destroy', () => {
    const { m, sh } = setup();
    const c = sh.exec('xl create web.cfg');
    expect(c).toEqual({ out: '', err: 'Parsing config from web.cfg\n', status: 0, attach: undefined });
    m.run(1_000_000);
    const list = sh.exec('xl list').out.split('\n');
    expect(list[0]).toBe('Name                                        ID   Mem VCPUs\tState\tTime(s)');
    expect(list[2]).toMatch(/^web {42}1 {5}8 {5}1 {5}-[-b]---- +\d+\.\d$/);
    expect(sh.exec('xl vcpu-list web').out.split('\n')).toEqual([
      'Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)',
      expect.stringMatching(/^web {34}1 {5}0 {4}0 {3}-[-b]- +\d+\.\d {2}all \/ all$/),
      `${'web'.padEnd(32)}     1     1    -   --p       0.0  all / all`,
      '',
    ]);
    expect(sh.exec('xl pause web').status).toBe(0);
    expect(sh.exec('xl list 1').out).toMatch(/ -[-b]p--- /);
    sh.exec('xl unpause 1');
    expect(m.domain(1)!.state).toBe('running');
    expect(sh.exec('xl destroy web')).toMatchObject({ status: 0 });
    expect(m.domain(1)).toBeUndefined();
  });

  it('errors as xl prints them', () => {
    const { sh } = setup();
    expect(sh.exec('xl destroy nosuch')).toEqual({ out: '', err: 'nosuch is an invalid domain identifier (rc=-6)\n', status: 1 });
    expect(sh.exec('xl destroy 0').err).toContain('Not destroying domain 0; use -f to force.');
    expect(sh.exec('xl create missing.cfg').err).toBe('Failed to read config file: missing.cfg: No such file or directory\n');
    expect(sh.exec('xl create bad.cfg').err).toBe("Parsing config from bad.cfg\nbad.cfg:2: config parsing error near `newline': syntax error, expecting a string, a number or '['\nFailed to parse config: Invalid argument\n");
    expect(sh.exec('xl shutdown').err).toBe('You must specify -a or a domain id.\n\n');
    expect(sh.exec('frobnicate').status).toBe(127);
    expect(sh.exec('xl frobnicate').err).toMatch(/^command not implemented/);
  });

  it('xl info: host and Xen fields in order, from our hypervisor', () => {
    const { sh } = setup();
    const lines = sh.exec('xl info').out.split('\n');
    expect(lines[0]).toBe('host                   : pvplay');
    expect(lines).toContain('nr_cpus                : 1');
    expect(lines).toContain('virt_caps              : pv gnttab-v1');
    expect(lines).toContain('total_memory           : 32');
    expect(lines).toContain('xen_major              : 4');
    expect(lines).toContain('xen_minor              : 23');
    expect(lines).toContain('xen_extra              : -pvplay');
    expect(lines).toContain('xen_caps               : xen-3.0-x86_64 xen-3.0-x86_32p');
    expect(lines.at(-2)).toBe('xend_config_format     : 4');
    const free = Number(lines.find((l) => l.startsWith('free_memory'))!.split(': ')[1]);
    sh.exec('xl create web.cfg');
    const after = Number(sh.exec('xl info').out.split('\n').find((l) => l.startsWith('free_memory'))!.split(': ')[1]);
    expect(free - after).toBe(8);
  });

  it('shutdown writes control/shutdown; -w follows until the domain is gone', () => {
    const { m, sh } = setup();
    sh.exec('xl create web.cfg');
    const r = sh.exec('xl shutdown -w web');
    expect(r.err).toBe('Shutting down domain 1\n');
    expect(sh.exec('xenstore-read /local/domain/1/control/shutdown').out).toBe('poweroff\n');
    expect(r.follow!.poll()).toBe('Waiting for 1 domains\n');
    // The demo guest ignores the request; the toolstack's timeout destroys it.
    let text = '';
    for (let k = 0; k < 10000 && m.domain(1); k++) m.run(5_000_000);
    text += r.follow!.poll();
    expect(text).toBe('Domain 1 has been destroyed.\n');
    expect(r.follow!.poll()).toBeNull();
    expect(sh.exec('xl dmesg').out).toContain('did not act on control/shutdown');
  });

  it('xenstore-ls -p, read, write, rm, chmod, watch', () => {
    const { sh } = setup();
    sh.exec('xl create web.cfg');
    expect(sh.exec('xenstore-write /test/a 1 /test/b "two words"').status).toBe(0);
    expect(sh.exec('xenstore-read /test/a /test/b').out).toBe('1\ntwo words\n');
    expect(sh.exec('xenstore-ls /test').out).toBe('a = "1"\nb = "two words"\n');
    expect(sh.exec('xenstore-ls -p /test').out).toBe(
      `a = "1"  ${'. '.repeat(26)} (n0)\nb = "two words"  ${'. '.repeat(22)} (n0)\n`);
    const ls = sh.exec('xenstore-ls /local/domain/1').out;
    expect(ls).toContain('name = "web"\n');
    expect(ls).toContain('control = ""\n shutdown = ""\n');
    expect(sh.exec('xenstore-chmod /test/a n1 r0').status).toBe(0);
    expect(sh.exec('xenstore-ls -p /test').out.split('\n')[0]).toMatch(/\(n1,r0\)$/);
    const w = sh.exec('xenstore-watch -n 2 /test');
    expect(w.follow!.poll()).toBe('/test\n');
    sh.exec('xenstore-rm /test/b');
    expect(w.follow!.poll()).toBe('/test/b\n');
    expect(w.follow!.poll()).toBeNull();
    expect(sh.exec('xenstore-read /test/b')).toEqual({ out: '', err: "xenstore-read: couldn't read path /test/b\n", status: 1 });
    expect(sh.exec('xenstore-rm /nope').err).toBe('xenstore-rm: could not remove path /nope\n');
    expect(sh.exec('xenstore-ls /nope').err).toBe('xenstore-ls: xs_directory (/nope): No such file or directory\n');
  });

  it('debug-keys e, g and q print into the hypervisor console as Xen does', () => {
    const { m, sh } = setup();
    sh.exec('xl create web.cfg');
    m.run(2_000_000);
    expect(sh.exec('xl debug-keys egq').status).toBe(0);
    const d = m.dmesg.text();
    expect(d).toContain("(XEN) 'e' pressed -> dumping event-channel info\n");
    expect(d).toContain('(XEN) Event channel information for domain 1:\n(XEN) Polling vCPUs: {}\n(XEN)     port [p/m/s]\n');
    expect(d).toMatch(/\(XEN\) {8}1 \[[01]\/[01]\/[01]\]: s=3 n=0 x=0 d=0 p=\d+\n/);
    expect(d).toContain("(XEN) gnttab_usage_print_all [ key 'g' pressed\n");
    expect(d).toContain('(XEN) grant-table for remote d1 (v1)\n');
    expect(d).toContain('(XEN) gnttab_usage_print_all ] done\n');
    expect(d).toMatch(/\(XEN\) 'q' pressed -> dumping domain info \(now = \d+\)\n\(XEN\) General information for domain 1:\n/);
    expect(d).toContain('(XEN)     DomPage list too long to display\n');
    expect(d).toMatch(/\(XEN\) {5}XenPage 0{11}[0-9a-f]{5}: caf=c0{13}[0-9a-f]{2}, taf=e40{12}[0-9a-f]{2}\n/);
    expect(d).toMatch(/\(XEN\) {5}pvplay: pages by type: none=\d+ l1=\d+ l2=\d+ l3=1 /);
    expect(d).toContain('(XEN) 100 Hz periodic timer (period 10 ms)\n');
  });
});
