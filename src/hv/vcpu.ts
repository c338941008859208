// A virtual CPU of a PV domain: the emulated Cpu plus the state Xen keeps per
// vcpu for a 32-bit PV guest: the virtual IDT (trap table), the event and
// failsafe callbacks, the ring-1 stack for transitions from user mode, where
// its vcpu_info lives, timers, and the scheduler state.
import type { Cpu } from '../cpu/cpu';
import type { HcCtx } from './hypercalls/types';
import { SHINFO } from '../abi/xen';

export type VcpuState = 'offline' | 'runnable' | 'blocked' | 'polling';

/** One trap_info entry: the handler for a vector. cs 0 means none. */
export interface TrapEntry {
  cs: number;
  eip: number;
  /** DPL (bits 0-1) and TI_SET_IF (4: mask events on entry). */
  flags: number;
}

export class Vcpu {
  readonly id: number;
  readonly domid: number;
  readonly cpu: Cpu;
  state: VcpuState = 'offline';
  /** VCPUOP_initialise has been done (vcpu 0: by the domain builder). */
  initialised = false;

  /** The virtual IDT, set by set_trap_table. */
  readonly traps: TrapEntry[] = Array.from({ length: 256 }, () => ({ cs: 0, eip: 0, flags: 0 }));
  eventCs = 0;
  eventEip = 0;
  failsafeCs = 0;
  failsafeEip = 0;
  failsafeMasksEvents = false;
  /** SYSENTER and SYSCALL entry points from 32-bit user space (callback_op). */
  sysenterCs = 0;
  sysenterEip = 0;
  sysenterMasks = false;
  syscall32Cs = 0;
  syscall32Eip = 0;
  /** Ring-1 stack for exceptions and events taken in ring 2/3 (stack_switch). */
  kernelSs = 0;
  kernelSp = 0;

  /** Machine address of this vcpu's vcpu_info (in shared_info until VCPUOP_register_vcpu_info). */
  vcpuInfoAddr = 0;
  vcpuInfoRegistered = false;

  /** Virtual CR0.TS (fpu_taskswitch), virtual CR2 (last #PF address), virtual IOPL (physdev set_iopl). */
  virtualTs = false;
  cr2 = 0;
  iopl = 0;
  /** MISC_FEATURES_ENABLES.CPUID_FAULTING: CPUID in guest user mode raises #GP(0). */
  cpuidFaulting = false;
  /** Guest GDT: machine frames and entry count (set_gdt); LDT linear base and entries (MMUEXT_SET_LDT). */
  gdtFrames: number[] = [];
  gdtEnts = 0;
  ldtBase = 0;
  ldtEnts = 0;
  /** Debug registers as the guest set them (set_debugreg). */
  readonly debugregs = [0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400];

  // Timers, in system-time ns (0 = not armed).
  singleshot = 0;
  periodicPeriod = 0;
  periodicNext = 0;
  /** SCHEDOP_poll: ports waited on and the timeout (0 = none). */
  pollPorts: number[] = [];
  pollDeadline = 0;

  /** Why this vcpu cannot run its context (an unusable CS/SS from VCPUOP_initialise); crashes the domain when it is first run. */
  startError = '';
  /** An event may be deliverable: check before returning to the guest (Xen's vcpu_kick). */
  kicked = false;

  /** Retired instructions while this vcpu ran, for `xl vcpu-list`. */
  cpuTimeNs = 0;
  /** Not state: the hypercall context traps/exits.ts reuses for each of this vcpu's calls. */
  hcCtx: HcCtx | null = null;

  constructor(domid: number, id: number, cpu: Cpu, sharedInfoMfn: number) {
    this.domid = domid;
    this.id = id;
    this.cpu = cpu;
    this.vcpuInfoAddr = sharedInfoMfn * 4096 + SHINFO.VCPU_INFO + id * SHINFO.VCPU_INFO_SIZE;
  }

  get runnable(): boolean {
    return this.state === 'runnable';
  }
}
