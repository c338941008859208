// Domain UUIDs, deterministic: a version-4-shaped UUID from a 64-bit FNV-1a-style
// hash (two 32-bit lanes) of the machine's seed, the domain's name and a
// creation counter, so the same machine config and the same commands give the
// same UUIDs (no Math.random, no clock). Not random and not unique across
// machines -- nothing here needs that.

function fnv32(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function makeUuid(seed: string, name: string, counter: number): string {
  const text = `${seed}\0${name}\0${counter}`;
  const words = [fnv32(text, 0x811c9dc5), fnv32(text, 0x050c5d1f), fnv32(text, 0x1b873593), fnv32(text, 0xcc9e2d51)];
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('').split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
