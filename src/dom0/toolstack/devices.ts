// Split devices as xl declares them and libxl announces them in xenstore: a
// frontend directory ~/device/<type>/<devid> (owned by the guest, readable by
// the backend domain) and a backend directory
// /local/domain/<backend>/backend/<type>/<domid>/<devid> (owned by the backend
// domain, readable by the guest), each naming the other, with XenbusState 1
// (Initialising) on both sides (xen-pv32-abi.md 7.4, 7.5).
// pvplay has no block, network or framebuffer backend yet: nothing moves these
// devices past Initialising, so a frontend that waits for its backend waits.
// Specs: vif "mac=..,bridge=..,ip=..,script=..,model=..,vifname=.."; disk
// positional "target,vdev,access" (target may carry "phy:" / "file:") or
// "target=..,vdev=..,access=..,format=.."; vfb "vnc=1,vnclisten=..,..".

export interface VifConfig { devid: number; mac?: string; bridge: string; ip?: string; script: string; model?: string }
export interface DiskConfig { devid: number; vdev: string; target: string; kind: 'phy' | 'file'; access: 'r' | 'w'; format: string }
export interface VfbConfig { devid: number; options: Record<string, string> }

function keyValues(spec: string): [string, string][] {
  return spec.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
  });
}

export function parseVif(spec: string, index: number): VifConfig {
  const vif: VifConfig = { devid: index, bridge: 'xenbr0', script: 'vif-bridge' };
  for (const [k, v] of keyValues(spec)) {
    switch (k) {
      case 'mac':
        if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(v)) throw new Error(`invalid mac address "${v}"`);
        vif.mac = v.toLowerCase();
        break;
      case 'bridge': vif.bridge = v; break;
      case 'ip': vif.ip = v; break;
      case 'script': vif.script = v; break;
      case 'model': vif.model = v; break;
      case 'vifname': case 'type': case 'rate': case 'backend': case 'gatewaydev': break;
      default: throw new Error(`unknown vif key "${k}"`);
    }
  }
  return vif;
}

/** The Linux/Xen device number of a virtual disk name (xvda -> 51712, xvdb1 -> 51729, hda -> 768, sda -> 2048). */
export function vdevToDevid(vdev: string): number {
  let m = /^xvd([a-z]+)(\d*)$/.exec(vdev);
  if (m) {
    let disk = 0;
    for (const ch of m[1]!) disk = disk * 26 + (ch.charCodeAt(0) - 96);
    disk -= 1;
    const part = m[2] ? Number(m[2]) : 0;
    if (disk < 16 && part < 16) return (202 << 8) | (disk << 4) | part;
    if (part > 255) throw new Error(`partition ${part} out of range`);
    return (1 << 28) | (disk << 8) | part;
  }
  m = /^sd([a-p])(\d*)$/.exec(vdev);
  if (m) return (8 << 8) | ((m[1]!.charCodeAt(0) - 97) << 4) | (m[2] ? Number(m[2]) : 0);
  m = /^hd([a-d])(\d*)$/.exec(vdev);
  if (m) {
    const d = m[1]!.charCodeAt(0) - 97;
    return ((d < 2 ? 3 : 22) << 8) | ((d & 1) << 6) | (m[2] ? Number(m[2]) : 0);
  }
  throw new Error(`invalid virtual disk identifier "${vdev}"`);
}

export function parseDisk(spec: string, _index: number): DiskConfig {
  const named = new Map<string, string>(), positional: string[] = [];
  for (const [k, v] of keyValues(spec)) {
    if (v === '' && !spec.includes(`${k}=`)) positional.push(k);
    else named.set(k, v);
  }
  let target = named.get('target') ?? positional[0] ?? '';
  const vdev = named.get('vdev') ?? positional[1];
  const access = named.get('access') ?? positional[2] ?? 'w';
  if (!vdev) throw new Error('no vdev specified');
  let kind: 'phy' | 'file' = 'file';
  const pre = /^(phy|file|tap|aio|tap2?:aio):(.*)$/.exec(target);
  if (pre) {
    kind = pre[1] === 'phy' ? 'phy' : 'file';
    target = pre[2]!;
  }
  if (!['r', 'ro', 'w', 'rw'].includes(access)) throw new Error(`invalid access "${access}"`);
  return { devid: vdevToDevid(vdev), vdev, target, kind, access: access.startsWith('r') && access !== 'rw' ? 'r' : 'w', format: named.get('format') ?? 'raw' };
}

export function parseVfb(spec: string, index: number): VfbConfig {
  return { devid: index, options: Object.fromEntries(keyValues(spec)) };
}

/** One device's nodes: relative to its frontend and backend directories. */
export interface DeviceNodes {
  type: 'vif' | 'vbd' | 'vfb' | 'console';
  devid: number;
  frontend: [string, string][];
  backend: [string, string][];
}

/** A deterministic MAC in Xen's OUI 00:16:3e, from the domain's uuid and the vif's index. */
export function defaultMac(uuid: string, devid: number): string {
  const hex = uuid.replace(/-/g, '');
  const b = [parseInt(hex.slice(0, 2), 16) & 0x7f, parseInt(hex.slice(2, 4), 16), (parseInt(hex.slice(4, 6), 16) + devid) & 0xff];
  return ['00', '16', '3e', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

export function vifNodes(v: VifConfig, uuid: string): DeviceNodes {
  const mac = v.mac ?? defaultMac(uuid, v.devid);
  return {
    type: 'vif', devid: v.devid,
    frontend: [['handle', String(v.devid)], ['mac', mac]],
    backend: [['handle', String(v.devid)], ['mac', mac], ['bridge', v.bridge], ['script', v.script], ['type', 'vif'],
      ...(v.ip ? [['ip', v.ip] as [string, string]] : []), ...(v.model ? [['model', v.model] as [string, string]] : [])],
  };
}

export function diskNodes(d: DiskConfig): DeviceNodes {
  return {
    type: 'vbd', devid: d.devid,
    frontend: [['virtual-device', String(d.devid)], ['device-type', 'disk']],
    backend: [['params', d.target], ['type', d.kind], ['mode', d.access], ['dev', d.vdev], ['device-type', 'disk'],
      ['removable', '0'], ['bootable', '1']],
  };
}

export function vfbNodes(f: VfbConfig): DeviceNodes {
  return { type: 'vfb', devid: f.devid, frontend: [], backend: Object.entries(f.options) };
}
