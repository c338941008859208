// Loads the disassembler once, the first time a CPU panel needs it: the glue
// module (a separate chunk), then the wasm bytes it compiles (see
// tools/vite/icedX86.ts for why the glue is wrapped and why the main thread may
// compile it).
import { useEffect, useState } from 'react';
import type { Iced } from './disasm';

let loading: Promise<Iced> | null = null;

export function loadIced(): Promise<Iced> {
  loading ??= (async () => {
    const mod = await import('virtual:iced-x86');
    const res = await fetch(mod.wasmUrl);
    if (!res.ok) throw new Error(`could not fetch the disassembler: ${res.status} ${res.statusText}`);
    return mod.instantiateIced(new Uint8Array(await res.arrayBuffer()));
  })();
  loading.catch(() => {
    // Let a later panel try again.
    loading = null;
  });
  return loading;
}

export type IcedState = { iced: Iced; error: null } | { iced: null; error: string | null };

/** iced-x86 once loaded; error says why it could not be. */
export function useIced(): IcedState {
  const [state, setState] = useState<IcedState>({ iced: null, error: null });
  useEffect(() => {
    let live = true;
    loadIced().then(
      (iced) => live && setState({ iced, error: null }),
      (e: unknown) => live && setState({ iced: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
