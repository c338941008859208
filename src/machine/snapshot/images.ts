// The guest images a machine has been given (kernels, initrds, config files),
// named by the SHA-256 of their bytes: the input log, replay recipes and
// snapshots refer to an image by that id, so a shared link need not carry an
// image the receiver already has (the teaching guest the app ships). Files are
// the names `xl create` finds them under.
import { sha256Hex } from '../../shared/sha256';

export interface StoredImage {
  id: string;
  name: string;
  bytes: Uint8Array;
}

export class ImageStore {
  private readonly byId = new Map<string, StoredImage>();
  /** Ids of byte arrays seen, so a kernel passed again is not hashed again. */
  private readonly seen = new WeakMap<Uint8Array, string>();
  /** Path -> image id, for `xl create`. */
  readonly files = new Map<string, string>();

  /** The id of these bytes (hashed once per array). */
  idOf(bytes: Uint8Array): string {
    let id = this.seen.get(bytes);
    if (id === undefined) {
      id = sha256Hex(bytes);
      this.seen.set(bytes, id);
    }
    return id;
  }

  /** Keep an image (a private copy); returns its id. The first name given sticks. */
  add(bytes: Uint8Array, name: string): string {
    const id = this.idOf(bytes);
    if (!this.byId.has(id)) {
      const copy = bytes.slice();
      this.seen.set(copy, id);
      this.byId.set(id, { id, name, bytes: copy });
    }
    return id;
  }

  get(id: string): StoredImage | undefined {
    return this.byId.get(id);
  }

  /** Every image, in the order they were added. */
  all(): StoredImage[] {
    return [...this.byId.values()];
  }

  /** The bytes `xl create` reads for a path, or undefined. */
  file(path: string): Uint8Array | undefined {
    const id = this.files.get(path);
    return id === undefined ? undefined : this.byId.get(id)?.bytes;
  }
}
