// A domain's configuration as xl's config file gives it (xl.cfg(5)), for a PV
// guest: name, kernel, ramdisk, cmdline (or root + extra), memory and maxmem
// (MiB), vcpus and maxvcpus, uuid, on_poweroff / on_reboot / on_crash, and the
// device lists vif, disk (vbd) and vfb. Defaults are xl's: 32 MiB (libxl's
// default max_memkb), 1 vcpu, destroy on poweroff, restart on reboot, destroy
// on crash.
// We support the actions destroy, restart and preserve; rename-restart,
// coredump-* and soft-reset are refused with a clear error (no core dumps, no
// renaming here). Devices are parsed and recorded, and their xenstore nodes
// written (devices.ts), but no block, network or framebuffer backend serves
// them yet: their backends stay in state 1 (Initialising). Keys we do not know
// are ignored, as xl ignores them, and listed in `ignored`.
import { ConfigError, parseCfg, type CfgValue } from './cfgparse';
import { parseDisk, parseVfb, parseVif, type DiskConfig, type VfbConfig, type VifConfig } from './devices';

export { ConfigError } from './cfgparse';

export type LifecycleAction = 'destroy' | 'restart' | 'preserve';

export interface DomainConfig {
  name: string;
  /** Paths as the config file gives them; the caller loads the files. */
  kernel: string;
  ramdisk?: string;
  cmdline: string;
  /** MiB. */
  memory: number;
  maxmem: number;
  vcpus: number;
  maxvcpus: number;
  /** xl's "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; absent: the toolstack makes one. */
  uuid?: string;
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
  vifs: VifConfig[];
  disks: DiskConfig[];
  vfbs: VfbConfig[];
  /** Keys present in the file that mean nothing to us. */
  ignored: string[];
}

const KNOWN = new Set([
  'name', 'type', 'builder', 'kernel', 'ramdisk', 'cmdline', 'root', 'extra', 'memory', 'maxmem', 'vcpus', 'maxvcpus',
  'uuid', 'on_poweroff', 'on_reboot', 'on_crash', 'vif', 'disk', 'vfb',
]);

const ACTIONS = ['destroy', 'restart', 'preserve'];
const XL_ONLY_ACTIONS = ['rename-restart', 'coredump-destroy', 'coredump-restart', 'soft-reset'];

/** Defaults for fields a caller of the TypeScript API leaves out (xl's defaults). */
export function defaultConfig(name: string, kernel: string): DomainConfig {
  return {
    name, kernel, cmdline: '', memory: 32, maxmem: 32, vcpus: 1, maxvcpus: 1,
    onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy', vifs: [], disks: [], vfbs: [], ignored: [],
  };
}

/** Parse an xl config file into a DomainConfig; ConfigError says what is wrong and where. */
export function parseDomainConfig(src: string, file = 'config'): DomainConfig {
  const s = parseCfg(src, file);
  const where = (v: CfgValue) => `${file}:${v.line}`;
  const str = (key: string): string | undefined => {
    const v = s.get(key);
    if (!v) return undefined;
    if (v.kind !== 'string') throw new ConfigError(`${where(v)}: parameter \`${key}' is a list but should be a single value`);
    return v.value;
  };
  const list = (key: string): string[] => {
    const v = s.get(key);
    if (!v) return [];
    if (v.kind !== 'list') throw new ConfigError(`${where(v)}: parameter \`${key}' is a single value but should be a list`);
    return v.items;
  };
  const int = (key: string, min: number): number | undefined => {
    const text = str(key);
    if (text === undefined) return undefined;
    const n = /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(`${where(s.get(key)!)}: \`${key}' must be a whole number >= ${min}, not "${text}"`);
    return n;
  };
  const action = (key: string, dflt: LifecycleAction): LifecycleAction => {
    const text = str(key);
    if (text === undefined) return dflt;
    if (ACTIONS.includes(text)) return text as LifecycleAction;
    if (XL_ONLY_ACTIONS.includes(text)) throw new ConfigError(`${where(s.get(key)!)}: ${key} action "${text}" is not supported by pvplay (use destroy, restart or preserve)`);
    throw new ConfigError(`${where(s.get(key)!)}: Unknown ${key} action "${text}" specified`);
  };

  const name = str('name');
  if (!name) throw new ConfigError(`${file}: Domain name must be specified.`);
  const type = str('type') ?? str('builder') ?? 'pv';
  if (type !== 'pv' && type !== 'linux') throw new ConfigError(`${where(s.get('type') ?? s.get('builder')!)}: only PV guests (type = "pv") run here, not "${type}"`);
  const kernel = str('kernel');
  if (!kernel) throw new ConfigError(`${file}: kernel must be specified for a PV guest`);
  const cmdline = str('cmdline');
  const root = str('root'), extra = str('extra');
  const composed = root !== undefined ? (extra !== undefined ? `root=${root} ${extra}` : `root=${root}`) : (extra ?? '');
  const memory = int('memory', 1) ?? 32;
  const maxmem = int('maxmem', 1) ?? memory;
  if (maxmem < memory) throw new ConfigError(`${file}: maxmem (${maxmem}) must not be less than memory (${memory})`);
  const vcpus = int('vcpus', 1) ?? 1;
  const maxvcpus = int('maxvcpus', 1) ?? vcpus;
  if (maxvcpus < vcpus) throw new ConfigError(`${file}: maxvcpus (${maxvcpus}) must not be less than vcpus (${vcpus})`);
  const uuid = str('uuid');
  if (uuid !== undefined && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(uuid)) {
    throw new ConfigError(`${where(s.get('uuid')!)}: Failed to parse UUID: ${uuid}`);
  }
  const dev = <T>(key: string, parse: (spec: string, index: number) => T): T[] =>
    list(key).map((spec, i) => {
      try {
        return parse(spec, i);
      } catch (e) {
        throw new ConfigError(`${where(s.get(key)!)}: ${key} entry ${i} ("${spec}"): ${(e as Error).message}`);
      }
    });
  return {
    name, kernel, ramdisk: str('ramdisk'), cmdline: cmdline ?? composed,
    memory, maxmem, vcpus, maxvcpus, uuid: uuid?.toLowerCase(),
    onPoweroff: action('on_poweroff', 'destroy'), onReboot: action('on_reboot', 'restart'), onCrash: action('on_crash', 'destroy'),
    vifs: dev('vif', parseVif), disks: dev('disk', parseDisk), vfbs: dev('vfb', parseVfb),
    ignored: [...s.keys()].filter((k) => !KNOWN.has(k)),
  };
}
