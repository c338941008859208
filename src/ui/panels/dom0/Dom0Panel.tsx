// Domain 0's terminal: an xterm with a line editor (lineEditor.ts) in front of
// the worker's xl shell. Each finished line goes to the worker; its output comes
// back, and for commands that follow (xenstore-watch, xl shutdown -w) keeps
// coming until Ctrl-C. `xl console N` shows domain N's console panel.
import { useEffect, useRef } from 'react';
import type { Terminal } from '@xterm/xterm';
import { workerClient } from '../../client/useWorkerClient';
import { machineStore } from '../../store/machineStore';
import { focusPanel } from '../../store/uiStore';
import { useTerminal } from '../console/useTerminal';
import { LineEditor } from './lineEditor';

export const PROMPT = 'root@pvplay:~# ';
const BANNER = "Domain-0 shell: xl and xenstore-* commands ('help' lists them).\r\n";

/** Output from the shell with bare newlines made terminal newlines. */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export function Dom0Panel() {
  const { ref, term } = useTerminal({ input: true });
  const editor = useRef(new LineEditor());

  useEffect(() => {
    if (!term) return;
    const session = new Dom0Session(term, editor.current);
    return () => session.dispose();
  }, [term]);

  return (
    <section className="dom0-panel" data-panel="dom0">
      <div className="term-host dom0-terminal" ref={ref} data-testid="dom0-terminal" />
    </section>
  );
}

/** One terminal's conversation with the shell: at most one command in the foreground. */
class Dom0Session {
  /** The id of the command whose output still follows, or null at the prompt. */
  private following: number | null = null;
  private busy = false;
  private disposed = false;
  private readonly queue: string[] = [];
  private readonly typing: { dispose(): void };

  constructor(
    private readonly term: Terminal,
    private readonly editor: LineEditor,
  ) {
    term.write(BANNER + PROMPT + editor.redraw());
    this.typing = term.onData((data) => this.input(data));
  }

  dispose(): void {
    this.disposed = true;
    this.typing.dispose();
  }

  private input(data: string): void {
    if (this.busy || this.following !== null) {
      // While a command runs only Ctrl-C matters; other keys are typed ahead.
      if (data.includes('\x03') && this.following !== null) workerClient()?.interruptXl(this.following);
      else if (!data.includes('\x03')) this.queue.push(data);
      return;
    }
    for (const r of this.editor.feed(data)) {
      this.term.write(r.echo);
      if (r.clear) this.term.write('\x1b[2J\x1b[H' + PROMPT + this.editor.redraw());
      if (r.interrupt) this.term.write(PROMPT);
      if (r.line !== undefined) {
        void this.run(r.line);
        return;
      }
    }
  }

  private async run(line: string): Promise<void> {
    const client = workerClient();
    if (!line.trim() || !client) {
      if (line.trim()) this.term.write('the machine is not running\r\n');
      this.term.write(PROMPT);
      return;
    }
    this.busy = true;
    // Plain `list` means `xl list`, as in the CLI (tools/xl.ts).
    const words = line.trim();
    const full = /^(xl|xenstore-|help$)/.test(words) ? words : `xl ${words}`;
    const { id, done } = client.xl(full, (more) => {
      if (this.disposed) return;
      this.term.write(crlf(more.output));
      if (!more.more) this.finish();
    });
    const first = await done;
    if (this.disposed) return;
    this.term.write(crlf(first.output));
    if (first.attach !== undefined) {
      machineStore.setState({ consoleDomid: first.attach });
      focusPanel('console');
    }
    if (first.more) {
      this.following = id;
      this.busy = false;
      return;
    }
    this.finish();
  }

  private finish(): void {
    this.following = null;
    this.busy = false;
    this.term.write(PROMPT + this.editor.redraw());
    const ahead = this.queue.splice(0).join('');
    if (ahead) this.input(ahead);
  }
}
