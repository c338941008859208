// iced-x86 (the CPU panel's disassembler) on npm is wasm-bindgen's nodejs build:
// CommonJS glue that takes TextDecoder/TextEncoder from require('util') and reads
// and compiles its wasm synchronously, through require('fs'), when it is loaded.
// `virtual:iced-x86` serves that glue unchanged for the browser, wrapped in a
// factory that takes the wasm bytes: the factory gives it `module`, `__dirname`
// and a `require` that answers util, path and fs from what a browser has (fs's
// readFileSync returns the bytes passed in). The module also exports the URL of
// the wasm file, which Vite copies into the build.
//
// The factory compiles and instantiates synchronously. Chromium allows that on the
// main thread for modules up to 8 MB (larger ones throw a RangeError); iced's is
// 784 KB and takes a few milliseconds, once, when the CPU panel first shows code.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export const ICED_MODULE = 'virtual:iced-x86';
const RESOLVED = `\0${ICED_MODULE}`;

/** The source of `virtual:iced-x86`. */
export function icedModuleSource(): string {
  const require = createRequire(import.meta.url);
  const glue = readFileSync(require.resolve('iced-x86/iced_x86.js'), 'utf8');
  return `import wasmUrl from 'iced-x86/iced_x86_bg.wasm?url';
export { wasmUrl };
export function instantiateIced(wasmBytes) {
  const shims = {
    util: { TextDecoder, TextEncoder },
    path: { join: (...parts) => parts.join('/') },
    fs: { readFileSync: () => wasmBytes },
  };
  const shimRequire = (name) => {
    if (!(name in shims)) throw new Error('iced-x86 asked for ' + name + ', which the browser shim lacks');
    return shims[name];
  };
  const cjsModule = { exports: {} };
  // The glue's own top-level names stay inside this function.
  (function (module, require, __dirname) {
${glue}
  })(cjsModule, shimRequire, '.');
  return cjsModule.exports;
}
`;
}

export function icedX86(): Plugin {
  return {
    name: 'pvplay:iced-x86',
    resolveId: (id) => (id === ICED_MODULE ? RESOLVED : undefined),
    load: (id) => (id === RESOLVED ? icedModuleSource() : undefined),
  };
}
