// Machine memory: RAM plus the shared control regions (vcpu register files, and
// later the frame table and trace ring) in one shared WebAssembly.Memory, so the
// worker, the UI and a later WebAssembly JIT all address the same bytes.
// See src/shared/layout.ts for where each region sits.
import { HypervisorBug } from '../shared/bugs';
import { memoryLayout, type MemoryLayout } from '../shared/layout';

const WASM_PAGE = 65536;

export interface MemoryConfig {
  /** Guest RAM in MiB (machine frames 0 .. ramMiB*256-1). */
  ramMiB: number;
  /** How many vcpu register files to reserve. */
  vcpus?: number;
}

export class MachineMemory {
  readonly memory: WebAssembly.Memory;
  readonly buffer: SharedArrayBuffer;
  readonly layout: MemoryLayout;
  /** RAM only: index = physical address. */
  readonly u8: Uint8Array;
  /** RAM only: index = physical address >> 2. Use only for 4-byte-aligned accesses. */
  readonly i32: Int32Array;
  readonly ramBytes: number;

  private constructor(memory: WebAssembly.Memory, layout: MemoryLayout) {
    this.memory = memory;
    this.layout = layout;
    this.buffer = memory.buffer as unknown as SharedArrayBuffer;
    this.ramBytes = layout.ramBytes;
    this.u8 = new Uint8Array(this.buffer, 0, layout.ramBytes);
    this.i32 = new Int32Array(this.buffer, 0, layout.ramBytes >>> 2);
  }

  static create(config: MemoryConfig): MachineMemory {
    if (!Number.isInteger(config.ramMiB) || config.ramMiB < 1 || config.ramMiB > 2048) {
      throw new RangeError(`RAM size must be a whole number of MiB from 1 to 2048, not ${config.ramMiB}`);
    }
    const layout = memoryLayout(config.ramMiB * 1024 * 1024, config.vcpus ?? 8);
    const pages = Math.ceil(layout.totalBytes / WASM_PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new HypervisorBug('WebAssembly.Memory({shared:true}) did not give a SharedArrayBuffer');
    }
    return new MachineMemory(memory, layout);
  }

  /** The frame table (src/shared/layout.ts F): FRAME_BYTES / 4 Int32 slots per machine frame. */
  frameTable(): Int32Array {
    return new Int32Array(this.buffer, this.layout.frameTableOffset, (this.layout.frames * 16) >>> 2);
  }

  /** Int32 view of vcpu n's register file (see src/shared/layout.ts). */
  regFile(vcpu: number): Int32Array {
    if (vcpu < 0 || vcpu >= this.layout.vcpus) throw new HypervisorBug(`no register file for vcpu ${vcpu}`);
    return new Int32Array(this.buffer, this.layout.regFileOffset + vcpu * this.layout.regFileBytes, this.layout.regFileBytes >>> 2);
  }
}
