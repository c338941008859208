// The words of the status bar, kept apart from React so they can be tested.
import type { MachinePhase, PauseInfo } from '../../protocol/messages';
import type { MachineStats } from '../store/machineStore';
import type { WorkerStatus } from '../store/workerStore';

export type Tone = 'busy' | 'good' | 'bad';

export interface StatusLine {
  text: string;
  detail: string;
  tone: Tone;
}

const MiB = 1024 * 1024;

export function describeWorker(status: WorkerStatus): StatusLine {
  switch (status.phase) {
    case 'starting':
      return { text: 'starting worker…', detail: '', tone: 'busy' };
    case 'failed':
      return { text: 'worker failed', detail: status.message, tone: 'bad' };
    case 'ready': {
      const text = `worker ready: ${formatMiB(status.ramBytes)} shared machine memory`;
      switch (status.sharedCheck) {
        case 'pending':
          return { text, detail: 'checking shared memory…', tone: 'busy' };
        case 'ok':
          return { text, detail: `shared memory ok · round trip ${formatMs(status.rttMs)}`, tone: 'good' };
        case 'failed':
          return { text, detail: 'shared memory check failed: the UI does not see what the worker wrote', tone: 'bad' };
      }
    }
  }
}

function formatMiB(bytes: number): string {
  return `${Number.isInteger(bytes / MiB) ? bytes / MiB : (bytes / MiB).toFixed(1)} MiB`;
}

function formatMs(ms: number | null): string {
  return ms === null ? '—' : `${ms.toFixed(1)} ms`;
}

/** The machine's corner of the status bar: what runs, and how fast. */
export function describeMachineStatus(phase: MachinePhase | 'none', imageName: string | null, stats: MachineStats | null): string {
  const name = imageName ?? 'guest';
  switch (phase) {
    case 'none':
      return 'no machine running';
    case 'booting':
      return `booting ${name}…`;
    case 'failed':
      return `${name}: machine stopped by an error`;
    case 'stopped':
      return `${name}: stopped`;
    case 'running':
    case 'paused': {
      const pace = phase === 'running' && stats ? speedWords(stats.speed) : '';
      if (!stats) return `${name}: ${phase}`;
      const mInsns = stats.instructions / 1e6;
      return `${name}: ${phase}${pace} · ${mInsns.toFixed(1)} M instructions · virtual time ${(stats.systemTimeNs / 1e9).toFixed(1)} s`;
    }
  }
}

function speedWords(speed: number): string {
  if (speed === 1) return '';
  if (speed === 0) return ' flat out';
  return ` at ${speed}× real time`;
}

const PAUSE_WORDS: Record<PauseInfo['reason'], string> = {
  user: 'paused',
  step: 'stepped',
  hypercall: 'after a hypercall',
  event: 'after an event upcall',
  breakpoint: 'at a breakpoint',
};

/** Where a pause left the machine: why, which vcpu, after how many instructions. */
export function describePause(p: PauseInfo): string {
  const where = p.domid >= 0 ? ` on d${p.domid}v${p.vcpu}` : '';
  return `${PAUSE_WORDS[p.reason]}${where} at instruction ${p.instructions.toLocaleString('en-US')}`;
}
