// Domain 0's shell for the UI's terminal: the same XlShell as `npm run xl`, over
// the worker's machine. Commands that go on after they return (xenstore-watch,
// xl shutdown -w) are polled after every slice, their output sent with the id of
// the line that started them until they finish or the user interrupts them.
//
// The shell's files are the guest images the worker has been given: each is
// /boot/<file name>, with an example config /etc/xen/<stem>.cfg next to it, so
// `xl create /etc/xen/console.cfg 'name="two"'` starts a second guest.
import type { Machine } from '../machine/machine';
import { XlShell, type Follow } from '../dom0/xl/shell';
import { xenstoredClient } from '../dom0/toolstack/xsclient';

export interface XlReply {
  output: string;
  status: number;
  /** `xl console N`: the UI shows that domain's console. */
  attach?: number;
  /** More output follows with the same id. */
  more?: boolean;
}

export class XlSession {
  private shell: XlShell | null = null;
  private readonly files = new Map<string, Uint8Array>();
  private readonly follows = new Map<number, { follow: Follow; status: number }>();

  /** The machine the shell works on (a new one ends the commands still following). */
  attach(m: Machine | null): void {
    for (const f of this.follows.values()) f.follow.stop();
    this.follows.clear();
    this.shell = m
      ? new XlShell({
          hv: m.hv, toolstack: m.toolstack, store: xenstoredClient(m.xs), dmesg: m.dmesg,
          readFile: (path) => this.files.get(path),
        })
      : null;
  }

  /** Offer an image to `xl create` as /boot/<name>, with /etc/xen/<stem>.cfg. */
  addImage(fileName: string, bytes: Uint8Array, memMiB: number): void {
    const base = fileName.split('/').pop()?.replace(/[^A-Za-z0-9._-]/g, '_') || 'guest';
    const stem = base.replace(/\.[^.]*$/, '') || base;
    this.files.set(`/boot/${base}`, bytes);
    const cfg = `# An example domain config for ${base}\nname = "${stem}"\nkernel = "/boot/${base}"\nmemory = ${memMiB}\nvcpus = 1\n`;
    this.files.set(`/etc/xen/${stem}.cfg`, new TextEncoder().encode(cfg));
  }

  /** Run one line; `id` names it for output that follows. */
  exec(id: number, line: string): XlReply {
    if (!this.shell) return { output: 'xl: no machine is running (boot a guest first)\n', status: 1 };
    const r = this.shell.exec(line);
    const reply: XlReply = { output: r.out + r.err, status: r.status };
    if (r.attach !== undefined) reply.attach = r.attach;
    if (r.follow) {
      this.follows.set(id, { follow: r.follow, status: r.status });
      reply.more = true;
    }
    return reply;
  }

  /** Ctrl-C for the command that `id` started; its last reply comes from the next poll. */
  interrupt(id: number): boolean {
    const f = this.follows.get(id);
    if (!f) return false;
    f.follow.stop();
    return true;
  }

  get following(): boolean {
    return this.follows.size > 0;
  }

  /** New output of the commands that go on, as replies to the lines that started them. */
  poll(): { id: number; reply: XlReply }[] {
    const out: { id: number; reply: XlReply }[] = [];
    for (const [id, f] of this.follows) {
      const text = f.follow.poll();
      if (text === null) {
        this.follows.delete(id);
        out.push({ id, reply: { output: '', status: f.status } });
      } else if (text !== '') {
        out.push({ id, reply: { output: text, status: f.status, more: true } });
      }
    }
    return out;
  }
}
