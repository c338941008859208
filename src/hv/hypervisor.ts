// The hypervisor: domains and their vcpus over one machine memory, a round-robin
// scheduler with a slice counted in instructions, virtual time and timers, and
// the loop that runs a vcpu until it exits and then handles the exit
// (hypercall, exception, privileged instruction...) the way Xen would.
//
// Determinism: everything is driven by retired instructions; vcpus are visited
// in (domid, vcpu id) order; time only jumps forward when every vcpu is blocked.
// A misbehaving guest crashes only its own domain (crashDomain); our own broken
// invariants throw HypervisorBug.
import { R } from '../shared/layout';
import type { MachineMemory } from '../mem/memory';
import { CodeCache } from '../cpu/codecache';
import { Cpu } from '../cpu/cpu';
import { run } from '../cpu/exec';
import { EXIT_LIMIT, INT_CPUID, INT_IO, INT_MSR, INT_PRIV } from '../cpu/defs';
import { E, SHUTDOWN } from '../abi/xen';
import { DOMID_XEN, XEN_LEGACY_MAX_VCPUS } from '../abi/xen';
import { HypervisorBug } from '../shared/bugs';
import { Domain } from './domain';
import { MmEngine } from './mm/engine';
import { EventChannels } from './evtchn/evtchn';
import { SharedInfoView } from './evtchn/memory';
import { GrantTables } from './gnttab/gnttab';
import { grantHooksOverMm } from './gnttab/mmhooks';
import { Vcpu } from './vcpu';
import { NS_PER_INSN, VirtualTime } from './time';
import * as timers from './timers';
import { handleExit } from './traps/exits';
import { deliverEvents } from './traps/events';
import { reloadDataSegments } from './traps/failsafe';
import { initialiseVcpu } from './hypercalls/vcpuinit';
import { attachVcpuMm, destroyDomainMemory, registerVcpuInfo, setBaseptr } from './vcpumm';
import type { ReleaseResult } from './mm/release';
import { xenCr3ToPfn } from './mm/pte';
import { TraceWriter, type Breakpoint } from './trace';
import { evtchnTracer, traceGrantEvent } from './traceevents';
import { DS_CREATED, DS_DESTROYED, DS_PAUSED, DS_SHUTDOWN, DS_UNPAUSED, TK_DOMAIN } from '../shared/trace';

export interface HypervisorHooks {
  /** console_io output and hypervisor messages, per domain (-1: the hypervisor itself). */
  console(domid: number, bytes: Uint8Array): void;
  /** A domain shut down (poweroff, reboot, crash...). */
  shutdown?(dom: Domain): void;
  /**
   * A hypercall returned (result null: it set the registers itself, like iret). For
   * the CLI's live listing; everything else reads the trace ring (hv.trace).
   */
  hypercall?(dom: Domain, v: Vcpu, nr: number, args: readonly number[], result: number | null): void;
}

/** The periodic timer every PV vcpu starts with. */
export const DEFAULT_PERIODIC_NS = 10_000_000;

/**
 * budget: the instructions were used. waiting: every vcpu waits and the next
 * timer lies beyond timeLimit. idle: every vcpu waits and no timer is armed
 * (only outside input can wake it). stopped: no domain can run at all. break: a
 * trace record matched the breakpoint (breakSeq says which); the run stopped at
 * the next instruction boundary and the next run resumes from there.
 */
export type RunOutcome = 'budget' | 'waiting' | 'idle' | 'stopped' | 'break';

export class Hypervisor {
  readonly mem: MachineMemory;
  readonly code: CodeCache;
  readonly time = new VirtualTime();
  readonly domains = new Map<number, Domain>();
  /** Every vcpu in scheduling order: (domid, vcpu id). */
  private order: Vcpu[] = [];
  private cursor = 0;
  /** Instructions a vcpu runs before the next one gets the CPU. */
  sliceInstructions = 1_000_000;
  /**
   * Idle skips never go past this system time. An embedder that paces the
   * machine against the wall clock raises it as real time passes; whether a
   * skip waits for it changes only when things happen, never what the guest sees.
   */
  timeLimit = Infinity;
  commandLine = '';
  readonly hooks: HypervisorHooks;
  /** Frame table, page types, M2P (src/hv/mm). */
  readonly mm: MmEngine;
  /** Event channels, 2-level ABI (src/hv/evtchn). */
  readonly evtchn: EventChannels;
  /** Grant tables v1 (src/hv/gnttab). */
  readonly gnttab: GrantTables;
  /** Each domain's shared_info bitmaps and vcpu_info locations, as the event engine sees them. */
  readonly sharedInfo = new Map<number, SharedInfoView>();
  /** The vcpu holding the CPU, and what is left of its slice (instructions). */
  private running: Vcpu | null = null;
  private lastRan: Vcpu | null = null;
  private sliceLeft = 0;
  /** The vcpu whose hypercall or exit is being handled. */
  current: Vcpu | null = null;
  /** Event upcalls delivered and hypercalls made, for the UI. */
  upcalls = 0;
  hypercalls = 0;
  /**
   * Tried before a #PF goes to the guest: writable page tables emulate the
   * write and return true (wired by the page-type engine's integration).
   */
  pageFaultHook: ((dom: Domain, v: Vcpu, error: number) => boolean) | null = null;
  /** Set by yield/block/poll/shutdown: end the current vcpu's slice now. */
  private sliceOver = false;
  /**
   * The Cpu of each register-file slot, kept when its domain is destroyed so the
   * slot (and the Cpu's TLB) is reused by the next vcpu; `slotFree` marks slots
   * that no live vcpu holds. The lowest free slot is taken first.
   */
  private readonly slotCpus: Cpu[] = [];
  private readonly slotFree: boolean[] = [];
  /** Instructions retired by vcpus of destroyed domains (their counters went with their slots). */
  retiredByDestroyed = 0;
  /** The trace ring in machine memory (src/hv/trace.ts), always on. */
  readonly trace: TraceWriter;
  /**
   * KIND bits (subopFlag) naming the sub-op of the hypercall being handled when it sits
   * in guest memory; set by its handler, taken by the record written when it returns.
   */
  traceSubop = 0;

  constructor(mem: MachineMemory, hooks: HypervisorHooks) {
    this.mem = mem;
    this.code = new CodeCache(mem.ramBytes);
    this.hooks = hooks;
    this.trace = new TraceWriter(mem.buffer, mem.layout.traceOffset, {
      instructions: () => this.executed,
      timeNs: () => this.time.now,
    });
    this.mm = new MmEngine(mem, {
      onFlushNeeded: (dom) => {
        for (const v of this.domains.get(dom)?.vcpus ?? []) v.cpu.tlbFlush(true);
      },
      notifyWrite: (phys, len) => this.code.notifyWrite(phys, len),
    });
    this.evtchn = new EventChannels({
      kick: (dom, vcpu) => {
        const v = this.domains.get(dom)?.vcpus[vcpu];
        if (!v) return;
        v.kicked = true;
        if (v.state === 'blocked') this.wakeVcpu(v);
      },
      pollWake: (dom, port) => {
        for (const v of this.domains.get(dom)?.vcpus ?? []) {
          if (v.state === 'polling' && (v.pollPorts.length === 0 || v.pollPorts.includes(port))) this.wakeVcpu(v);
        }
      },
      observer: evtchnTracer(this),
    });
    this.gnttab = new GrantTables(mem, grantHooksOverMm(this.mm, {
      flushTlb: (dom) => { for (const v of this.domains.get(dom)?.vcpus ?? []) v.cpu.tlbFlush(true); },
      frameWritten: (mfn) => this.code.notifyWrite(mfn * 4096, 4096),
      onEvent: (e) => traceGrantEvent(this, e),
    }));
  }

  // ---- Domains and vcpus ----

  /**
   * A new, paused domain with `vcpus` offline vcpus and its shared_info page (a
   * Xen frame shared with the guest, zeroed, every vcpu's upcall mask set, the
   * wall clock published). Memory and boot state come from the domain builder.
   */
  createDomain(id: number, name: string, vcpus: number): Domain {
    if (this.domains.has(id)) throw new Error(`domain ${id} exists`);
    if (vcpus < 1 || vcpus > XEN_LEGACY_MAX_VCPUS) throw new RangeError(`a domain has 1 to ${XEN_LEGACY_MAX_VCPUS} vcpus, not ${vcpus}`);
    // Register files: the lowest free slots (destroyed domains' first), checked before anything changes.
    const slots: number[] = [];
    for (let k = 0; k < this.slotFree.length && slots.length < vcpus; k++) if (this.slotFree[k]) slots.push(k);
    for (let k = this.slotCpus.length; slots.length < vcpus && k < this.mem.layout.vcpus; k++) slots.push(k);
    if (slots.length < vcpus) throw new RangeError(`no register file left for ${vcpus} vcpus of domain ${id} (machine has ${this.mem.layout.vcpus})`);
    const shinfo = this.mm.ft.allocate(DOMID_XEN);
    if (shinfo < 0) throw new RangeError('out of machine memory for shared_info');
    this.mm.ft.shareWithGuest(shinfo, id, false);
    const dom = new Domain(id, name);
    dom.sharedInfoMfn = shinfo;
    const view = new SharedInfoView(this.mem, shinfo, vcpus);
    view.initialise();
    for (let n = vcpus; n < XEN_LEGACY_MAX_VCPUS; n++) this.mem.u8[shinfo * 4096 + n * 64 + 1] = 1;
    this.code.notifyWrite(shinfo * 4096, 4096);
    this.sharedInfo.set(id, view);
    this.evtchn.addDomain(id, { nrVcpus: vcpus, memory: view });
    const rc = this.gnttab.addDomain(id);
    if (rc < 0) throw new RangeError(`could not create the grant table of domain ${id} (${rc})`);
    this.publishWallclock(dom);
    for (let n = 0; n < vcpus; n++) {
      const slot = slots[n];
      let cpu = this.slotCpus[slot];
      if (!cpu) cpu = this.slotCpus[slot] = new Cpu(this.mem, this.code, slot);
      this.slotFree[slot] = false;
      cpu.resetFlat(1);
      cpu.pdpteLong = true;
      cpu.interceptExc = -1;
      cpu.interceptInt.fill(1);
      cpu.intercept = INT_PRIV | INT_IO | INT_CPUID | INT_MSR;
      const v = new Vcpu(id, n, cpu, shinfo);
      // Every PV vcpu has a 10 ms periodic timer (Xen's pv_vcpu_initialise); it is
      // armed when the vcpu comes up.
      v.periodicPeriod = DEFAULT_PERIODIC_NS;
      attachVcpuMm(this, dom, v);
      dom.vcpus.push(v);
      this.order.push(v);
    }
    this.order.sort((a, b) => a.domid - b.domid || a.id - b.id);
    this.domains.set(id, dom);
    this.trace.write(TK_DOMAIN, id, -1, DS_CREATED, vcpus);
    return dom;
  }

  /**
   * XEN_DOMCTL_destroydomain: release everything the hypervisor holds for a
   * domain, in Xen's order (event channels, grant mappings and table, then the
   * vcpus' hold on its memory and the memory itself), take its vcpus off the
   * scheduler and free their register-file slots. Never called while one of its
   * vcpus runs. Returns what the memory release left behind (frames another
   * domain still maps through a grant), as mm.releaseDomain.
   */
  destroyDomain(dom: Domain): ReleaseResult {
    if (this.current && this.current.domid === dom.id) throw new HypervisorBug(`domain ${dom.id} destroyed while its vcpu runs`);
    if (this.domains.get(dom.id) !== dom) throw new HypervisorBug(`domain ${dom.id} is not this hypervisor's`);
    this.evtchn.destroyDomain(dom.id);
    this.gnttab.destroyDomain(dom.id);
    const res = destroyDomainMemory(this, dom);
    for (const v of dom.vcpus) {
      this.retiredByDestroyed += v.cpu.instructions;
      v.state = 'offline';
      v.singleshot = 0;
      v.periodicPeriod = 0;
      v.pollPorts = [];
      this.slotFree[v.cpu.id] = true;
      if (this.running === v) this.running = null;
      if (this.lastRan === v) this.lastRan = null;
    }
    const at = this.order.findIndex((v) => v.domid === dom.id);
    this.order = this.order.filter((v) => v.domid !== dom.id);
    if (at >= 0 && this.cursor > at) this.cursor = Math.max(at, this.cursor - dom.vcpus.length);
    if (this.cursor >= this.order.length) this.cursor = 0;
    this.sharedInfo.delete(dom.id);
    this.domains.delete(dom.id);
    dom.state = 'dead';
    this.trace.write(TK_DOMAIN, dom.id, -1, DS_DESTROYED);
    return res;
  }

  /** shared_info's wall clock (timers.ts). */
  publishWallclock(dom: Domain): void {
    timers.publishWallclock(this, dom);
  }

  domainOf(v: Vcpu): Domain {
    const d = this.domains.get(v.domid);
    if (!d) throw new Error(`vcpu of unknown domain ${v.domid}`);
    return d;
  }

  unpause(dom: Domain): void {
    if (dom.state !== 'paused') return;
    dom.state = 'running';
    this.trace.write(TK_DOMAIN, dom.id, -1, DS_UNPAUSED);
  }
  pause(dom: Domain): void {
    if (dom.state !== 'running') return;
    dom.state = 'paused';
    this.trace.write(TK_DOMAIN, dom.id, -1, DS_PAUSED);
  }

  /** Shut a domain down with SHUTDOWN_* `reason`; the first reason wins. All its vcpus stop. */
  shutdownDomain(dom: Domain, reason: number): void {
    if (dom.state === 'shutdown' || dom.state === 'dead') return;
    dom.shutdownReason = dom.pendingShutdownCode >= 0 ? dom.pendingShutdownCode : reason;
    dom.state = 'shutdown';
    this.trace.write(TK_DOMAIN, dom.id, -1, DS_SHUTDOWN, dom.shutdownReason);
    if (this.current && this.current.domid === dom.id) this.sliceOver = true;
    this.hooks.shutdown?.(dom);
  }

  /** The guest broke the PV contract: crash its domain (first reason wins) and say why. */
  crashDomain(dom: Domain, reason: string): void {
    if (dom.state === 'shutdown' || dom.state === 'dead') return;
    dom.crashReason = reason;
    this.message(`domain ${dom.id} (${dom.name}) crashed: ${reason}`);
    dom.pendingShutdownCode = -1;
    this.shutdownDomain(dom, SHUTDOWN.crash);
  }

  message(text: string): void {
    this.hooks.console(-1, new TextEncoder().encode(`(XEN) ${text}\n`));
  }

  consoleWrite(domid: number, bytes: Uint8Array): void {
    this.hooks.console(domid, bytes);
  }

  // ---- Vcpu scheduling states (used by hypercalls) ----

  blockVcpu(v: Vcpu): void {
    v.state = 'blocked';
    this.sliceOver = true;
  }
  yieldVcpu(_v: Vcpu): void {
    this.sliceOver = true;
  }
  /** SCHEDOP_poll: returns at once when a port is pending or an event is deliverable; else polls. */
  pollVcpu(v: Vcpu, ports: number[], timeout: number): number {
    const m8 = v.cpu.m8;
    const rc = this.evtchn.poll(v.domid, ports);
    if (rc < 0) return rc;
    if (rc > 0 || (m8[v.vcpuInfoAddr] !== 0 && m8[v.vcpuInfoAddr + 1] === 0)) return 0;
    if (timeout !== 0 && timeout <= this.time.now) return 0;
    v.pollPorts = ports;
    v.pollDeadline = timeout;
    v.state = 'polling';
    this.sliceOver = true;
    return 0;
  }
  wakeVcpu(v: Vcpu): void {
    if (v.state === 'offline' && v.periodicPeriod !== 0 && v.periodicNext === 0) v.periodicNext = this.time.now + v.periodicPeriod;
    if (v.state !== 'runnable') {
      v.state = 'runnable';
      v.pollPorts = [];
      v.pollDeadline = 0;
    }
  }
  downVcpu(v: Vcpu): void {
    v.state = 'offline';
    if (v === this.current) this.sliceOver = true;
    const dom = this.domainOf(v);
    if (dom.vcpus.every((u) => u.state === 'offline')) this.shutdownDomain(dom, SHUTDOWN.poweroff);
  }

  /** CR3 as the guest reads it: the extended-cr3 encoding of its current L3's MFN. */
  guestCr3(v: Vcpu): number {
    const mfn = v.cpu.r[R.CR3] >>> 12;
    return ((mfn << 12) | (mfn >>> 20)) | 0;
  }
  /**
   * MOV CR3 from ring 1: the value is an extended CR3 (the MFN rotated left by
   * 12); not the domain's frame -> nonzero (the caller gives #GP), else as
   * MMUEXT_NEW_BASEPTR (vcpumm.ts).
   */
  setGuestCr3(dom: Domain, v: Vcpu, cr3: number): number {
    const mfn = xenCr3ToPfn(cr3);
    if (!this.mm.getPage(mfn, dom.id)) return -E.EINVAL;
    const rc = setBaseptr(this, dom, v, mfn);
    this.mm.putPage(mfn);
    return rc;
  }

  /** VCPUOP_register_vcpu_info (vcpumm.ts registerVcpuInfo). */
  moveVcpuInfo(dom: Domain, v: Vcpu, mfn: number, offset: number): number {
    return registerVcpuInfo(this, dom, v, mfn, offset);
  }
  /** VCPUOP_initialise from a vcpu_guest_context (hypercalls/vcpuinit.ts). */
  initialiseVcpu(dom: Domain, v: Vcpu, ctx: DataView): number {
    return initialiseVcpu(this, dom, v, ctx);
  }

  /**
   * Make the current hypercall restart with new arguments (EAX keeps its
   * number): EIP goes back over `int $0x82`, as Xen's hypercall continuations do.
   * Returns the value EAX must keep (the hypercall number).
   */
  continuation(v: Vcpu, ...args: number[]): number {
    const r = v.cpu.r;
    const regs = [R.EBX, R.ECX, R.EDX, R.ESI, R.EDI];
    args.forEach((a, i) => { r[regs[i]] = a; });
    r[R.EIP] = (r[R.EIP] - 2) | 0;
    return r[R.EAX];
  }

  // ---- Time (timers.ts) ----

  /** Publish system time to a vcpu's vcpu_time_info. */
  updateTimeInfo(v: Vcpu): void {
    timers.updateTimeInfo(this, v);
  }

  /** The earliest timer deadline of any live vcpu, or Infinity (embedders pace idle waits with it). */
  nextDeadline(): number {
    return timers.nextDeadline(this);
  }

  // ---- The run loop ----

  /** Instructions retired by every vcpu so far (the trace ring's ICOUNT). */
  get executed(): number {
    let n = this.retiredByDestroyed;
    for (const v of this.order) n += v.cpu.instructions;
    return n;
  }

  /**
   * Stop runs when a trace record matches (null: never). Called for every record
   * written while set; see TraceWriter.breakpoint.
   */
  get breakpoint(): Breakpoint | null {
    return this.trace.breakpoint;
  }
  set breakpoint(fn: Breakpoint | null) {
    this.trace.breakpoint = fn;
  }
  /** Record number of the record that ended the last 'break' run. */
  get breakSeq(): number {
    return this.trace.breakSeq;
  }
  /** A record matched the breakpoint since the last call: clear and report it. */
  takeBreak(): boolean {
    const hit = this.trace.breakPending;
    this.trace.breakPending = false;
    return hit;
  }

  /**
   * Run the machine for up to `budget` instructions. Returns 'budget' when they
   * are used, 'idle' when every vcpu waits with no timer armed (only outside
   * input can wake it), 'stopped' when no domain can run at all, 'break' when a
   * trace record matched the breakpoint (at the instruction boundary after it).
   *
   * Breaking never changes what the guest sees: the loop ends where it would
   * have gone on (after a completed exit, or after an upcall frame is built),
   * the vcpu keeps the CPU and its slice, and the next call carries on there.
   */
  run(budget: number): RunOutcome {
    // Records written between runs (an injected event, a dom0 service) do not stop this one.
    this.trace.breakPending = false;
    let left = budget;
    while (left > 0) {
      timers.fireTimers(this);
      if (this.takeBreak()) return 'break';
      let v = this.running;
      // A vcpu keeps the CPU across calls until its slice is used or it stops:
      // context switches (and the time-info updates they bring) depend only on
      // the guest's instruction counts, never on how the host slices run().
      if (v === null || this.sliceLeft <= 0 || !v.runnable || this.domains.get(v.domid)?.state !== 'running') {
        v = this.pick();
        if (!v) {
          this.running = null;
          if (!this.order.some((u) => this.domains.get(u.domid)?.state === 'running' && u.state !== 'offline')) return 'stopped';
          const t = timers.nextDeadline(this);
          if (t === Infinity) {
            // Only outside input can wake anyone. Time still follows an embedder
            // that paces the machine (a guest's clock must not stop while a user
            // thinks); unpaced, it stays where it is.
            if (this.timeLimit !== Infinity) this.time.skipTo(this.timeLimit);
            return 'idle';
          }
          if (t > this.timeLimit) {
            this.time.skipTo(this.timeLimit);
            return 'waiting';
          }
          // Every vcpu waits: skip to the next deadline (DESIGN.md principle 2: idle
          // skips). Skipped time uses the budget as if instructions had run (one per
          // nanosecond), so a guest that waits on a timer whose VIRQ nothing is bound
          // to cannot keep run() skipping forever.
          left -= Math.max(1, Math.ceil((t - this.time.now) / NS_PER_INSN));
          this.time.skipTo(t);
          continue;
        }
        this.switchTo(v);
      }
      const used = this.runVcpu(v, Math.min(left, this.sliceLeft));
      left -= used;
      this.sliceLeft -= used;
      if (this.takeBreak()) return 'break';
    }
    return 'budget';
  }

  /** Give the CPU to `v` for a new slice: its TSC follows system time, its time info is refreshed. */
  private switchTo(v: Vcpu): void {
    // Another vcpu ran since: reload the data segments as Xen's context switch
    // does, which may enter the guest's failsafe callback (traps/failsafe.ts).
    if (v.startError) {
      this.crashDomain(this.domainOf(v), v.startError);
      return;
    }
    if (this.lastRan !== v) {
      const err = reloadDataSegments(v);
      if (err) this.crashDomain(this.domainOf(v), err);
    }
    this.lastRan = v;
    this.running = v;
    this.sliceLeft = this.sliceInstructions;
    v.kicked = true;
    v.cpu.tscOffset = this.time.now - v.cpu.instructions * NS_PER_INSN;
    this.updateTimeInfo(v);
  }

  /** Next runnable vcpu of a running domain, round-robin from the cursor. */
  private pick(): Vcpu | null {
    const n = this.order.length;
    for (let k = 0; k < n; k++) {
      const v = this.order[(this.cursor + k) % n];
      if (v.state === 'runnable' && this.domains.get(v.domid)?.state === 'running') {
        this.cursor = (this.cursor + k + 1) % n;
        return v;
      }
    }
    return null;
  }

  /** Run the current vcpu for up to `room` instructions, handling its exits. Returns instructions retired. */
  private runVcpu(v: Vcpu, room: number): number {
    const dom = this.domainOf(v);
    const cpu = v.cpu;
    this.current = v;
    this.sliceOver = false;
    let used = 0;
    const trace = this.trace;
    try {
      while (used < room && !this.sliceOver && v.state === 'runnable' && dom.state === 'running' && !trace.breakPending) {
        // Events are checked where Xen checks them: on every return to the guest
        // from an exit, and when the vcpu was kicked or switched in, never at a
        // mere host slice boundary (that would make delivery host-dependent).
        if (v.kicked) {
          v.kicked = false;
          const err = deliverEvents(this, dom, v);
          if (err) { this.crashDomain(dom, err); break; }
          // The upcall frame is built: a breakpoint stops here, before the callback's first instruction.
          if (trace.breakPending) break;
        }
        const deadline = timers.nextDeadline(this);
        const chunk = Math.min(room - used, Math.max(1, Math.ceil((deadline - this.time.now) / NS_PER_INSN)));
        const before = cpu.instructions;
        const reason = run(cpu, chunk);
        const retired = cpu.instructions - before;
        used += retired;
        v.cpuTimeNs += retired * NS_PER_INSN;
        this.time.advance(retired);
        handleExit(this, dom, v, reason);
        if (reason !== EXIT_LIMIT) v.kicked = true;
        if (this.time.now >= deadline) timers.fireTimers(this);
      }
    } finally {
      this.current = null;
    }
    if (this.sliceOver || v.state !== 'runnable' || dom.state !== 'running') this.sliceLeft = 0;
    // A vcpu that stopped without retiring anything still costs one unit, so the loop ends;
    // not when a breakpoint stopped it: the next run goes on with the same slice.
    return trace.breakPending ? used : Math.max(used, 1);
  }

  /** Is any vcpu able to run now? */
  get runnable(): boolean {
    return this.order.some((v) => v.state === 'runnable' && this.domains.get(v.domid)?.state === 'running');
  }

  vcpus(): readonly Vcpu[] {
    return this.order;
  }

  /** The vcpu that holds the CPU, or last held it (null before any ran): where a pause stopped. */
  get onCpu(): Vcpu | null {
    return this.running ?? this.lastRan;
  }

  // ---- Snapshots (state.ts saves and checks; these only expose and install) ----

  /** The scheduler's private state and the register-file slots, as they are. */
  schedState(): SchedState {
    return {
      slotCpus: this.slotCpus, slotFree: this.slotFree, cursor: this.cursor,
      running: this.running, lastRan: this.lastRan, sliceLeft: this.sliceLeft,
    };
  }

  /**
   * Install restored slots and scheduler state; the domains are already in
   * `domains` (their vcpus on these slots' Cpus). Only between runs.
   */
  restoreSched(s: SchedState): void {
    if (this.current) throw new HypervisorBug('scheduler restored while a vcpu runs');
    this.slotCpus.length = 0;
    this.slotCpus.push(...s.slotCpus);
    this.slotFree.length = 0;
    this.slotFree.push(...s.slotFree);
    this.order = [...this.domains.values()].flatMap((d) => d.vcpus).sort((a, b) => a.domid - b.domid || a.id - b.id);
    this.cursor = s.cursor;
    this.running = s.running;
    this.lastRan = s.lastRan;
    this.sliceLeft = s.sliceLeft;
  }
}

/** See Hypervisor.schedState. */
export interface SchedState {
  readonly slotCpus: readonly Cpu[];
  readonly slotFree: readonly boolean[];
  readonly cursor: number;
  readonly running: Vcpu | null;
  readonly lastRan: Vcpu | null;
  readonly sliceLeft: number;
}

export { E };
