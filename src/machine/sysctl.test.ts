// sysctl from a guest, through the real dispatcher on a domain built from
// guests/tests/hello.elf. ABI facts (public/sysctl.h, xen-pv32-abi.md): the
// struct is copied in whole first (-EFAULT), then interface_version must be
// Xen's (-EACCES otherwise: how guests probe it), then an unprivileged caller
// is refused (-EPERM) whatever the sub-op.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { E, HC } from '../abi/xen';
import { GuestMem } from '../hv/guestmem';
import { callHypercall } from '../hv/hypercalls/index';
import { SYSCTL_INTERFACE_VERSION } from '../hv/hypercalls/sysctl';
import { Machine } from './machine';

const ROOT = resolve(__dirname, '../..');
let kernel: Uint8Array;

beforeAll(() => {
  const res = spawnSync('make', ['-s', '-C', resolve(ROOT, 'guests'), 'build/tests/hello.elf'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`building guests/tests/hello.elf failed:\n${res.stdout}${res.stderr}`);
  kernel = readFileSync(resolve(ROOT, 'guests/build/tests/hello.elf'));
});

function call(at: 'mapped' | 'straddling', version: number, cmd: number): number | null {
  const m = new Machine({ ramMiB: 32 });
  const { dom, layout } = m.createGuest({ name: 'sysctl', kernel, memMiB: 8 });
  const v = dom.vcpus[0], g = new GuestMem(v.cpu);
  // 136 bytes: either well inside mapped RAM, or ending 8 bytes past the initial mapping.
  const va = at === 'mapped' ? layout.mappedPadding.va : layout.mappedEnd - 128;
  g.setU32(va, cmd);
  g.setU32(va + 4, version);
  expect(g.ok).toBe(true);
  return callHypercall({ hv: m.hv, dom, v, g: new GuestMem(v.cpu), inMulticall: false }, HC.sysctl, va, 0, 0, 0, 0);
}

describe('sysctl from a guest', () => {
  it('probing versions: -EACCES until the right one, then -EPERM', () => {
    expect(call('mapped', 0, 0)).toBe(-E.EACCES);
    expect(call('mapped', SYSCTL_INTERFACE_VERSION - 1, 0)).toBe(-E.EACCES);
    expect(call('mapped', SYSCTL_INTERFACE_VERSION, 0)).toBe(-E.EPERM);
  });

  it('any sub-op is -EPERM for an unprivileged domain (livepatch is 27)', () => {
    expect(call('mapped', SYSCTL_INTERFACE_VERSION, 27)).toBe(-E.EPERM);
  });

  it('a struct that cannot be read whole is -EFAULT before the version check', () => {
    expect(call('straddling', 0, 0)).toBe(-E.EFAULT);
  });
});
