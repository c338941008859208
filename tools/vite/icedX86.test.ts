// The browser form of iced-x86 (virtual:iced-x86), loaded through Vite with the
// plugin as the app loads it, instantiated from the wasm bytes and used to decode.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICED_MODULE, icedX86 } from './icedX86';

type IcedModule = { wasmUrl: string; instantiateIced(bytes: Uint8Array): typeof Iced };

let server: ViteDevServer;
let mod: IcedModule;

beforeAll(async () => {
  server = await createServer({
    configFile: false, logLevel: 'silent', plugins: [icedX86()], server: { middlewareMode: true, hmr: false }, appType: 'custom',
  });
  mod = (await server.ssrLoadModule(ICED_MODULE)) as IcedModule;
});

afterAll(async () => {
  await server?.close();
});

describe('virtual:iced-x86', () => {
  it('names the wasm file for the build to ship', () => {
    expect(mod.wasmUrl).toMatch(/iced_x86_bg\.wasm$/);
  });

  it('instantiates from the bytes it is given and decodes 32-bit code', () => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('iced-x86/iced_x86_bg.wasm'));
    const iced = mod.instantiateIced(new Uint8Array(wasm));
    const decoder = new iced.Decoder(32, new Uint8Array([0xcd, 0x82, 0xeb, 0xfe]), iced.DecoderOptions.None);
    decoder.ip = 0xc0001000n;
    const fmt = new iced.Formatter(iced.FormatterSyntax.Gas);
    const text: string[] = [];
    while (decoder.canDecode) text.push(fmt.format(decoder.decode()));
    expect(text).toEqual(['int $0x82', 'jmp 0xC0001002']);
  });
});
