// What the UI knows about the machine in the worker: its phase, its domains, the
// guest whose console the Console panel shows, and the latest figures. Console
// bytes are not here (they go straight to the terminals: client/consoleStreams.ts);
// this store changes only on state changes and a few times a second for stats.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type {
  DomainCounters, DomainInfo, GrantMapInfo, MachinePhase, PauseInfo, PortInfo, WorkerErrorCode,
} from '../../protocol/messages';

export interface MachineStats {
  instructions: number;
  systemTimeNs: number;
  wallMs: number;
  /** Speed factor in force: 1 = real time, 0 = flat out. */
  speed: number;
}

export interface MachineState {
  /** 'none' until the first boot command. */
  phase: MachinePhase | 'none';
  /** Why the machine failed, when it did. */
  message: string | null;
  /** The image being booted or running, as the UI named it. */
  imageName: string | null;
  domains: Record<number, DomainInfo>;
  /** The guest whose PV console the Console panel shows: the last one that appeared (never Domain-0). */
  consoleDomid: number | null;
  stats: MachineStats | null;
  /** Per-domain counters from the latest stats (xl list's changing columns). */
  counters: Record<number, DomainCounters>;
  /** Each domain's bound event-channel ports (structure only; bits are read from shared memory). */
  ports: Record<number, PortInfo[]>;
  /** Each domain's mappings of other domains' grants. */
  grantMaps: Record<number, GrantMapInfo[]>;
  /** Why the machine is paused, when phase is 'paused'. */
  pause: PauseInfo | null;
  /** Milliseconds from the boot command to the guest's first console output, once known. */
  bootToOutputMs: number | null;
  /** The worker's last word on a command it could not carry out (a notice, not a failure). */
  notice: Notice | null;
  /** Counts boots (reset included): views of the old machine start afresh when it changes. */
  bootSeq: number;
}

export interface Notice {
  code: WorkerErrorCode;
  message: string;
  /** Counts notices, so the same text twice still shows as new. */
  seq: number;
}

export type MachineStore = ReturnType<typeof createMachineStore>;

export const INITIAL_MACHINE_STATE: MachineState = {
  phase: 'none',
  message: null,
  imageName: null,
  domains: {},
  consoleDomid: null,
  stats: null,
  counters: {},
  ports: {},
  grantMaps: {},
  pause: null,
  bootToOutputMs: null,
  notice: null,
  bootSeq: 0,
};

export function createMachineStore() {
  return createStore<MachineState>()(() => INITIAL_MACHINE_STATE);
}

/** The page's one machine store. */
export const machineStore = createMachineStore();

export function useMachine<T>(select: (s: MachineState) => T): T {
  return useStore(machineStore, select);
}
