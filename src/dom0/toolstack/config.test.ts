// xl config files: syntax, defaults, lifecycle actions, devices, and errors that name the line.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseDomainConfig } from './config';
import { parseCfg } from './cfgparse';
import { vdevToDevid } from './devices';

describe('xl config syntax', () => {
  it('reads strings, numbers, lists over several lines, comments, ; and +=', () => {
    const s = parseCfg(`# a guest
name = "web"   # trailing comment
memory = 64; vcpus = 2
extra = 'console=hvc0 \\x41\\n'
vif = [ 'mac=00:16:3e:00:00:01',
        'bridge=xenbr1', ]
vif += [ "" ]
`, 'web.cfg');
    expect(s.get('name')).toMatchObject({ kind: 'string', value: 'web' });
    expect(s.get('memory')).toMatchObject({ kind: 'string', value: '64' });
    expect(s.get('vcpus')).toMatchObject({ kind: 'string', value: '2' });
    expect(s.get('extra')).toMatchObject({ value: 'console=hvc0 A\n' });
    expect(s.get('vif')).toMatchObject({ kind: 'list', items: ['mac=00:16:3e:00:00:01', 'bridge=xenbr1', ''] });
  });

  it('reports syntax errors with file, line and the text near them', () => {
    expect(() => parseCfg('name = "a"\nmemory = \n', 'g.cfg')).toThrow("g.cfg:2: config parsing error near `newline': syntax error, expecting a string, a number or '['");
    expect(() => parseCfg('name "a"', 'g.cfg')).toThrow("g.cfg:1: config parsing error near `\"a\"': syntax error, expecting '=' or '+='");
    expect(() => parseCfg('name = "a', 'g.cfg')).toThrow('unterminated string');
    expect(() => parseCfg('vif = [ "a" "b" ]', 'g.cfg')).toThrow("expecting ',' or ']'");
    expect(() => parseCfg('memory = 64 32', 'g.cfg')).toThrow('expecting a newline');
    expect(() => parseCfg('name = bare', 'g.cfg')).toThrow(ConfigError);
  });
});

describe('domain config', () => {
  it("has xl's defaults", () => {
    const c = parseDomainConfig('name = "a"\nkernel = "k.elf"\n');
    expect(c).toMatchObject({ name: 'a', kernel: 'k.elf', cmdline: '', memory: 32, maxmem: 32, vcpus: 1, maxvcpus: 1,
      onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy', vifs: [], disks: [], vfbs: [], ignored: [] });
  });

  it('composes the command line from root and extra unless cmdline is given', () => {
    expect(parseDomainConfig('name="a"\nkernel="k"\nroot="/dev/xvda1"\nextra="quiet"').cmdline).toBe('root=/dev/xvda1 quiet');
    expect(parseDomainConfig('name="a"\nkernel="k"\nextra="quiet"').cmdline).toBe('quiet');
    expect(parseDomainConfig('name="a"\nkernel="k"\ncmdline="x"\nextra="quiet"').cmdline).toBe('x');
  });

  it('takes actions, memory, vcpus and uuid, and refuses what we do not do', () => {
    const c = parseDomainConfig('name="a"\nkernel="k"\nmemory=16\nmaxmem=24\nvcpus=2\non_crash="preserve"\non_reboot="destroy"\nuuid="0123ABCD-0000-4000-8000-000000000001"\nbootloader="pygrub"');
    expect(c).toMatchObject({ memory: 16, maxmem: 24, vcpus: 2, maxvcpus: 2, onCrash: 'preserve', onReboot: 'destroy', uuid: '0123abcd-0000-4000-8000-000000000001', ignored: ['bootloader'] });
    expect(() => parseDomainConfig('name="a"\nkernel="k"\non_crash="coredump-restart"', 'x.cfg')).toThrow('x.cfg:3: on_crash action "coredump-restart" is not supported');
    expect(() => parseDomainConfig('name="a"\nkernel="k"\non_poweroff="explode"', 'x.cfg')).toThrow('Unknown on_poweroff action "explode"');
    expect(() => parseDomainConfig('kernel="k"')).toThrow('Domain name must be specified.');
    expect(() => parseDomainConfig('name="a"')).toThrow('kernel must be specified');
    expect(() => parseDomainConfig('name="a"\nkernel="k"\nmemory="lots"', 'x.cfg')).toThrow("x.cfg:3: `memory' must be a whole number >= 1");
    expect(() => parseDomainConfig('name="a"\nkernel="k"\nmemory=[1]', 'x.cfg')).toThrow("parameter `memory' is a list but should be a single value");
    expect(() => parseDomainConfig('name="a"\nkernel="k"\nmemory=64\nmaxmem=32')).toThrow('maxmem (32) must not be less than memory (64)');
    expect(() => parseDomainConfig('name="a"\nkernel="k"\ntype="hvm"')).toThrow('only PV guests');
  });

  it('parses vif, disk and vfb entries', () => {
    const c = parseDomainConfig(`name="a"
kernel="k"
vif=['mac=00:16:3E:AA:BB:CC,bridge=xenbr1', '']
disk=['phy:/dev/vg/root,xvda,w', 'target=/img/b.raw,vdev=xvdb1,access=ro,format=qcow2']
vfb=['vnc=1,vnclisten=0.0.0.0']`);
    expect(c.vifs).toEqual([
      { devid: 0, mac: '00:16:3e:aa:bb:cc', bridge: 'xenbr1', script: 'vif-bridge' },
      { devid: 1, bridge: 'xenbr0', script: 'vif-bridge' },
    ]);
    expect(c.disks).toEqual([
      { devid: 51712, vdev: 'xvda', target: '/dev/vg/root', kind: 'phy', access: 'w', format: 'raw' },
      { devid: 51729, vdev: 'xvdb1', target: '/img/b.raw', kind: 'file', access: 'r', format: 'qcow2' },
    ]);
    expect(c.vfbs).toEqual([{ devid: 0, options: { vnc: '1', vnclisten: '0.0.0.0' } }]);
    expect(() => parseDomainConfig('name="a"\nkernel="k"\nvif=["mac=zz"]', 'x.cfg')).toThrow('x.cfg:3: vif entry 0 ("mac=zz"): invalid mac address "zz"');
    expect(() => parseDomainConfig('name="a"\nkernel="k"\ndisk=["/img"]')).toThrow('no vdev specified');
  });

  it('numbers virtual disks as Linux and Xen do', () => {
    expect(vdevToDevid('xvda')).toBe(51712);
    expect(vdevToDevid('xvdb')).toBe(51728);
    expect(vdevToDevid('xvdq')).toBe((1 << 28) | (16 << 8));
    expect(vdevToDevid('hda')).toBe(768);
    expect(vdevToDevid('hdb')).toBe(832);
    expect(vdevToDevid('sda1')).toBe(2049);
    expect(() => vdevToDevid('floppy')).toThrow('invalid virtual disk identifier');
  });
});
