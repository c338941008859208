// Base64 (RFC 4648) in both alphabets, without the host's atob/btoa (the core runs
// in node and in a worker alike, and these must accept only what they produce):
// standard with padding for bytes inside snapshot records, base64url without
// padding for URL fragments. Decoding rejects anything else with a RangeError.
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function table(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STD_T = table(STD), URL_T = table(URL);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  const out: string[] = [];
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push(alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63] + alphabet[n & 63]);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out.push(alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + (pad ? '==' : ''));
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out.push(alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63] + (pad ? '=' : ''));
  }
  return out.join('');
}

function decode(text: string, t: Int8Array, pad: boolean): Uint8Array {
  let len = text.length;
  if (pad) {
    if (len % 4 !== 0) throw new RangeError('base64 text is not a multiple of 4 characters');
    if (len > 0 && text[len - 1] === '=') len--;
    if (len > 0 && text[len - 1] === '=') len--;
  } else if (len % 4 === 1) {
    throw new RangeError('base64url text has an impossible length');
  }
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? t[c] : -1;
    if (v < 0) throw new RangeError(`not a base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // Bits left over must be zero, so each byte string has exactly one encoding.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new RangeError('base64 text has stray bits at its end');
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}
export function fromBase64(text: string): Uint8Array {
  return decode(text, STD_T, true);
}
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}
export function fromBase64Url(text: string): Uint8Array {
  return decode(text, URL_T, false);
}
