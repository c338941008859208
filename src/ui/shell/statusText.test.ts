import { describe, expect, it } from 'vitest';
import { memoryLayout } from '../../shared/layout';
import { describeMachineStatus, describePause, describeWorker } from './statusText';

/** What a ready status carries besides the figures under test (never read by describeWorker). */
const shared = (ramBytes: number) => ({ memory: new WebAssembly.Memory({ initial: 1 }), layout: memoryLayout(ramBytes, 8) });

describe('describeWorker', () => {
  it('says the worker is starting', () => {
    expect(describeWorker({ phase: 'starting' })).toMatchObject({ text: 'starting worker…', tone: 'busy' });
  });

  it('names the size of shared memory once ready', () => {
    const line = describeWorker({ phase: 'ready', ...shared(32 << 20), ramBytes: 32 << 20, totalBytes: (32 << 20) + 8192, sharedCheck: 'ok', rttMs: 0.42 });
    expect(line).toEqual({ text: 'worker ready: 32 MiB shared machine memory', detail: 'shared memory ok · round trip 0.4 ms', tone: 'good' });
  });

  it('reports a failed shared-memory check as bad', () => {
    const line = describeWorker({ phase: 'ready', ...shared(1 << 20), ramBytes: 1 << 20, totalBytes: 1 << 20, sharedCheck: 'failed', rttMs: 1 });
    expect(line.tone).toBe('bad');
  });

  it('passes the failure message through', () => {
    expect(describeWorker({ phase: 'failed', message: 'boom' })).toEqual({ text: 'worker failed', detail: 'boom', tone: 'bad' });
  });
});

describe('describeMachineStatus', () => {
  it('says what the machine does and how much it has run', () => {
    expect(describeMachineStatus('none', null, null)).toBe('no machine running');
    expect(describeMachineStatus('booting', 'demo', null)).toBe('booting demo…');
    expect(describeMachineStatus('running', 'demo', { instructions: 2_500_000, systemTimeNs: 3.2e9, wallMs: 3300, speed: 1 })).toBe(
      'demo: running · 2.5 M instructions · virtual time 3.2 s',
    );
    expect(describeMachineStatus('paused', 'demo', { instructions: 2_500_000, systemTimeNs: 3.2e9, wallMs: 3300, speed: 1 })).toBe(
      'demo: paused · 2.5 M instructions · virtual time 3.2 s',
    );
    expect(describeMachineStatus('running', 'demo', { instructions: 2_500_000, systemTimeNs: 3.2e9, wallMs: 3300, speed: 0 })).toBe(
      'demo: running flat out · 2.5 M instructions · virtual time 3.2 s',
    );
  });
});

describe('describePause', () => {
  it('says why and where the machine stopped', () => {
    expect(describePause({ reason: 'step', instructions: 12345, domid: 1, vcpu: 0 })).toBe('stepped on d1v0 at instruction 12,345');
    expect(describePause({ reason: 'user', instructions: 7, domid: -1, vcpu: -1 })).toBe('paused at instruction 7');
  });
});
