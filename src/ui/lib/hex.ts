// Fixed-width hex, as registers and addresses are read.
export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

export function hex16(v: number): string {
  return (v & 0xffff).toString(16).padStart(4, '0');
}
