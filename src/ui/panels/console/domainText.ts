// The words the Console panel's header uses for the guest it shows.
import type { DomainInfo, MachinePhase } from '../../../protocol/messages';

/** Xen's SHUTDOWN_* codes (sched.h), by number. */
const SHUTDOWN_NAMES = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];

export function describeDomain(d: DomainInfo): string {
  const who = `${d.name} (d${d.domid})`;
  if (d.state !== 'shutdown') return `${who} · ${d.state}`;
  const reason = SHUTDOWN_NAMES[d.shutdownReason] ?? `reason ${d.shutdownReason}`;
  if (reason === 'crash') return `${who} · crashed${d.crashReason ? `: ${d.crashReason}` : ''}`;
  return `${who} · shut down (${reason})`;
}

export function describeMachine(phase: MachinePhase | 'none', message: string | null, imageName: string | null): string {
  switch (phase) {
    case 'none':
      return 'no guest booted';
    case 'booting':
      return `booting ${imageName ?? 'a guest'}…`;
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'stopped':
      return 'stopped: no domain can run';
    case 'failed':
      return `failed: ${message ?? 'unknown error'}`;
  }
}
