// The browser's side of sharing: the page's address, the clipboard, saving a
// file, and choosing one. operations.ts takes these as a Page, so it runs
// under test without a browser.
import type { Page } from './operations';

/** The page's address without its fragment: what a share link starts with. */
export function pageBase(loc: Pick<Location, 'origin' | 'pathname'> = window.location): string {
  return `${loc.origin}${loc.pathname}`;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The clipboard API needs focus and permission; the older command needs neither.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

function saveFile(bytes: ArrayBuffer, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Let the download start before the bytes go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The page, with the shipped guests' URLs resolved against it. */
export function browserPage(shippedPaths: readonly string[]): Page {
  return {
    base: pageBase(),
    shipped: shippedPaths.map((p) => new URL(p, document.baseURI).href),
    copy: copyText,
    save: saveFile,
  };
}

/** Ask the user for a file; resolves with its name and bytes, or null when they cancel. */
export function chooseFile(accept: string): Promise<{ name: string; bytes: ArrayBuffer } | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) {
        resolve(null);
        return;
      }
      void file.arrayBuffer().then((bytes) => resolve({ name: file.name, bytes }), () => resolve(null));
    });
    input.addEventListener('cancel', () => resolve(null));
    input.click();
  });
}
