// Domain 0's shell session: the line editor (lineEditor.ts) in front of the
// worker's xl shell. One per page, apart from any terminal: its output goes to
// the 'dom0' console stream, so a terminal that mounts later (the layout moved
// it) replays the whole conversation. Each finished line goes to the worker; its
// output comes back, and for commands that follow (xenstore-watch, xl shutdown
// -w) keeps coming until Ctrl-C. `xl console N` shows domain N's console.
import { consoleStreams } from '../../client/consoleStreams';
import { workerClient } from '../../client/useWorkerClient';
import { machineStore } from '../../store/machineStore';
import { focusPanel } from '../../store/uiStore';
import { LineEditor } from './lineEditor';

export const PROMPT = 'root@pvplay:~# ';
const BANNER = "Domain-0 shell: xl and xenstore-* commands ('help' lists them).\r\n";

/** Output from the shell with bare newlines made terminal newlines. */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

class Dom0Shell {
  private readonly editor = new LineEditor();
  private readonly encoder = new TextEncoder();
  private started = false;
  /** The id of the command whose output still follows, or null. */
  private following: number | null = null;
  private busy = false;
  /** Keys typed while a command ran, for the next prompt. */
  private readonly queue: string[] = [];

  /** Print the banner and the first prompt, once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.write(BANNER + PROMPT);
  }

  /** Keystrokes from the terminal. */
  input(data: string): void {
    if (this.busy || this.following !== null) {
      // While a command runs only Ctrl-C matters; other keys are typed ahead.
      if (data.includes('\x03') && this.following !== null) workerClient()?.interruptXl(this.following);
      else if (!data.includes('\x03')) this.queue.push(data);
      return;
    }
    for (const r of this.editor.feed(data)) {
      this.write(r.echo);
      if (r.clear) this.write('\x1b[2J\x1b[H' + PROMPT + this.editor.redraw());
      if (r.interrupt) this.write(PROMPT);
      if (r.line !== undefined) {
        void this.run(r.line);
        return;
      }
    }
  }

  private write(text: string): void {
    if (text) consoleStreams.append('dom0', this.encoder.encode(text));
  }

  private async run(line: string): Promise<void> {
    const client = workerClient();
    const words = line.trim();
    if (!words || !client) {
      if (words) this.write('the machine is not running\r\n');
      this.write(PROMPT);
      return;
    }
    this.busy = true;
    // Plain `list` means `xl list`, as in the CLI (tools/xl.ts).
    const full = /^(xl|xenstore-|help$)/.test(words) ? words : `xl ${words}`;
    const { id, done } = client.xl(full, (more) => {
      this.write(crlf(more.output));
      if (!more.more) this.finish();
    });
    const first = await done;
    this.write(crlf(first.output));
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
    this.write(PROMPT + this.editor.redraw());
    const ahead = this.queue.splice(0).join('');
    if (ahead) this.input(ahead);
  }
}

/** The page's Domain-0 shell. */
export const dom0Shell = new Dom0Shell();
