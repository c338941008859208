// Records the grant engine reports through GrantHooks.onEvent, for the trace ring and the UI.

export type GrantEvent =
  /** `dom` mapped `granter`'s grant `ref` (frame `mfn`) under `handle` with GNTMAP `flags`. */
  | { kind: 'map'; dom: number; granter: number; ref: number; handle: number; mfn: number; flags: number }
  /** The GNTMAP kinds in `flags` of mapping `handle` went away (unmap or domain destruction). */
  | { kind: 'unmap'; dom: number; granter: number; ref: number; handle: number; mfn: number; flags: number }
  /** GNTTABOP_copy of `len` bytes between machine frames. */
  | { kind: 'copy'; dom: number; srcMfn: number; destMfn: number; len: number }
  /** The table of `dom` now has `nrFrames` frames. */
  | { kind: 'grow'; dom: number; nrFrames: number };
