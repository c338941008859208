// Domain 0's shell for the UI's terminal: the same XlShell as `npm run xl`, over
// the worker's machine. Commands that go on after they return (xenstore-watch,
// xl shutdown -w) are polled after every slice, their output sent with the id of
// the line that started them until they finish or the user interrupts them.
//
// The shell's files are the guest images the worker has been given: each is
// /boot/<file name>, with an example config /etc/xen/<stem>.cfg next to it, so
// `xl create /etc/xen/console.cfg 'name="two"'` starts a second guest.
//
// Lines go through Machine.exec, which logs those that change the machine
// (snapshot/log.ts), and files through Machine.addFile, so a replay of the
// machine's log makes the same domains.
import type { Machine } from '../machine/machine';
import type { Follow } from '../dom0/xl/shell';

export interface XlReply {
  output: string;
  status: number;
  /** `xl console N`: the UI shows that domain's console. */
  attach?: number;
  /** More output follows with the same id. */
  more?: boolean;
}

export class XlSession {
  private machine: Machine | null = null;
  private readonly follows = new Map<number, { follow: Follow; status: number }>();

  /** The machine the shell works on (a new one ends the commands still following). */
  attach(m: Machine | null): void {
    for (const f of this.follows.values()) f.follow.stop();
    this.follows.clear();
    this.machine = m;
  }

  /** Offer an image to `xl create` as /boot/<name>, with /etc/xen/<stem>.cfg; returns the config's path. */
  addImage(m: Machine, fileName: string, bytes: Uint8Array, memMiB: number): string {
    const base = fileName.split('/').pop()?.replace(/[^A-Za-z0-9._-]/g, '_') || 'guest';
    const stem = base.replace(/\.[^.]*$/, '') || base;
    m.addFile(`/boot/${base}`, bytes);
    const cfg = `# An example domain config for ${base}\nname = "${stem}"\nkernel = "/boot/${base}"\nmemory = ${memMiB}\nvcpus = 1\n`;
    const path = `/etc/xen/${stem}.cfg`;
    m.addFile(path, new TextEncoder().encode(cfg));
    return path;
  }

  /** Run one line; `id` names it for output that follows. */
  exec(id: number, line: string): XlReply {
    if (!this.machine) return { output: 'xl: no machine is running (boot a guest first)\n', status: 1 };
    const r = this.machine.exec(line);
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
