import { describe, expect, it } from 'vitest';
import { verdict, type IsolationFacts } from './isolation';

const isolated: IsolationFacts = {
  crossOriginIsolated: true,
  sharedArrayBuffer: true,
  secureContext: true,
  serviceWorkerApi: true,
  serviceWorkerControlling: false,
};

describe('verdict', () => {
  it('is isolated when the headers are in force', () => {
    expect(verdict(isolated)).toBe('isolated');
  });

  it('waits while the service worker can still fix it', () => {
    expect(verdict({ ...isolated, crossOriginIsolated: false, sharedArrayBuffer: false })).toBe('waiting-for-service-worker');
  });

  it('gives up when the service worker controls the page and isolation is still missing', () => {
    expect(verdict({ ...isolated, crossOriginIsolated: false, serviceWorkerControlling: true })).toBe('unavailable');
  });

  it('gives up outside a secure context or without service workers', () => {
    expect(verdict({ ...isolated, crossOriginIsolated: false, secureContext: false })).toBe('unavailable');
    expect(verdict({ ...isolated, crossOriginIsolated: false, serviceWorkerApi: false })).toBe('unavailable');
  });
});
