// Reading a saved state record back (snapshots): every layer writes its state as a
// plain JSON-able object with named fields, and reads it back through Rec, which
// checks each field's type and range as it goes and names the field that is wrong
// ("hv.domains[0].vcpus[1].slot: 99 is not an integer from 0 to 7"). A record
// from a file or a link is untrusted input: nothing here throws anything but
// RecordError, and no length is believed before it is checked.
import { fromBase64 } from './base64';

export class RecordError extends Error {
  constructor(readonly where: string, readonly problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'RecordError';
  }
}

/** Longest string field we accept unless a caller says otherwise. */
const MAX_STR = 1 << 20;

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : String(v);
}

export class Rec {
  private constructor(private readonly v: unknown, readonly where: string) {}

  static of(v: unknown, where: string): Rec {
    return new Rec(v, where);
  }

  fail(problem: string): never {
    throw new RecordError(this.where, problem);
  }

  /** A field that must be present. */
  get(name: string): Rec {
    const o = this.object();
    if (!Object.prototype.hasOwnProperty.call(o, name) || o[name] === undefined) {
      throw new RecordError(`${this.where}.${name}`, 'missing');
    }
    return new Rec(o[name], `${this.where}.${name}`);
  }

  /** A field that may be absent (or null). */
  opt(name: string): Rec | undefined {
    const o = this.object();
    if (!Object.prototype.hasOwnProperty.call(o, name) || o[name] === undefined || o[name] === null) return undefined;
    return new Rec(o[name], `${this.where}.${name}`);
  }

  get isNull(): boolean {
    return this.v === null;
  }

  int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.v;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${show(v)} is not an integer from ${min} to ${max}`);
    }
    return v;
  }

  /** An int32 bit pattern (-2^31 .. 2^32-1 accepted, returned as int32). */
  i32(): number {
    return this.int(-0x80000000, 0xffffffff) | 0;
  }

  num(min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number {
    const v = this.v;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) this.fail(`${show(v)} is not a number from ${min} to ${max}`);
    return v;
  }

  bool(): boolean {
    if (typeof this.v !== 'boolean') this.fail(`${show(this.v)} is not true or false`);
    return this.v;
  }

  str(maxLen = MAX_STR): string {
    const v = this.v;
    if (typeof v !== 'string') this.fail(`${show(v)} is not a string`);
    if (v.length > maxLen) this.fail(`a string of ${v.length} characters (at most ${maxLen})`);
    return v;
  }

  oneOf<T extends string>(values: readonly T[]): T {
    const s = this.str(64);
    if (!(values as readonly string[]).includes(s)) this.fail(`${show(s)} is not one of ${values.join(', ')}`);
    return s as T;
  }

  list(maxLen: number): Rec[] {
    const v = this.v;
    if (!Array.isArray(v)) this.fail(`${show(v)} is not a list`);
    if (v.length > maxLen) this.fail(`a list of ${v.length} (at most ${maxLen})`);
    return v.map((x, i) => new Rec(x, `${this.where}[${i}]`));
  }

  ints(maxLen: number, min: number, max: number): number[] {
    return this.list(maxLen).map((r) => r.int(min, max));
  }

  /** Bytes written as base64 (toBase64). */
  bytes(maxLen: number): Uint8Array {
    const s = this.str(Math.ceil(maxLen / 3) * 4 + 4);
    let b: Uint8Array;
    try {
      b = fromBase64(s);
    } catch (e) {
      this.fail(`not base64 (${(e as Error).message})`);
    }
    if (b.length > maxLen) this.fail(`${b.length} bytes (at most ${maxLen})`);
    return b;
  }

  /** Every field of a record, as [name, value] pairs (for maps saved as objects). */
  entries(maxLen: number): [string, Rec][] {
    const keys = Object.keys(this.object());
    if (keys.length > maxLen) this.fail(`a record of ${keys.length} fields (at most ${maxLen})`);
    return keys.map((k) => [k, this.get(k)]);
  }

  private object(): Record<string, unknown> {
    const v = this.v;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${show(v)} is not a record`);
    return v as Record<string, unknown>;
  }
}
