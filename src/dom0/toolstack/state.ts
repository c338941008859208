// The toolstack's state for snapshots: what it remembers of each domain it made
// (uuid, config, a pending shutdown request and its deadline), shutdowns reported
// but not yet acted on, the uuid counter and the domid rover. A domain's images
// (kept for `restart`) are named by id; the machine keeps the bytes.
import type { Rec } from '../../shared/record';
import type { DomainConfig, LifecycleAction } from './config';
import type { DiskConfig, VfbConfig, VifConfig } from './devices';
import type { DomainImages, Toolstack } from './toolstack';

export const TOOLSTACK_STATE_VERSION = 1;
const ACTIONS: readonly LifecycleAction[] = ['destroy', 'restart', 'preserve'];

export function saveToolstack(ts: Toolstack, imageId: (bytes: Uint8Array) => string): Record<string, unknown> {
  const c = ts.counters();
  return {
    version: TOOLSTACK_STATE_VERSION,
    records: [...ts.records.values()].map((r) => ({
      domid: r.domid, uuid: r.uuid, config: r.config, kernel: imageId(r.images.kernel),
      ramdisk: r.images.ramdisk ? imageId(r.images.ramdisk) : null, shutdownDeadline: r.shutdownDeadline, requested: r.requested,
    })),
    shutdowns: [...c.shutdowns], uuids: c.uuids, rover: c.rover, shutdownTimeoutNs: ts.shutdownTimeoutNs,
  };
}

function strMap(r: Rec): Record<string, string> {
  // fromEntries defines own properties, so even a key named __proto__ stays data.
  return Object.fromEntries(r.entries(64).map(([k, v]) => [k, v.str(4096)]));
}

/** A DomainConfig as saved (checked field by field). */
export function readDomainConfig(r: Rec): DomainConfig {
  const s = (name: string): string => r.get(name).str(4096);
  const optS = (name: string): string | undefined => r.opt(name)?.str(4096);
  const cfg: DomainConfig = {
    name: s('name'), kernel: s('kernel'), cmdline: s('cmdline'),
    memory: r.get('memory').int(1, 1 << 20), maxmem: r.get('maxmem').int(1, 1 << 20),
    vcpus: r.get('vcpus').int(1, 32), maxvcpus: r.get('maxvcpus').int(1, 32),
    onPoweroff: r.get('onPoweroff').oneOf(ACTIONS), onReboot: r.get('onReboot').oneOf(ACTIONS), onCrash: r.get('onCrash').oneOf(ACTIONS),
    vifs: r.get('vifs').list(64).map((v): VifConfig => {
      const o: VifConfig = { devid: v.get('devid').int(0, 0xffff), bridge: v.get('bridge').str(256), script: v.get('script').str(256) };
      for (const k of ['mac', 'ip', 'model'] as const) { const x = v.opt(k); if (x) o[k] = x.str(256); }
      return o;
    }),
    disks: r.get('disks').list(64).map((d): DiskConfig => ({
      devid: d.get('devid').int(0, 0x7fffffff), vdev: d.get('vdev').str(64), target: d.get('target').str(4096),
      kind: d.get('kind').oneOf(['phy', 'file'] as const), access: d.get('access').oneOf(['r', 'w'] as const), format: d.get('format').str(64),
    })),
    vfbs: r.get('vfbs').list(64).map((f): VfbConfig => ({
      devid: f.get('devid').int(0, 0xffff),
      options: strMap(f.get('options')),
    })),
    ignored: r.get('ignored').list(256).map((x) => x.str(256)),
  };
  const ramdisk = optS('ramdisk'), uuid = optS('uuid');
  if (ramdisk !== undefined) cfg.ramdisk = ramdisk;
  if (uuid !== undefined) cfg.uuid = uuid;
  return cfg;
}

/**
 * Check a saved record; the result installs it. `image` gives an image's bytes by
 * id; `exists` says whether a domain is live. Returns problems (empty when sound).
 */
export function readToolstack(r: Rec): (ts: Toolstack, image: (id: string) => Uint8Array | undefined, exists: (domid: number) => boolean) => string[] {
  if (r.get('version').int() !== TOOLSTACK_STATE_VERSION) r.get('version').fail(`version ${TOOLSTACK_STATE_VERSION} expected`);
  const records = r.get('records').list(0x7ff0).map((x) => ({
    domid: x.get('domid').int(1, 0x7fef), uuid: x.get('uuid').str(64), config: readDomainConfig(x.get('config')),
    kernel: x.get('kernel').str(128), ramdisk: x.opt('ramdisk')?.str(128),
    shutdownDeadline: x.get('shutdownDeadline').int(0, 2 ** 53), requested: x.get('requested').oneOf(['', 'poweroff', 'reboot'] as const),
  }));
  if (new Set(records.map((x) => x.domid)).size !== records.length) r.get('records').fail('a domain appears twice');
  const counters = {
    shutdowns: r.get('shutdowns').ints(0x7ff0, 1, 0x7fef), uuids: r.get('uuids').int(0, 2 ** 53), rover: r.get('rover').int(1, 0x7fef),
  };
  const timeout = r.get('shutdownTimeoutNs').int(0, 2 ** 53);
  return (ts, image, exists) => {
    const bad: string[] = [];
    ts.records.clear();
    for (const x of records) {
      if (!exists(x.domid)) bad.push(`toolstack record of domain ${x.domid}, which does not exist`);
      const kernel = image(x.kernel), ramdisk = x.ramdisk === undefined ? undefined : image(x.ramdisk);
      if (!kernel || (x.ramdisk !== undefined && !ramdisk)) { bad.push(`domain ${x.domid}: an image it was made from is missing`); continue; }
      const images: DomainImages = ramdisk ? { kernel, ramdisk } : { kernel };
      ts.records.set(x.domid, { domid: x.domid, uuid: x.uuid, config: x.config, images, shutdownDeadline: x.shutdownDeadline, requested: x.requested });
    }
    ts.restoreCounters(counters);
    ts.shutdownTimeoutNs = timeout;
    return bad;
  };
}
