// The browser form of iced-x86 that tools/vite/icedX86.ts serves.
declare module 'virtual:iced-x86' {
  import type * as Iced from 'iced-x86';
  /** Where the build put iced's wasm. */
  export const wasmUrl: string;
  /** iced-x86's API over the given wasm bytes (compiled synchronously). */
  export function instantiateIced(bytes: Uint8Array): typeof Iced;
}
