// The page-type engine's public surface (see engine.ts for what it offers and
// why; each implementing file opens with the rules it enforces).
export { MmEngine } from './engine';
export { FrameTable, PT_ENTRIES } from './frametable';
export type { FlushKind, MmHooks } from './state';
export type { PteTarget } from './hostmap';
export type { ReleaseResult } from './release';
export type { L1Slot } from './walk';
export type { ExtraHolds } from './audit';
export { PTWR_CMPXCHG_FAILED, PTWR_OK, PTWR_UNHANDLEABLE } from './ptwr';
export { MMU_MACHPHYS_UPDATE, MMU_NORMAL_PT_UPDATE, MMU_PT_UPDATE_NO_TRANSLATE, MMU_PT_UPDATE_PRESERVE_AD } from './update';
export { checkDescriptor } from './descriptor';
export { xenCr3ToPfn, xenPfnToCr3 } from './pte';
