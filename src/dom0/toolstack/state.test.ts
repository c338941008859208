// Domain configs as the toolstack saves them come back field for field, devices
// included; malformed ones are refused with the field named.
import { describe, expect, it } from 'vitest';
import { Rec } from '../../shared/record';
import { parseDomainConfig } from './config';
import { readDomainConfig } from './state';

describe('toolstack state', () => {
  it('reads back a saved domain config, devices and all', () => {
    const cfg = parseDomainConfig([
      'name = "web"', 'kernel = "/k.elf"', 'ramdisk = "/initrd"', 'memory = 64', 'maxmem = 128', 'vcpus = 2',
      'uuid = "12345678-1234-4234-8234-123456789abc"', 'on_crash = "preserve"',
      'vif = [ "mac=00:16:3e:00:00:01,bridge=br0" ]', 'disk = [ "phy:/dev/vg/web,xvda,w" ]', 'vfb = [ "vnc=1,vnclisten=0.0.0.0" ]',
      'cpus = "0-1"',
    ].join('\n'));
    const back = readDomainConfig(Rec.of(JSON.parse(JSON.stringify(cfg)), 'config'));
    expect(back).toEqual(cfg);
    expect(back.vfbs[0]!.options).toEqual(cfg.vfbs[0]!.options);
    const bad = (edit: Record<string, unknown>) => readDomainConfig(Rec.of({ ...JSON.parse(JSON.stringify(cfg)), ...edit }, 'config'));
    expect(() => bad({ onReboot: 'explode' })).toThrow(/config\.onReboot/);
    expect(() => bad({ vcpus: 0 })).toThrow(/config\.vcpus/);
    expect(() => bad({ disks: [{ devid: 1 }] })).toThrow(/config\.disks\[0\]\.vdev: missing/);
  });
});
