// (rows are being written; see docs/cpu.md)
import type { OpRow } from '../table';

export const rows: OpRow[] = [];
