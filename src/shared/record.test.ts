import { describe, expect, it } from 'vitest';
import { Rec, RecordError } from './record';
import { toBase64 } from './base64';

describe('Rec', () => {
  const r = Rec.of({ a: 3, b: 'x', c: [1, 2], d: true, e: toBase64(new Uint8Array([1, 2, 3])), n: null, f: 1.5 }, 'state');

  it('reads fields of the right type and range', () => {
    expect(r.get('a').int(0, 3)).toBe(3);
    expect(r.get('b').str()).toBe('x');
    expect(r.get('c').ints(2, 0, 9)).toEqual([1, 2]);
    expect(r.get('d').bool()).toBe(true);
    expect(r.get('e').bytes(3)).toEqual(new Uint8Array([1, 2, 3]));
    expect(r.opt('n')).toBeUndefined();
    expect(r.opt('zz')).toBeUndefined();
    expect(r.get('f').num(0, 2)).toBe(1.5);
    expect(Rec.of(0xffffffff, 'x').i32()).toBe(-1);
  });

  it('names the field and the problem', () => {
    expect(() => r.get('a').int(0, 2)).toThrow(new RecordError('state.a', '3 is not an integer from 0 to 2'));
    expect(() => r.get('zz')).toThrow('state.zz: missing');
    expect(() => r.get('c').ints(1, 0, 9)).toThrow('state.c: a list of 2 (at most 1)');
    expect(() => r.get('c').list(5)[1].str()).toThrow('state.c[1]: 2 is not a string');
    expect(() => r.get('e').bytes(2)).toThrow('state.e: 3 bytes (at most 2)');
    expect(() => r.get('b').get('q')).toThrow('state.b: "x" is not a record');
    expect(() => r.get('f').int()).toThrow(RecordError);
    expect(() => Rec.of(NaN, 'x').num()).toThrow(RecordError);
    expect(() => Rec.of('zz', 'x').oneOf(['a', 'b'])).toThrow('x: "zz" is not one of a, b');
    expect(() => Rec.of({ __proto__: { a: 1 } }, 'x').get('a')).toThrow('x.a: missing');
  });
});
