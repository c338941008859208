import { describe, expect, it } from 'vitest';
import { MAX_INPUT_BYTES, PROTOCOL_VERSION, isUiToWorker, probeAddress } from './messages';

const v = PROTOCOL_VERSION;

describe('isUiToWorker', () => {
  it('accepts the messages the UI sends', () => {
    expect(isUiToWorker({ v, type: 'hello' })).toBe(true);
    expect(isUiToWorker({ v, type: 'ping', id: 3, probe: 255 })).toBe(true);
    expect(isUiToWorker({ v, type: 'boot', image: '/guests/console.elf' })).toBe(true);
    expect(isUiToWorker({ v, type: 'boot', image: new ArrayBuffer(8), name: 'demo', memMiB: 8, cmdline: '' })).toBe(true);
    expect(isUiToWorker({ v, type: 'console-input', domid: 1, data: new Uint8Array([104, 10]) })).toBe(true);
  });

  it('rejects other versions, unknown types and bad fields', () => {
    expect(isUiToWorker(null)).toBe(false);
    expect(isUiToWorker('hello')).toBe(false);
    expect(isUiToWorker({ type: 'hello' })).toBe(false);
    expect(isUiToWorker({ v: PROTOCOL_VERSION + 1, type: 'hello' })).toBe(false);
    expect(isUiToWorker({ v, type: 'reboot' })).toBe(false);
    expect(isUiToWorker({ v, type: 'ping', id: 1.5, probe: 1 })).toBe(false);
    expect(isUiToWorker({ v, type: 'ping', id: 1, probe: -1 })).toBe(false);
  });

  it('rejects boot commands without an image or with bad options', () => {
    expect(isUiToWorker({ v, type: 'boot' })).toBe(false);
    expect(isUiToWorker({ v, type: 'boot', image: '' })).toBe(false);
    expect(isUiToWorker({ v, type: 'boot', image: new Uint8Array(4) })).toBe(false);
    expect(isUiToWorker({ v, type: 'boot', image: 'x.elf', memMiB: 0 })).toBe(false);
    expect(isUiToWorker({ v, type: 'boot', image: 'x.elf', memMiB: 2.5 })).toBe(false);
    expect(isUiToWorker({ v, type: 'boot', image: 'x.elf', name: 7 })).toBe(false);
  });

  it('rejects console input that is not bytes, too long, or for no domain', () => {
    expect(isUiToWorker({ v, type: 'console-input', domid: 1, data: 'hello' })).toBe(false);
    expect(isUiToWorker({ v, type: 'console-input', domid: -1, data: new Uint8Array(1) })).toBe(false);
    expect(isUiToWorker({ v, type: 'console-input', domid: 1, data: new Uint8Array(MAX_INPUT_BYTES + 1) })).toBe(false);
  });
});

describe('probeAddress', () => {
  it('lies past every region when the buffer has room there', () => {
    expect(probeAddress(32 << 20, (32 << 20) + 1000, (32 << 20) + 65536)).toBe((32 << 20) + 65535);
  });
  it('falls back to the last byte of RAM when the buffer ends with the layout', () => {
    expect(probeAddress(32 << 20, (32 << 20) + 65536, (32 << 20) + 65536)).toBe((32 << 20) - 1);
  });
});
