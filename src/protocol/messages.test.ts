import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, isUiToWorker, probeAddress } from './messages';

describe('isUiToWorker', () => {
  it('accepts the messages the UI sends', () => {
    expect(isUiToWorker({ v: PROTOCOL_VERSION, type: 'hello' })).toBe(true);
    expect(isUiToWorker({ v: PROTOCOL_VERSION, type: 'ping', id: 3, probe: 255 })).toBe(true);
  });

  it('rejects other versions, unknown types and bad fields', () => {
    expect(isUiToWorker(null)).toBe(false);
    expect(isUiToWorker('hello')).toBe(false);
    expect(isUiToWorker({ type: 'hello' })).toBe(false);
    expect(isUiToWorker({ v: PROTOCOL_VERSION + 1, type: 'hello' })).toBe(false);
    expect(isUiToWorker({ v: PROTOCOL_VERSION, type: 'reboot' })).toBe(false);
    expect(isUiToWorker({ v: PROTOCOL_VERSION, type: 'ping', id: 1.5, probe: 1 })).toBe(false);
    expect(isUiToWorker({ v: PROTOCOL_VERSION, type: 'ping', id: 1, probe: -1 })).toBe(false);
  });
});

describe('probeAddress', () => {
  it('is the last byte of RAM', () => {
    expect(probeAddress(32 * 1024 * 1024)).toBe(32 * 1024 * 1024 - 1);
  });
});
