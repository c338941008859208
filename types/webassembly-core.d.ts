// The core (everything outside src/ui/ and src/worker/) is compiled without the DOM
// and WebWorker libraries, yet it runs where WebAssembly exists: node and a Web Worker.
// TypeScript declares the WebAssembly namespace only in those two libraries, and
// @types/node does not declare it at all, so this file declares the part the core
// uses. Only tsconfig.core.json includes it; the worker and UI projects get the full
// declarations from their libraries, and core files they import are checked there too.

declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }

  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }

  // eslint-disable-next-line no-var -- the namespace member is a value, as in TypeScript's own libraries
  var Memory: {
    prototype: Memory;
    new (descriptor: MemoryDescriptor): Memory;
  };
}
