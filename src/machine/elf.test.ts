import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ElfError, parseXenElf } from './elf';
import { strtoull } from './elfnotes';
import { BASE, buildElf, standardNotes, type ImageSpec } from './elfimage.testutil';
import { XEN_ELFNOTE, XENFEAT } from '../abi/xen';

const rejects = (bytes: Uint8Array, message: RegExp): void => {
  expect(() => parseXenElf(bytes)).toThrow(ElfError);
  expect(() => parseXenElf(bytes)).toThrow(message);
};
const image = (spec: ImageSpec = {}): Uint8Array => buildElf(spec);

describe('parseXenElf: a well-formed PAE kernel', () => {
  it('reads the notes, addresses and segments', () => {
    const img = parseXenElf(image());
    expect(img.guestType).toBe('xen-3.0-x86_32p');
    expect(img).toMatchObject({
      entry: BASE, virtBase: BASE, paddrOffset: 0, virtKstart: BASE, virtKend: BASE + 0x3000,
      hypercallPage: BASE + 0x1000, paeMode: 'extended-cr3', guestOs: 'pvplay-test', loader: 'generic',
      xenVersion: 'xen-3.0', bsdSymtab: false, modStartPfn: false, suspendCancel: false, notesFrom: 'segments',
    });
    expect(img.features).toEqual({
      supported: (1 << XENFEAT.writable_page_tables) | (1 << XENFEAT.pae_pgdir_above_4gb), required: 0,
    });
    expect(img.segments).toEqual([{ paddr: 0, va: BASE, offset: expect.any(Number), filesz: 0x2000, memsz: 0x3000, flags: 5 }]);
    expect(img.notes.map((n) => n.name)).toContain('HYPERCALL_PAGE');
    expect(img.notes.find((n) => n.name === 'VIRT_BASE')?.value).toBe('0xc0000000');
  });

  it('falls back to SHT_NOTE sections when no PT_NOTE segment has Xen notes', () => {
    expect(parseXenElf(image({ notesIn: 'section' })).notesFrom).toBe('sections');
  });

  it('ignores a PT_NOTE segment whose p_offset is 0 (binutils quirk)', () => {
    const bytes = image({ notesIn: 'both' });
    const dv = new DataView(bytes.buffer);
    const phoff = dv.getUint32(28, true), phnum = dv.getUint16(44, true);
    dv.setUint32(phoff + (phnum - 1) * 32 + 4, 0, true);
    expect(parseXenElf(bytes).notesFrom).toBe('sections');
  });

  it('defaults ENTRY to e_entry and VIRT_BASE and PADDR_OFFSET to 0', () => {
    const img = parseXenElf(image({
      entry: 0x100010, segments: [{ paddr: 0x100000, filesz: 0x100, memsz: 0x1000 }],
      notes: standardNotes({ VIRT_BASE: null, PADDR_OFFSET: null, ENTRY: null, HYPERCALL_PAGE: null }),
    }));
    expect(img).toMatchObject({ entry: 0x100010, virtBase: 0, paddrOffset: 0, virtKstart: 0x100000, hypercallPage: undefined });
  });

  it('reads numeric notes of 1, 2, 4 and 8 bytes little-endian and any other size as 0', () => {
    const withSuspend = (desc: Uint8Array): boolean =>
      parseXenElf(image({ notes: [...standardNotes(), { type: XEN_ELFNOTE.SUSPEND_CANCEL, desc }] })).suspendCancel;
    expect(withSuspend(Uint8Array.of(1))).toBe(true);
    expect(withSuspend(Uint8Array.of(0, 1))).toBe(true);
    expect(withSuspend(Uint8Array.of(0, 0, 1))).toBe(false);
    expect(withSuspend(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1))).toBe(true);
    const img = parseXenElf(image({ notes: standardNotes({ VIRT_BASE: BigInt(BASE), ENTRY: BigInt(BASE + 4) }) }));
    expect(img.entry).toBe(BASE + 4);
  });

  it('lets a later note override an earlier one, but PAE_MODE only switches on', () => {
    const notes = [...standardNotes(), { type: XEN_ELFNOTE.GUEST_OS, desc: 'later' }, { type: XEN_ELFNOTE.PAE_MODE, desc: 'no' }];
    expect(parseXenElf(image({ notes }))).toMatchObject({ guestOs: 'later', paeMode: 'extended-cr3' });
    expect(parseXenElf(image({ notes: standardNotes({ PAE_MODE: 'bimodal' }) })).paeMode).toBe('bimodal');
  });

  it('accepts GUEST_OS "linux*" with any LOADER', () => {
    expect(parseXenElf(image({ notes: standardNotes({ GUEST_OS: 'linux', LOADER: 'other' }) })).guestOs).toBe('linux');
  });

  it('ignores notes with other names and unknown Xen note types', () => {
    const notes = [{ type: 1, name: 'GNU', desc: 0x1234 }, { type: 99, desc: 5 }, ...standardNotes()];
    const img = parseXenElf(image({ notes }));
    expect(img.entry).toBe(BASE);
    expect(img.notes[0]).toMatchObject({ name: 'unknown(99)' });
  });

  it('parses FEATURES with required features, SUPPORTED_FEATURES and MOD_START_PFN', () => {
    const notes = [
      ...standardNotes({ FEATURES: '!writable_page_tables|supervisor_mode_kernel|no_such_thing', MOD_START_PFN: 1 }),
      { type: XEN_ELFNOTE.SUPPORTED_FEATURES, desc: 1 << 13 },
    ];
    const img = parseXenElf(image({ notes }));
    expect(img.features.required).toBe(1 << XENFEAT.writable_page_tables);
    expect(img.features.supported).toBe((1 << 0) | (1 << 3) | (1 << 13));
    expect(img.modStartPfn).toBe(true);
  });

  it('extends the kernel end by the BSD symbol area', () => {
    const img = parseXenElf(image({ notes: standardNotes({ BSD_SYMTAB: 'yes' }), symtab: { symBytes: 0x30, strBytes: 0x11 } }));
    // 192 header bytes + 0x30 symbols, rounded to 4, + 0x11 strings, rounded to 4.
    expect(img.bsdSymtabArea).toMatchObject({ va: BASE + 0x3000, size: 192 + 0x30 + 0x14 });
    expect(img.virtKend).toBe(BASE + 0x3000 + 192 + 0x30 + 0x14);
  });
});

describe('parseXenElf: the legacy __xen_guest string', () => {
  const legacy = (s: string, spec: ImageSpec = {}): Uint8Array =>
    image({ notes: [], xenGuest: s, segments: [{ paddr: BASE, filesz: 0x100, memsz: 0x3000 }], ...spec });

  it('parses NAME=VALUE items, C-style numbers and PADDR_OFFSET defaulting to VIRT_BASE', () => {
    const img = parseXenElf(legacy('GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,HYPERCALL_PAGE=0x2,PAE=yes[extended-cr3],LOADER=generic'));
    expect(img).toMatchObject({
      notesFrom: '__xen_guest', virtBase: BASE, paddrOffset: BASE, virtKstart: BASE, hypercallPage: BASE + 0x2000,
      paeMode: 'extended-cr3',
    });
  });

  it('reads PAE=yes as plain PAE (L3 below 4 GiB)', () => {
    expect(parseXenElf(legacy('GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes')).paeMode).toBe('yes');
  });

  it('refuses an image without PAE', () => {
    rejects(legacy('GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000'), /PAE_MODE is not 'yes'/);
  });

  it('strtoull follows C: base prefixes, stops at a bad digit, saturates', () => {
    expect(strtoull('0x1f')).toBe(31n);
    expect(strtoull('017')).toBe(15n);
    expect(strtoull('  42abc')).toBe(42n);
    expect(strtoull('0x')).toBe(0n);
    expect(strtoull('-1')).toBe((1n << 64n) - 1n);
    expect(strtoull('99999999999999999999999')).toBe((1n << 64n) - 1n);
  });
});

describe('parseXenElf: rejections name the problem', () => {
  it('refuses non-ELF, ELF64, big-endian and non-i386 files', () => {
    rejects(new Uint8Array(0), /not an ELF file/);
    rejects(Uint8Array.from([...'hello world'].map((c) => c.charCodeAt(0))), /not an ELF file/);
    const b64 = image(); b64[4] = 2;
    rejects(b64, /ELF class 64: pvplay boots 32-bit PAE PV kernels/);
    const be = image(); be[5] = 2;
    rejects(be, /big-endian/);
    rejects(image({ machine: 40 }), /ELF machine 40 is not i386/);
    rejects(image().subarray(0, 30), /truncated ELF header/);
  });

  it('refuses an image with no Xen metadata', () => {
    rejects(image({ notes: [] }), /no Xen notes and no __xen_guest section: not a Xen PV kernel/);
    rejects(image({ notes: [{ type: 1, name: 'GNU', desc: 1 }] }), /not a Xen PV kernel/);
  });

  it('applies Xen\'s GUEST_OS/LOADER and XEN_VERSION rules', () => {
    rejects(image({ notes: standardNotes({ LOADER: 'mine', GUEST_OS: 'bsd' }) }), /LOADER starts with "generic"/);
    rejects(image({ notes: standardNotes({ XEN_VERSION: 'xen-4.0' }) }), /XEN_VERSION "xen-4.0" does not start with "xen-3.0"/);
    rejects(image({ notes: standardNotes({ XEN_VERSION: null }) }), /XEN_VERSION ""/);
  });

  it('refuses non-PAE kernels', () => {
    rejects(image({ notes: standardNotes({ PAE_MODE: null }) }), /PAE_MODE is not 'yes': non-PAE 32-bit guests are refused/);
    rejects(image({ notes: standardNotes({ PAE_MODE: 'no' }) }), /non-PAE/);
  });

  it('refuses required features Xen would refuse', () => {
    rejects(image({ notes: standardNotes({ FEATURES: '!dom0' }) }), /requires the dom0 feature/);
    rejects(image({ notes: standardNotes({ FEATURES: '!auto_translated_physmap' }) }), /auto-translated PV guests/);
    rejects(image({ notes: standardNotes({ FEATURES: 'writable_page_tables|!frobnicate' }) }), /FEATURES note requires a feature Xen does not know/);
  });

  it('checks the address rules of 1.6', () => {
    rejects(image({ notes: standardNotes({ ENTRY: BASE + 0x5000 }) }), /entry 0xc0005000 is outside the kernel image 0xc0000000-0xc0003000/);
    rejects(image({ notes: standardNotes({ VIRT_BASE: null }) }), /PADDR_OFFSET is set but VIRT_BASE is not/);
    rejects(image({ notes: standardNotes({ PADDR_OFFSET: 0x1000 }) }), /below VIRT_BASE/);
    rejects(image({ notes: standardNotes({ INIT_P2M: BASE + 0x1000 }) }), /INIT_P2M 0xc0001000 lies inside the kernel image/);
    rejects(image({ notes: standardNotes({ VIRT_BASE: 1n << 40n, ENTRY: (1n << 40n) + 4n }) }), /does not fit in 32 bits/);
    rejects(image({ segments: [{ paddr: 0, filesz: 0x100, memsz: 0x100, type: 6 }] }), /no loadable \(PT_LOAD\) segments/);
    rejects(image({ segments: [{ paddr: 0, filesz: 0x100, memsz: 0x10 }] }), /file size 0x100 exceeds memory size 0x10/);
  });

  it('refuses malformed headers and notes', () => {
    const bad = image(); new DataView(bad.buffer).setUint16(44, 0xffff, true);
    rejects(bad, /program header table \(65535 entries\).*runs past the end of the file/);
    const badsh = image(); new DataView(badsh.buffer).setUint32(32, 0xfffffff0, true);
    rejects(badsh, /section header table/);
    const ent = image(); new DataView(ent.buffer).setUint16(42, 8, true);
    rejects(ent, /program header entry size 8/);
  });

  it('refuses more than 65536 notes', () => {
    const notes = Array.from({ length: 65537 }, () => ({ type: 1, name: '', desc: new Uint8Array(0) }));
    rejects(image({ notes: [...standardNotes(), ...notes] }), /more than 65536 ELF notes/);
  });
});

/** A small deterministic PRNG (xorshift32), so every run tests the same variants. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** An ElfError raised by a check, not an unexpected exception caught by the safety net. */
function expectCleanRefusal(e: unknown): void {
  if (!(e instanceof ElfError)) throw e;
  expect(e.message).not.toMatch(/^malformed ELF image \(/);
}

describe('parseXenElf: fuzzing', () => {
  it('throws only ElfError on truncated and corrupted images', () => {
    const seeds: Uint8Array[] = [
      image(), image({ notesIn: 'both', notes: standardNotes({ BSD_SYMTAB: 'yes' }), symtab: { symBytes: 16, strBytes: 8 } }),
      image({ notes: [], xenGuest: 'GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,PAE=yes', segments: [{ paddr: BASE, filesz: 64, memsz: 4096 }] }),
    ];
    const rand = xorshift(0x5eed);
    let accepted = 0, refused = 0;
    for (const seed of seeds) {
      for (let cut = 0; cut <= seed.length; cut += 1 + (cut >> 4)) {
        try { parseXenElf(seed.subarray(0, cut)); accepted++; } catch (e) { expectCleanRefusal(e); refused++; }
      }
      for (let round = 0; round < 3000; round++) {
        const b = seed.slice();
        const flips = 1 + (rand() % 8);
        for (let i = 0; i < flips; i++) {
          const at = rand() % b.length;
          const r = rand() % 4;
          // Mostly small headers fields; sometimes extremes that stress bounds checks.
          b[at] = r === 0 ? 0xff : r === 1 ? 0 : rand() & 255;
        }
        try { parseXenElf(b); accepted++; } catch (e) { expectCleanRefusal(e); refused++; }
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

const HELLO = resolve(dirname(fileURLToPath(import.meta.url)), '../../guests/build/tests/hello.elf');

describe('parseXenElf: the test kernels of guests/tests', () => {
  it('accepts hello.elf with the notes of tests/lib/entry.S', () => {
    // Built from source here (make is quick when it is up to date).
    execFileSync('make', ['-s', '-C', resolve(dirname(HELLO), '../../..', 'guests'), 'build/tests/hello.elf'], { stdio: 'pipe' });
    const img = parseXenElf(readFileSync(HELLO));
    expect(img).toMatchObject({
      guestOs: 'pvplay-test', loader: 'generic', xenVersion: 'xen-3.0', paeMode: 'extended-cr3',
      virtBase: BASE, paddrOffset: 0, virtKstart: BASE, entry: BASE, hypercallPage: BASE + 0x1000, notesFrom: 'segments',
    });
  });
});
