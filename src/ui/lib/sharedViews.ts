// Typed-array views of the machine's shared memory for the panels (DESIGN.md,
// principle 3): made once per memory, then read at animation-frame rate with no
// allocation. Register files are cached per slot.
import { useMemo } from 'react';
import { frameTableView } from '../../shared/frames';
import { ramViews, type Ram } from '../../shared/guestPaging';
import { REGFILE_BYTES, type MemoryLayout } from '../../shared/layout';
import { useWorkerStatus } from '../store/workerStore';

export class SharedViews {
  readonly layout: MemoryLayout;
  readonly ram: Ram;
  /** The frame table: FRAME_SLOTS Int32 slots per machine frame. */
  readonly frames: Int32Array;
  private readonly buffer: ArrayBufferLike;
  private readonly regFiles = new Map<number, Int32Array>();

  constructor(buffer: ArrayBufferLike, layout: MemoryLayout) {
    this.buffer = buffer;
    this.layout = layout;
    this.ram = ramViews(buffer, layout.ramBytes);
    this.frames = frameTableView(buffer, layout.frameTableOffset, layout.frames);
  }

  /** The register file in `slot` (layout.ts R), or null if there is no such slot. */
  regFile(slot: number): Int32Array | null {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.layout.vcpus) return null;
    let r = this.regFiles.get(slot);
    if (!r) {
      r = new Int32Array(this.buffer, this.layout.regFileOffset + slot * REGFILE_BYTES, REGFILE_BYTES >>> 2);
      this.regFiles.set(slot, r);
    }
    return r;
  }
}

/** Views of the worker's memory once it is ready, else null. */
export function useSharedViews(): SharedViews | null {
  const status = useWorkerStatus();
  const memory = status.phase === 'ready' ? status.memory : null;
  const layout = status.phase === 'ready' ? status.layout : null;
  return useMemo(() => (memory && layout ? new SharedViews(memory.buffer, layout) : null), [memory, layout]);
}
