// Guest images the app ships, by content id (the SHA-256 the machine names
// images by). A share link leaves such an image out, since whoever opens the
// link has the app and so the image; a restore that meets an image it was not
// given looks for it here. The UI says which URLs hold shipped guests; each is
// fetched at most once, and only its hash decides what it is, so a URL that now
// serves other bytes is simply not a match.
import { sha256Hex } from '../shared/sha256';

export class ImageCatalog {
  private readonly byId = new Map<string, Uint8Array>();
  /** URLs fetched (or being fetched), with the id of what they held (null: the fetch failed). */
  private readonly urls = new Map<string, Promise<string | null>>();

  constructor(private readonly fetchBytes: (url: string) => Promise<ArrayBuffer>) {}

  /** Note the bytes a URL gave (a boot fetched them anyway); returns their id. */
  remember(url: string, bytes: Uint8Array): string {
    const id = sha256Hex(bytes);
    if (!this.byId.has(id)) this.byId.set(id, bytes.slice());
    if (!this.urls.has(url)) this.urls.set(url, Promise.resolve(id));
    return id;
  }

  get(id: string): Uint8Array | undefined {
    return this.byId.get(id);
  }

  /** Fetch every URL not fetched yet; resolves with the ids they hold (failed fetches left out). */
  async load(urls: readonly string[]): Promise<Set<string>> {
    const ids = await Promise.all(urls.map((url) => {
      let p = this.urls.get(url);
      if (!p) {
        p = this.fetchBytes(url).then(
          (buf) => {
            const bytes = new Uint8Array(buf);
            const id = sha256Hex(bytes);
            if (!this.byId.has(id)) this.byId.set(id, bytes);
            return id;
          },
          () => {
            // Not remembered: the next restore tries again (the network may be back).
            this.urls.delete(url);
            return null;
          },
        );
        this.urls.set(url, p);
      }
      return p;
    }));
    return new Set(ids.filter((id): id is string => id !== null));
  }
}
