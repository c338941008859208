// Snapshots that must be refused: corrupt, cut short, of another version, or
// crafted (huge lengths, bad JSON, frames and domains out of range, reference
// counts that do not add up, channels and grants whose ends disagree). Each gives
// one SnapshotError with a message for the user and leaves the machine running
// in the same memory untouched. A seeded fuzz run then throws thousands of
// mutated and truncated snapshots at restore: nothing but SnapshotError escapes,
// nothing hangs, and whatever restores also runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { F, FRAME_BYTES } from '../../shared/layout';
import { machineHash } from '../hash';
import { Machine } from '../machine';
import { Container, encodeContainer, FORMAT_VERSION, type Section } from './container';
import { SnapshotError } from './errors';
import { runTo, testKernel, useGuestLoader } from './testkit.testutil';

const GUESTS = join(__dirname, '../../../guests');
useGuestLoader((target, file) => {
  execFileSync('make', ['-s', '-C', GUESTS, target], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(join(GUESTS, file)));
});

const enc = new TextEncoder(), dec = new TextDecoder();
const NAMES = ['machine', 'hv', 'mm', 'evtchn', 'gnttab', 'xenstore', 'consoles', 'toolstack', 'ram', 'regs', 'frames', 'tail', 'images'];
const JSON_SECTIONS = NAMES.slice(0, 8);

/** A small machine with a bit of everything: two guests talking over xenstore and a channel, one mapping its own grants, input queued. */
function richMachine(): Machine {
  const m = new Machine({ ramMiB: 20, maxVcpus: 4 });
  const pair = testKernel('xs_pair');
  m.addFile('xs_pair.elf', pair);
  for (const [n, x] of [['pair-a', 'role=a peer=2'], ['pair-b', 'role=b peer=1']]) {
    m.addFile(`${n}.cfg`, enc.encode(`name = "${n}"\nkernel = "xs_pair.elf"\nmemory = 6\nextra = "${x}"\non_poweroff = "preserve"\n`));
    expect(m.exec(`xl create ${n}.cfg`).status).toBe(0);
  }
  m.createGuest({ name: 'gnttab', kernel: testKernel('gnttab'), memMiB: 5 });
  // On until the grant test kernel holds a mapping of its own grant.
  for (let k = 0; k < 400 && m.hv.gnttab.mappings(3).length === 0; k++) m.run(500);
  expect(m.hv.gnttab.mappings(3).length).toBeGreaterThan(0);
  m.type(3, enc.encode('queued'));
  return m;
}

function sections(bytes: Uint8Array): Section[] {
  const c = Container.decode(bytes);
  return NAMES.map((name) => ({ name, version: 1, data: c.section(name, [1], 1 << 30).data.slice() }));
}

function rebuild(secs: Section[], edit: (name: string, data: Uint8Array) => Uint8Array = (_n, d) => d): Uint8Array {
  return encodeContainer(secs.map((s) => ({ ...s, data: edit(s.name, s.data) })), 1);
}

function editJson(secs: Section[], name: string, f: (v: Record<string, unknown>) => void): Uint8Array {
  return rebuild(secs, (n, d) => {
    if (n !== name) return d;
    const v = JSON.parse(dec.decode(d)) as Record<string, unknown>;
    f(v);
    return enc.encode(JSON.stringify(v));
  });
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Restore; return the error message, or null if it restored (and then ran without throwing). */
function attempt(bytes: Uint8Array, memory?: Machine['mem']): string | null {
  let m: Machine;
  try {
    m = Machine.restore(bytes, { memory });
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    return e.message;
  }
  runTo(m, m.executed + 20_000);
  return null;
}

describe('hostile snapshots', () => {
  let base: Uint8Array;
  let secs: Section[];
  beforeAll(() => {
    base = richMachine().snapshot({ level: 1 });
    secs = sections(base);
  }, 120_000);

  it('the rich machine restores and runs (the fuzz starts from something sound)', () => {
    expect(attempt(base)).toBeNull();
  });

  it('says what is wrong, and leaves the machine in that memory untouched', () => {
    const host = richMachine();
    runTo(host, host.executed + 5_000);
    const before = machineHash(host);
    const bad = (bytes: Uint8Array, pattern: RegExp): void => {
      const msg = attempt(bytes, host.mem);
      expect(msg, pattern.source).toMatch(pattern);
      expect(machineHash(host)).toBe(before);
    };
    bad(new Uint8Array(0), /not a usable snapshot: only 0 bytes/);
    bad(enc.encode('this is not a snapshot at all'), /not a usable snapshot: it does not start with the pvplay snapshot magic/);
    bad(base.subarray(0, base.length - 1), /cut short/);
    bad(base.subarray(0, 40), /cut short/);
    const v2 = base.slice();
    v2[8] = FORMAT_VERSION + 1;
    bad(v2, /format 2; this pvplay reads format 1 \(it was made by a newer version\)/);
    bad(encodeContainer(secs.map((s) => (s.name === 'hv' ? { ...s, version: 7 } : s)), 1), /hv section is version 7/);
    const flipped = base.slice();
    flipped[flipped.length - 10] ^= 0x40;
    bad(flipped, /corrupt/);
    // A section table claiming 4 GiB for a section.
    const huge = base.slice();
    const at = 12 + 1 + 'machine'.length + 3;
    new DataView(huge.buffer).setUint32(at, 0xffffffff, true);
    bad(huge, /claims 4294967295 bytes|cut short/);
    bad(rebuild(secs, (n, d) => (n === 'xenstore' ? enc.encode('{"version": 1, "nodes": [') : d)), /xenstore section is not readable/);
    bad(editJson(secs, 'hv', (v) => { (v.domains as { sharedInfoMfn: number }[])[0].sharedInfoMfn = 1 << 30; }), /hv\.domains\[0\]\.sharedInfoMfn: 1073741824 is not an integer from 0 to 5119/);
    bad(editJson(secs, 'hv', (v) => { (v.domains as { id: number }[])[0].id = 0x8000; }), /hv\.domains\[0\]\.id/);
    bad(editJson(secs, 'machine', (v) => { v.ramBytes = 2 ** 40; }), /machine\.ramBytes/);
    bad(editJson(secs, 'evtchn', (v) => {
      const d = (v.domains as { ports: { state: number; remotePort: number }[] }[]).find((x) => x.ports.some((p) => p.state === 3))!;
      d.ports.find((p) => p.state === 3)!.remotePort ^= 1;
    }), /does not name it back/);
    bad(editJson(secs, 'gnttab', (v) => {
      const t = (v.tables as { maptrack: { flags: number[] } }[]).find((x) => x.maptrack.flags.some((f) => f))!;
      const h = t.maptrack.flags.findIndex((f) => f);
      t.maptrack.flags[h] ^= 4; // readonly flips: the pin no longer adds up
    }), /pin|cannot be/);
    // A frame's reference count one too high: the audit finds it.
    bad(rebuild(secs, (n, d) => {
      if (n !== 'frames') return d;
      const t = new Int32Array(d.buffer, d.byteOffset, d.length >> 2);
      let m = 0;
      while (t[m * (FRAME_BYTES >> 2) + F.REF_COUNT] === 0 || t[m * (FRAME_BYTES >> 2) + F.OWNER] >= 0x7ff0) m++;
      t[m * (FRAME_BYTES >> 2) + F.REF_COUNT]++;
      return d;
    }), /describes a machine that cannot be: frame \d+: ref count/);
    // A domain's CPL of 0 (a PV guest would run with the hypervisor's privilege).
    bad(rebuild(secs, (n, d) => {
      if (n !== 'regs') return d;
      new Int32Array(d.buffer, d.byteOffset, d.length >> 2)[65] = 0;
      return d;
    }), /CPL 0/);
    // The machine still runs as it did.
    runTo(host, host.executed + 50_000);
  }, 120_000);

  it('fuzz: thousands of mutated and cut snapshots give SnapshotError or a machine that runs', () => {
    const rnd = seeded(20240601);
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const weird = [-1, 0, 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e300, 0.5, 'x', '', null, true, [], {}, 4095, 65535, 0x7ff0, 1023];
    let refused = 0, restored = 0;
    const t0 = performance.now();
    // Byte level: flips, cuts, insertions anywhere in the file.
    for (let k = 0; k < 1500; k++) {
      let b = base.slice();
      const r = rnd();
      if (r < 0.4) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
      else if (r < 0.7) b = b.subarray(0, Math.floor(rnd() * b.length));
      else {
        const at = Math.floor(rnd() * b.length);
        const ins = Uint8Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256));
        const c = new Uint8Array(b.length + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
      }
      if (attempt(b) === null) restored++;
      else refused++;
    }
    // Content level: valid containers whose records or memory are changed.
    const parsed = new Map(JSON_SECTIONS.map((n) => [n, secs.find((s) => s.name === n)!.data]));
    for (let k = 0; k < 1000; k++) {
      const name = rnd() < 0.75 ? pick(JSON_SECTIONS) : pick(['ram', 'regs', 'frames', 'images']);
      let bytes: Uint8Array;
      if (JSON_SECTIONS.includes(name)) {
        const v = JSON.parse(dec.decode(parsed.get(name)!)) as unknown;
        const leaves: [Record<string, unknown> | unknown[], string | number][] = [];
        const walk = (x: unknown): void => {
          if (Array.isArray(x)) x.forEach((y, i) => { leaves.push([x, i]); walk(y); });
          else if (x && typeof x === 'object') for (const [key, y] of Object.entries(x)) { leaves.push([x as Record<string, unknown>, key]); walk(y); }
        };
        walk(v);
        for (let n = 1 + Math.floor(rnd() * 3); n > 0 && leaves.length; n--) {
          const [obj, key] = pick(leaves);
          const r = rnd();
          const cur = (obj as Record<string | number, unknown>)[key];
          if (r < 0.15 && !Array.isArray(obj)) delete (obj as Record<string, unknown>)[key as string];
          else if (r < 0.25 && Array.isArray(obj)) obj.push(obj[key as number]);
          else if (r < 0.55 && typeof cur === 'number') (obj as Record<string | number, unknown>)[key] = cur + pick([1, -1, 64, -64, 4096]);
          else (obj as Record<string | number, unknown>)[key] = pick(weird);
        }
        bytes = rebuild(secs, (n, d) => (n === name ? enc.encode(JSON.stringify(v)) : d));
      } else {
        bytes = rebuild(secs, (n, d) => {
          if (n !== name || d.length === 0) return d;
          const c = d.slice();
          for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) c[Math.floor(rnd() * c.length)] = Math.floor(rnd() * 256);
          return c;
        });
      }
      if (attempt(bytes) === null) restored++;
      else refused++;
    }
    console.log(`fuzz: ${refused} refused, ${restored} restored and ran, ${Math.round(performance.now() - t0)} ms`);
    expect(refused + restored).toBe(2500);
    expect(refused).toBeGreaterThan(2000);
  }, 600_000);
});
