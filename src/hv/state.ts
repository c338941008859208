// The hypervisor's own state for snapshots: virtual time, the scheduler (slots,
// cursor, the vcpu holding the CPU and what is left of its slice), counters, and
// every domain and vcpu with all the fields Xen keeps for a PV guest. The engines
// (page types, event channels, grant tables) save their own state (mm/snapshot.ts,
// evtchn/state.ts, gnttab/state.ts); register files and RAM go with machine memory.
//
// Reading is in two steps: readHv checks a saved record and makes a plan (no
// object is touched), applyHv builds the domains from it on a fresh hypervisor.
// checkHv then checks what only the assembled machine can tell (each vcpu's CR3
// is its base pointer, shared_info is the domain's Xen-shared frame, ...) and
// lists the frame references vcpus hold for the page-type audit.
import { R, type MemoryLayout } from '../shared/layout';
import type { Rec } from '../shared/record';
import { Cpu } from '../cpu/cpu';
import { readCpu, saveCpu } from '../cpu/state';
import { FIRST_RESERVED_GDT_ENTRY, SHINFO, XEN_LEGACY_MAX_VCPUS } from '../abi/xen';
import { Domain, type DomainState } from './domain';
import { SharedInfoView } from './evtchn/memory';
import type { Hypervisor } from './hypervisor';
import { ptwrScratchFrame, setPtwrScratchFrame } from './traps/ptwr';
import { Vcpu, type VcpuState } from './vcpu';
import { attachVcpuMm, ldtCacheOf, setLdtCache } from './vcpumm';

export const HV_STATE_VERSION = 1;
/** Domain ids a guest may have (the toolstack hands out 1 .. 0x7fef). */
const MAX_DOMID = 0x7fef;
const MAX_LDT_ENTS = 8192;
const MAX_TIME = 2 ** 53;

type Ref = { domid: number; vcpu: number } | null;

function vref(v: Vcpu | null): Ref {
  return v ? { domid: v.domid, vcpu: v.id } : null;
}

function saveVcpu(v: Vcpu): Record<string, unknown> {
  const traps: number[][] = [];
  v.traps.forEach((t, vec) => { if (t.cs || t.eip || t.flags) traps.push([vec, t.cs, t.eip, t.flags]); });
  return {
    id: v.id, slot: v.cpu.id, state: v.state, initialised: v.initialised, traps,
    eventCs: v.eventCs, eventEip: v.eventEip, failsafeCs: v.failsafeCs, failsafeEip: v.failsafeEip,
    failsafeMasksEvents: v.failsafeMasksEvents, sysenterCs: v.sysenterCs, sysenterEip: v.sysenterEip,
    sysenterMasks: v.sysenterMasks, syscall32Cs: v.syscall32Cs, syscall32Eip: v.syscall32Eip,
    kernelSs: v.kernelSs, kernelSp: v.kernelSp, vcpuInfoAddr: v.vcpuInfoAddr, vcpuInfoRegistered: v.vcpuInfoRegistered,
    virtualTs: v.virtualTs, cr2: v.cr2, iopl: v.iopl, cpuidFaulting: v.cpuidFaulting,
    gdtFrames: [...v.gdtFrames], gdtEnts: v.gdtEnts, ldtBase: v.ldtBase, ldtEnts: v.ldtEnts,
    ldtCache: [...ldtCacheOf(v)].sort((a, b) => a[0] - b[0]), debugregs: [...v.debugregs],
    singleshot: v.singleshot, periodicPeriod: v.periodicPeriod, periodicNext: v.periodicNext,
    pollPorts: [...v.pollPorts], pollDeadline: v.pollDeadline, startError: v.startError, kicked: v.kicked,
    cpuTimeNs: v.cpuTimeNs,
  };
}

function saveDomain(d: Domain): Record<string, unknown> {
  return {
    id: d.id, name: d.name, state: d.state, shutdownReason: d.shutdownReason, pendingShutdownCode: d.pendingShutdownCode,
    crashReason: d.crashReason, maxPages: d.maxPages, memoryMap: d.memoryMap.map((e) => ({ ...e })),
    sharedInfoMfn: d.sharedInfoMfn, startInfoMfn: d.startInfoMfn, vmAssist: d.vmAssist, consoleMfn: d.consoleMfn,
    consolePort: d.consolePort, storeMfn: d.storeMfn, storePort: d.storePort, backendDomid: d.backendDomid,
    ioBitmap: d.ioBitmap, ioBitmapPorts: d.ioBitmapPorts, rtcIndex: d.rtcIndex,
    hypercalls: Array.from(d.hypercalls), enosys: d.enosys, upcalls: d.upcalls,
    vcpus: d.vcpus.map(saveVcpu),
  };
}

export function saveHv(hv: Hypervisor): Record<string, unknown> {
  const s = hv.schedState();
  return {
    version: HV_STATE_VERSION,
    time: { now: hv.time.now, wallclockBase: hv.time.wallclockBase, idleSkipped: hv.time.idleSkipped },
    sliceInstructions: hv.sliceInstructions, commandLine: hv.commandLine, upcalls: hv.upcalls, hypercalls: hv.hypercalls,
    retiredByDestroyed: hv.retiredByDestroyed, compileThreshold: hv.code.compileThreshold,
    scratchFrame: ptwrScratchFrame(hv), pageFaultHook: hv.pageFaultHook !== null,
    slots: s.slotCpus.map((c, k) => ({ free: s.slotFree[k] ?? false, cpu: saveCpu(c) })),
    cursor: s.cursor, running: vref(s.running), lastRan: vref(s.lastRan), sliceLeft: s.sliceLeft,
    domains: [...hv.domains.values()].sort((a, b) => a.id - b.id).map(saveDomain),
  };
}

// ---- Reading ----

interface VcpuPlan {
  id: number;
  slot: number;
  fields: Partial<Vcpu>;
  traps: number[][];
  debugregs: number[];
  ldtCache: Map<number, number>;
}
interface DomainPlan {
  id: number;
  name: string;
  fields: Partial<Domain>;
  hypercalls: number[];
  vcpus: VcpuPlan[];
}
export interface HvPlan {
  time: { now: number; wallclockBase: number; idleSkipped: number };
  sliceInstructions: number;
  commandLine: string;
  upcalls: number;
  hypercalls: number;
  retiredByDestroyed: number;
  compileThreshold: number;
  scratchFrame: number;
  pageFaultHook: boolean;
  slots: { free: boolean; cpu: (c: Cpu) => void }[];
  cursor: number;
  running: Ref;
  lastRan: Ref;
  sliceLeft: number;
  domains: DomainPlan[];
}

/** A 32-bit value as the hypervisor holds it: some fields keep int32, some uint32; either is kept as is. */
const u32 = (r: Rec): number => r.int(-0x80000000, 0xffffffff);

function readRef(r: Rec | undefined): Ref {
  if (!r) return null;
  return { domid: r.get('domid').int(1, MAX_DOMID), vcpu: r.get('vcpu').int(0, XEN_LEGACY_MAX_VCPUS - 1) };
}

function readVcpu(r: Rec, id: number, layout: MemoryLayout, shinfo: number): VcpuPlan {
  const frame = (x: Rec): number => x.int(0, layout.frames - 1);
  // Timers are whatever 64-bit time a guest asked for (a number, maybe past 2^53).
  const time = (x: Rec): number => x.int(0, 2 ** 64);
  const traps = r.get('traps').list(256).map((t) => {
    const [vec, cs, eip, flags] = t.list(4);
    if (!flags) t.fail('not [vector, cs, eip, flags]');
    return [vec.int(0, 255), cs.int(0, 0xffff), u32(eip), flags.int(0, 0xff)];
  });
  if (new Set(traps.map((t) => t[0])).size !== traps.length) r.get('traps').fail('a vector appears twice');
  const registered = r.get('vcpuInfoRegistered').bool();
  const infoAddr = r.get('vcpuInfoAddr').int(0, layout.ramBytes - SHINFO.VCPU_INFO_SIZE);
  const home = shinfo * 4096 + SHINFO.VCPU_INFO + id * SHINFO.VCPU_INFO_SIZE;
  if (!registered && infoAddr !== home) r.get('vcpuInfoAddr').fail('not in shared_info, yet not registered elsewhere');
  if (registered && (infoAddr % 4 !== 0 || (infoAddr % 4096) + SHINFO.VCPU_INFO_SIZE > 4096)) {
    r.get('vcpuInfoAddr').fail('not an aligned vcpu_info inside one page');
  }
  const gdtEnts = r.get('gdtEnts').int(0, FIRST_RESERVED_GDT_ENTRY);
  const gdtFrames = r.get('gdtFrames').list(14).map(frame);
  if (gdtFrames.length !== Math.ceil(gdtEnts / 512)) r.get('gdtFrames').fail(`${gdtFrames.length} frames for ${gdtEnts} entries`);
  const ldtEnts = r.get('ldtEnts').int(0, MAX_LDT_ENTS);
  const ldtBase = u32(r.get('ldtBase'));
  if ((ldtBase & 0xfff) !== 0) r.get('ldtBase').fail('not page aligned');
  const ldtCache = new Map<number, number>();
  for (const e of r.get('ldtCache').list(16)) {
    const [page, mfn] = e.list(2);
    if (!mfn) e.fail('not [page, frame]');
    const p = page.int(0, Math.max(0, Math.ceil(ldtEnts / 512) - 1));
    if (ldtCache.has(p)) e.fail('page cached twice');
    ldtCache.set(p, frame(mfn));
  }
  const debugregs = r.get('debugregs').list(8).map(u32);
  if (debugregs.length !== 8) r.get('debugregs').fail('not 8 registers');
  const pollPorts = r.get('pollPorts').ints(128, 0, 1023);
  const fields: Partial<Vcpu> = {
    state: r.get('state').oneOf(['offline', 'runnable', 'blocked', 'polling'] as const satisfies readonly VcpuState[]),
    initialised: r.get('initialised').bool(),
    eventCs: r.get('eventCs').int(0, 0xffff), eventEip: u32(r.get('eventEip')),
    failsafeCs: r.get('failsafeCs').int(0, 0xffff), failsafeEip: u32(r.get('failsafeEip')),
    failsafeMasksEvents: r.get('failsafeMasksEvents').bool(),
    sysenterCs: r.get('sysenterCs').int(0, 0xffff), sysenterEip: u32(r.get('sysenterEip')),
    sysenterMasks: r.get('sysenterMasks').bool(),
    syscall32Cs: r.get('syscall32Cs').int(0, 0xffff), syscall32Eip: u32(r.get('syscall32Eip')),
    kernelSs: r.get('kernelSs').int(0, 0xffff), kernelSp: u32(r.get('kernelSp')),
    vcpuInfoAddr: infoAddr, vcpuInfoRegistered: registered,
    virtualTs: r.get('virtualTs').bool(), cr2: r.get('cr2').i32(), iopl: r.get('iopl').int(0, 3),
    cpuidFaulting: r.get('cpuidFaulting').bool(),
    gdtFrames, gdtEnts, ldtBase, ldtEnts,
    singleshot: time(r.get('singleshot')), periodicPeriod: time(r.get('periodicPeriod')),
    periodicNext: time(r.get('periodicNext')), pollPorts, pollDeadline: time(r.get('pollDeadline')),
    startError: r.get('startError').str(1024), kicked: r.get('kicked').bool(), cpuTimeNs: time(r.get('cpuTimeNs')),
  };
  return { id, slot: r.get('slot').int(0, layout.vcpus - 1), fields, traps, debugregs, ldtCache };
}

function readDomain(r: Rec, layout: MemoryLayout): DomainPlan {
  const frame = (x: Rec): number => x.int(0, layout.frames - 1);
  const port = (x: Rec): number => x.int(0, 1023);
  const id = r.get('id').int(1, MAX_DOMID);
  const shinfo = frame(r.get('sharedInfoMfn'));
  const memoryMap = r.get('memoryMap').list(128).map((e) => ({
    addr: e.get('addr').int(0, 2 ** 52), size: e.get('size').int(0, 2 ** 52), type: e.get('type').int(0, 0xffffffff),
  }));
  const hypercalls = r.get('hypercalls').list(64).map((x) => x.int(0, MAX_TIME));
  if (hypercalls.length !== 64) r.get('hypercalls').fail('not 64 counters');
  const vr = r.get('vcpus').list(XEN_LEGACY_MAX_VCPUS);
  if (vr.length === 0) r.get('vcpus').fail('a domain has at least one vcpu');
  const vcpus = vr.map((v, i) => {
    if (v.get('id').int(0, XEN_LEGACY_MAX_VCPUS - 1) !== i) v.get('id').fail(`vcpu ${i} is out of order`);
    return readVcpu(v, i, layout, shinfo);
  });
  const fields: Partial<Domain> = {
    state: r.get('state').oneOf(['running', 'paused', 'shutdown'] as const satisfies readonly DomainState[]),
    shutdownReason: r.get('shutdownReason').int(-1, 255), pendingShutdownCode: r.get('pendingShutdownCode').int(-1, 255),
    crashReason: r.get('crashReason').str(4096), maxPages: r.get('maxPages').int(0, layout.frames), memoryMap,
    sharedInfoMfn: shinfo, startInfoMfn: frame(r.get('startInfoMfn')), vmAssist: u32(r.get('vmAssist')),
    consoleMfn: frame(r.get('consoleMfn')), consolePort: port(r.get('consolePort')),
    storeMfn: frame(r.get('storeMfn')), storePort: port(r.get('storePort')), backendDomid: r.get('backendDomid').int(0, MAX_DOMID),
    ioBitmap: u32(r.get('ioBitmap')), ioBitmapPorts: r.get('ioBitmapPorts').int(0, 65536), rtcIndex: r.get('rtcIndex').int(0, 255),
    enosys: r.get('enosys').int(0, MAX_TIME), upcalls: r.get('upcalls').int(0, MAX_TIME),
  };
  return { id, name: r.get('name').str(256), fields, hypercalls, vcpus };
}

/** Check a saved hypervisor record against the machine's memory layout; nothing is changed. */
export function readHv(r: Rec, layout: MemoryLayout): HvPlan {
  if (r.get('version').int() !== HV_STATE_VERSION) r.get('version').fail(`version ${HV_STATE_VERSION} expected`);
  const t = r.get('time');
  const sr = r.get('slots').list(layout.vcpus);
  const slots = sr.map((s) => ({ free: s.get('free').bool(), cpu: readCpu(s.get('cpu')) }));
  const domains = r.get('domains').list(MAX_DOMID).map((d) => readDomain(d, layout));
  // Every slot is either free or held by exactly one vcpu of a live domain.
  const held = new Map<number, string>();
  for (const d of domains) {
    for (const v of d.vcpus) {
      const who = `d${d.id}v${v.id}`;
      if (v.slot >= slots.length) r.get('slots').fail(`${who} uses slot ${v.slot}, beyond the ${slots.length} slots`);
      if (held.has(v.slot)) r.get('slots').fail(`slot ${v.slot} is held by ${held.get(v.slot)} and ${who}`);
      if (slots[v.slot].free) r.get('slots').fail(`slot ${v.slot} is free yet held by ${who}`);
      held.set(v.slot, who);
    }
  }
  slots.forEach((s, k) => { if (!s.free && !held.has(k)) r.get('slots').fail(`slot ${k} is neither free nor held`); });
  const ids = domains.map((d) => d.id);
  if (new Set(ids).size !== ids.length || ids.some((id, i) => i > 0 && id < ids[i - 1])) r.get('domains').fail('domain ids repeat or are out of order');
  const running = readRef(r.opt('running')), lastRan = readRef(r.opt('lastRan'));
  for (const [name, ref] of [['running', running], ['lastRan', lastRan]] as const) {
    if (ref && !domains.some((d) => d.id === ref.domid && ref.vcpu < d.vcpus.length)) r.get(name).fail('names no vcpu');
  }
  const nrVcpus = domains.reduce((n, d) => n + d.vcpus.length, 0);
  return {
    time: { now: t.get('now').int(0, MAX_TIME), wallclockBase: t.get('wallclockBase').int(0, 2 ** 40), idleSkipped: t.get('idleSkipped').int(0, MAX_TIME) },
    sliceInstructions: r.get('sliceInstructions').int(1, 2 ** 31),
    commandLine: r.get('commandLine').str(4096),
    upcalls: r.get('upcalls').int(0, MAX_TIME), hypercalls: r.get('hypercalls').int(0, MAX_TIME),
    retiredByDestroyed: r.get('retiredByDestroyed').int(0, MAX_TIME),
    compileThreshold: r.get('compileThreshold').int(0, 2 ** 31),
    scratchFrame: r.get('scratchFrame').int(-1, layout.frames - 1), pageFaultHook: r.get('pageFaultHook').bool(),
    slots, cursor: r.get('cursor').int(0, Math.max(0, nrVcpus - 1)), running, lastRan,
    sliceLeft: r.get('sliceLeft').int(-(2 ** 31), 2 ** 31),
    domains,
  };
}

/** Build the planned domains and scheduler on a hypervisor that has none yet. */
export function applyHv(hv: Hypervisor, p: HvPlan): void {
  if (hv.domains.size > 0) throw new Error('applyHv needs a hypervisor without domains');
  hv.time.now = p.time.now;
  hv.time.wallclockBase = p.time.wallclockBase;
  hv.time.idleSkipped = p.time.idleSkipped;
  hv.sliceInstructions = p.sliceInstructions;
  hv.commandLine = p.commandLine;
  hv.upcalls = p.upcalls;
  hv.hypercalls = p.hypercalls;
  hv.retiredByDestroyed = p.retiredByDestroyed;
  hv.code.compileThreshold = p.compileThreshold;
  const cpus = p.slots.map((_, k) => new Cpu(hv.mem, hv.code, k));
  const find = (ref: Ref): Vcpu | null => (ref ? hv.domains.get(ref.domid)!.vcpus[ref.vcpu]! : null);
  for (const dp of p.domains) {
    const dom = new Domain(dp.id, dp.name);
    Object.assign(dom, dp.fields);
    dom.hypercalls.set(dp.hypercalls);
    const view = new SharedInfoView(hv.mem, dom.sharedInfoMfn, dp.vcpus.length);
    for (const vp of dp.vcpus) {
      const v = new Vcpu(dom.id, vp.id, cpus[vp.slot], dom.sharedInfoMfn);
      Object.assign(v, vp.fields);
      for (const [vec, cs, eip, flags] of vp.traps) v.traps[vec] = { cs, eip, flags };
      v.debugregs.splice(0, 8, ...vp.debugregs);
      if (v.vcpuInfoRegistered) view.setVcpuInfo(v.id, v.vcpuInfoAddr);
      setLdtCache(v, vp.ldtCache);
      attachVcpuMm(hv, dom, v);
      dom.vcpus.push(v);
    }
    hv.sharedInfo.set(dom.id, view);
    hv.domains.set(dom.id, dom);
  }
  // Slots of destroyed domains keep their Cpu without a descriptor hook, as destroyDomain leaves them.
  p.slots.forEach((s, k) => s.cpu(cpus[k]));
  hv.restoreSched({
    slotCpus: cpus, slotFree: p.slots.map((s) => s.free), cursor: p.cursor,
    running: find(p.running), lastRan: find(p.lastRan), sliceLeft: p.sliceLeft,
  });
  setPtwrScratchFrame(hv, p.scratchFrame);
  if (!p.pageFaultHook) hv.pageFaultHook = null;
}

/**
 * What only the assembled machine can tell, checked after every engine is
 * restored: returns problems (empty when sound) and adds the references vcpus
 * hold (GDT and cached LDT frames, registered vcpu_info frames) to `holds`.
 */
export function checkHv(hv: Hypervisor, holds: { ref: Map<number, number>; type: Map<number, number> }): string[] {
  const bad: string[] = [];
  const ft = hv.mm.ft;
  const add = (mfn: number): void => {
    holds.ref.set(mfn, (holds.ref.get(mfn) ?? 0) + 1);
    holds.type.set(mfn, (holds.type.get(mfn) ?? 0) + 1);
  };
  for (const dom of hv.domains.values()) {
    const who = `domain ${dom.id}`;
    if (ft.owner(dom.sharedInfoMfn) !== dom.id || !ft.isXenShared(dom.sharedInfoMfn)) bad.push(`${who}: shared_info frame ${dom.sharedInfoMfn} is not its Xen-shared frame`);
    for (const v of dom.vcpus) {
      const base = hv.mm.baseptr(dom.id, v.id);
      const cr3 = v.cpu.r[R.CR3] >>> 0;
      if (cr3 !== (base >= 0 ? base * 4096 : 0)) {
        bad.push(`${who} vcpu ${v.id}: CR3 ${cr3.toString(16)} is not its base pointer`);
      }
      const cpl = v.cpu.r[R.CPL];
      if (cpl < 1 || cpl > 3) bad.push(`${who} vcpu ${v.id}: CPL ${cpl} (a PV guest runs in rings 1 to 3)`);
      const n = v.cpu.instructions;
      if (!Number.isInteger(n) || n < 0 || n > MAX_TIME) bad.push(`${who} vcpu ${v.id}: instruction count ${n}`);
      for (const f of v.gdtFrames) add(f);
      for (const f of ldtCacheOf(v).values()) add(f);
      if (v.vcpuInfoRegistered) add(Math.floor(v.vcpuInfoAddr / 4096));
      if (v.pollPorts.length > 0 && v.state !== 'polling') bad.push(`${who} vcpu ${v.id}: poll ports without polling`);
    }
  }
  return bad;
}
