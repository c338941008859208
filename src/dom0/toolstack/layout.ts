// The xenstore nodes libxl writes for a PV domain (libxl__domain_make, then
// libxl__build_post and the device adds; xen-pv32-abi.md 2.5 and 7.4), with
// libxl's three permission sets:
//   roperm [n0, r<domid>]  dom0 owns, the guest may read: its home, /vm/<uuid>,
//                          ~/cpu, ~/memory, ~/device, ~/control
//   rwperm [n<domid>]      the guest owns: ~/control/shutdown (it acknowledges
//                          a request by writing ""), ~/control/feature-*,
//                          ~/control/sysrq, ~/data, ~/drivers, ~/feature,
//                          ~/attr, ~/error, ~/device/suspend/event-channel
//   noperm [n0]            dom0 only: /libxl/<domid>
// Nodes written later below a directory inherit its permissions (xenstored
// gives a new node its parent's), so ~/domid and ~/memory/target are readable
// and not writable by the guest, as on Xen. Device directories: frontend
// [n<domid>, r<backend>], backend [n<backend>, r<domid>] (libxl's device add).
// The primary console's frontend is ~/console (not ~/device/console/0).
import type { StoreClient } from './store';
import type { DeviceNodes } from './devices';

export interface LayoutInput {
  domid: number;
  name: string;
  uuid: string;
  /** KiB. */
  maxmemKiB: number;
  targetKiB: number;
  vcpus: number;
  maxvcpus: number;
  storeMfn: number;
  storePort: number;
  consoleMfn: number;
  consolePort: number;
  /** Seconds since boot, for /vm/<uuid>/start_time. */
  startTime: string;
  devices: DeviceNodes[];
  backendDomid: number;
}

export const domainHome = (domid: number): string => `/local/domain/${domid}`;
export const vmPath = (uuid: string): string => `/vm/${uuid}`;
export const libxlPath = (domid: number): string => `/libxl/${domid}`;

export function frontendDir(domid: number, d: DeviceNodes): string {
  return d.type === 'console' ? `${domainHome(domid)}/console` : `${domainHome(domid)}/device/${d.type}/${d.devid}`;
}
export function backendDir(backend: number, domid: number, d: DeviceNodes): string {
  return `${domainHome(backend)}/backend/${d.type}/${domid}/${d.devid}`;
}

/** Write a domain's whole layout. */
export function writeDomainLayout(xs: StoreClient, l: LayoutInput): void {
  const dom = domainHome(l.domid), vm = vmPath(l.uuid), lx = libxlPath(l.domid);
  const ro = ['n0', `r${l.domid}`], rw = [`n${l.domid}`], no = ['n0'];
  const mknod = (path: string, perms: string[]): void => {
    xs.write(path, '');
    xs.setPerms(path, perms);
  };
  // libxl__domain_make.
  xs.rm(dom);
  mknod(dom, ro);
  xs.rm(vm);
  mknod(vm, ro);
  mknod(lx, no);
  mknod(`${lx}/device`, no);
  xs.write(`${dom}/vm`, vm);
  mknod(`${dom}/cpu`, ro);
  mknod(`${dom}/memory`, ro);
  mknod(`${dom}/device`, ro);
  mknod(`${dom}/device/suspend/event-channel`, rw);
  mknod(`${dom}/control`, ro);
  for (const n of ['shutdown', 'feature-poweroff', 'feature-reboot', 'feature-suspend', 'sysrq']) mknod(`${dom}/control/${n}`, rw);
  for (const n of ['data', 'drivers', 'feature', 'attr', 'error']) mknod(`${dom}/${n}`, rw);
  xs.write(`${vm}/uuid`, l.uuid);
  xs.write(`${vm}/name`, l.name);
  xs.write(`${vm}/image/ostype`, 'linux');
  xs.write(`${vm}/start_time`, l.startTime);
  xs.write(`${dom}/name`, l.name);
  xs.write(`${dom}/control/platform-feature-multiprocessor-suspend`, '1');
  xs.write(`${dom}/control/platform-feature-xs_reset_watches`, '1');
  xs.write(`${lx}/type`, 'pv');
  // libxl__build_post.
  xs.write(`${dom}/memory/static-max`, String(l.maxmemKiB));
  xs.write(`${dom}/memory/target`, String(l.targetKiB));
  xs.write(`${dom}/memory/videoram`, '0');
  xs.write(`${dom}/domid`, String(l.domid));
  xs.write(`${dom}/store/port`, String(l.storePort));
  xs.write(`${dom}/store/ring-ref`, String(l.storeMfn));
  for (let i = 0; i < l.maxvcpus; i++) xs.write(`${dom}/cpu/${i}/availability`, i < l.vcpus ? 'online' : 'offline');
  // The primary console, then the declared devices.
  const consoleDev: DeviceNodes = {
    type: 'console', devid: 0,
    frontend: [['ring-ref', String(l.consoleMfn)], ['port', String(l.consolePort)], ['limit', '1048576'],
      ['type', 'xenconsoled'], ['output', 'pty'], ['tty', '']],
    backend: [['protocol', 'vt100']],
  };
  for (const d of [consoleDev, ...l.devices]) writeDevice(xs, l.domid, l.backendDomid, d);
}

function writeDevice(xs: StoreClient, domid: number, backend: number, d: DeviceNodes): void {
  const fe = frontendDir(domid, d), be = backendDir(backend, domid, d);
  xs.write(fe, '');
  xs.setPerms(fe, [`n${domid}`, `r${backend}`]);
  xs.write(be, '');
  xs.setPerms(be, [`n${backend}`, `r${domid}`]);
  xs.write(`${fe}/backend`, be);
  xs.write(`${fe}/backend-id`, String(backend));
  xs.write(`${fe}/state`, '1');
  for (const [k, v] of d.frontend) xs.write(`${fe}/${k}`, v);
  xs.write(`${be}/frontend`, fe);
  xs.write(`${be}/frontend-id`, String(domid));
  xs.write(`${be}/online`, '1');
  xs.write(`${be}/state`, '1');
  for (const [k, v] of d.backend) xs.write(`${be}/${k}`, v);
}

/** Remove everything the layout wrote (libxl's destroy: devices' backends, home, vm, libxl dirs). */
export function removeDomainLayout(xs: StoreClient, domid: number, uuid: string, backendDomid: number): void {
  for (const type of ['console', 'vif', 'vbd', 'vfb']) {
    const dir = `${domainHome(backendDomid)}/backend/${type}`;
    xs.rm(`${dir}/${domid}`);
    // An emptied backend type directory goes too, so nothing of the domain is left.
    try {
      if (xs.read(dir) !== undefined && xs.directory(dir).length === 0) xs.rm(dir);
    } catch { /* absent */ }
  }
  try {
    const be = `${domainHome(backendDomid)}/backend`;
    if (xs.read(be) !== undefined && xs.directory(be).length === 0) xs.rm(be);
  } catch { /* absent */ }
  xs.rm(domainHome(domid));
  xs.rm(vmPath(uuid));
  xs.rm(libxlPath(domid));
}
