import { describe, expect, it } from 'vitest';
import { FC, OWNER_XEN, frameClass, frameRecord } from './frames';
import { F, FRAME_FREE, PGF_PINNED, PGF_VALIDATED, PGT_L1, PGT_L3, PGT_WRITABLE } from './layout';

function table(records: [owner: number, type: number, typeCount: number, refs: number][]): Int32Array {
  const t = new Int32Array(records.length * 4);
  records.forEach(([o, ty, tc, rc], i) => {
    t[i * 4 + F.OWNER] = o; t[i * 4 + F.TYPE] = ty; t[i * 4 + F.TYPE_COUNT] = tc; t[i * 4 + F.REF_COUNT] = rc;
  });
  return t;
}

describe('frameClass', () => {
  const ft = table([
    [FRAME_FREE, 0, 0, 0],
    [1, PGT_L3 | PGF_VALIDATED | PGF_PINNED, 1, 2],
    [1, PGT_WRITABLE | PGF_VALIDATED, 0, 1],
    [1, PGT_L1, 0, 1],
    [OWNER_XEN, PGT_L1 | PGF_VALIDATED, 1, 1],
    [OWNER_XEN, 0, 0, 1],
    [2, PGT_WRITABLE | PGF_VALIDATED, 3, 4],
  ]);

  it('follows the type while references of it are held, else the owner', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((m) => frameClass(ft, m))).toEqual([
      FC.FREE, FC.L3, FC.RAM, FC.RAM, FC.L1, FC.XEN, FC.WRITABLE,
    ]);
  });

  it('decodes a record, keeping the last type even at count 0', () => {
    expect(frameRecord(ft, 1)).toEqual({
      mfn: 1, owner: 1, type: 'l3', typeCount: 1, refCount: 2, pinned: true, validated: true,
      typeWord: PGT_L3 | PGF_VALIDATED | PGF_PINNED,
    });
    expect(frameRecord(ft, 3)).toMatchObject({ type: 'l1', typeCount: 0, pinned: false, validated: false });
  });
});
