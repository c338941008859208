// The hypervisor console as Xen shows it: each line says who wrote it, "(XEN)"
// for the hypervisor's own messages (which carry it already: hv.message writes
// it, as `xl dmesg` shows) and "(dN)" for console_io output of domain N. Output
// arrives in arbitrary pieces, so the prefixer remembers, per writer, whether
// the next byte starts a line. Line ends become CR LF for the terminal.

export class XenLinePrefixer {
  private readonly midLine = new Set<number>();

  /** A new machine: every writer starts at the beginning of a line. */
  reset(): void {
    this.midLine.clear();
  }

  /** Text for the terminal from `bytes` written by `domid` (-1: the hypervisor). */
  format(domid: number, bytes: Uint8Array): string {
    const prefix = domid < 0 ? '' : `(d${domid}) `;
    let out = '';
    let mid = this.midLine.has(domid);
    for (const ch of new TextDecoder().decode(bytes)) {
      if (ch === '\r') continue;
      if (!mid) out += prefix;
      if (ch === '\n') {
        out += '\r\n';
        mid = false;
      } else {
        out += ch;
        mid = true;
      }
    }
    if (mid) this.midLine.add(domid);
    else this.midLine.delete(domid);
    return out;
  }
}
