// The pages a guest image puts into memory, which a snapshot need not store: a
// page of RAM equal to one of them is written as a reference (image, page) and
// rebuilt from the image at restore. An image's pages are its bytes cut into
// 4 KiB pages (an initrd lands in RAM that way), then, if it is a Xen PV kernel,
// its kernel area as the domain builder loads it (builder.ts: each segment's file
// bytes at p_paddr - pstart, the BSD symbol area after the kernel, zeros elsewhere).
// Matching is by content, so a page still counts wherever the guest moved it; a
// page that matches nothing is simply stored.
import { parseXenElf } from '../elf';
import { bsdSymtabBytes } from '../elfsyms';

export const PAGE = 4096;

/** Pages already worked out, per image array (images are never changed once stored). */
const cache = new WeakMap<Uint8Array, { maxBytes: number; pages: Uint8Array }>();

/** The image's pages, concatenated (a whole number of pages). `maxBytes` bounds the kernel area. */
export function imagePages(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const hit = cache.get(bytes);
  if (hit && hit.maxBytes === maxBytes) return hit.pages;
  const pages = computePages(bytes, maxBytes);
  cache.set(bytes, { maxBytes, pages });
  return pages;
}

function computePages(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const rawPages = Math.ceil(bytes.length / PAGE);
  let area: Uint8Array | null = null;
  try {
    area = kernelArea(bytes, maxBytes);
  } catch {
    area = null; // not a PV kernel (an initrd, a config file): its raw pages are all there is
  }
  const out = new Uint8Array((rawPages + (area ? area.length / PAGE : 0)) * PAGE);
  out.set(bytes);
  if (area) out.set(area, rawPages * PAGE);
  return out;
}

function kernelArea(kernel: Uint8Array, maxBytes: number): Uint8Array | null {
  const image = parseXenElf(kernel);
  const size = Math.ceil((image.virtKend - image.virtKstart) / PAGE) * PAGE;
  if (!(size > 0) || size > maxBytes) return null;
  const area = new Uint8Array(size);
  const pstart = image.virtKstart - (image.virtBase - image.paddrOffset);
  for (const seg of image.segments) {
    const at = seg.paddr - pstart;
    const n = Math.min(seg.filesz, size - at);
    if (at < 0 || n <= 0) continue;
    area.set(kernel.subarray(seg.offset, seg.offset + n), at);
  }
  const syms = image.bsdSymtabArea;
  if (syms) {
    const at = syms.va - image.virtKstart;
    if (at >= 0 && at < size) area.set(bsdSymtabBytes(kernel, syms, size - at).subarray(0, size - at), at);
  }
  return area;
}
