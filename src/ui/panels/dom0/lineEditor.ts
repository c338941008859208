// The Domain-0 terminal's line editing, apart from xterm.js so it can be tested:
// keystroke data (as xterm's onData gives it) in, what to echo and the finished
// line out. It knows the keys a shell user reaches for: Left/Right, Home/End
// (and Ctrl-A/Ctrl-E), Backspace, Delete, Ctrl-U/Ctrl-K (kill to start/end),
// Ctrl-W (kill a word), Up/Down for history, Ctrl-C (drop the line) and Ctrl-L.
// Echo uses plain VT100 sequences; the cursor never leaves the current row
// because lines are redrawn from the prompt's end.

export interface EditResult {
  /** Bytes to write to the terminal. */
  echo: string;
  /** A finished line (Enter), without the newline. */
  line?: string;
  /** Ctrl-C on an empty or partly typed line. */
  interrupt?: boolean;
  /** Ctrl-L: clear the screen (the caller redraws the prompt). */
  clear?: boolean;
}

const HISTORY_MAX = 200;
const ESC = '\x1b';

export class LineEditor {
  private buf = '';
  private cursor = 0;
  private readonly history: string[] = [];
  /** Index into history while browsing it (history.length: the line being typed). */
  private browse = 0;
  private draft = '';

  get text(): string {
    return this.buf;
  }

  /** Feed keystrokes; one call may carry several keys (a paste). */
  feed(data: string): EditResult[] {
    const out: EditResult[] = [];
    let echo = '';
    const flush = () => {
      if (echo) out.push({ echo });
      echo = '';
    };
    for (let i = 0; i < data.length; ) {
      // An escape sequence (arrows, Home, End, Delete): ESC [ ... or ESC O x.
      const seq = data[i] === ESC ? /^.(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(data.slice(i)) : null;
      if (seq) {
        echo += this.escape(seq[1]!);
        i += seq[0].length;
        continue;
      }
      const c = data[i++]!;
      switch (c) {
        case '\r':
        case '\n': {
          if (c === '\n' && data[i - 2] === '\r') break;
          const line = this.buf;
          echo += '\r\n';
          flush();
          this.remember(line);
          this.buf = '';
          this.cursor = 0;
          out.push({ echo: '', line });
          break;
        }
        case '\x7f':
        case '\b':
          if (this.cursor > 0) {
            this.buf = this.buf.slice(0, this.cursor - 1) + this.buf.slice(this.cursor);
            this.cursor--;
            echo += '\b' + this.tail(1);
          }
          break;
        case '\x01':
          echo += this.moveTo(0);
          break;
        case '\x05':
          echo += this.moveTo(this.buf.length);
          break;
        case '\x15': {
          const gone = this.cursor;
          this.buf = this.buf.slice(this.cursor);
          echo += this.moveTo(0) + this.tail(gone);
          break;
        }
        case '\x0b': {
          const gone = this.buf.length - this.cursor;
          this.buf = this.buf.slice(0, this.cursor);
          echo += this.tail(gone);
          break;
        }
        case '\x17': {
          let at = this.cursor;
          while (at > 0 && this.buf[at - 1] === ' ') at--;
          while (at > 0 && this.buf[at - 1] !== ' ') at--;
          const gone = this.cursor - at;
          this.buf = this.buf.slice(0, at) + this.buf.slice(this.cursor);
          echo += this.moveTo(at) + this.tail(gone);
          break;
        }
        case '\x03':
          echo += '^C\r\n';
          flush();
          this.buf = '';
          this.cursor = 0;
          this.browse = this.history.length;
          out.push({ echo: '', interrupt: true });
          break;
        case '\x0c':
          flush();
          out.push({ echo: '', clear: true });
          break;
        default:
          if (c >= ' ' && c !== '\x7f') {
            this.buf = this.buf.slice(0, this.cursor) + c + this.buf.slice(this.cursor);
            this.cursor++;
            echo += c + this.tail(0);
          }
      }
    }
    flush();
    return out;
  }

  /** The line so far, for redrawing after output interrupted it. */
  redraw(): string {
    return this.buf + (this.buf.length > this.cursor ? `\x1b[${this.buf.length - this.cursor}D` : '');
  }

  private escape(seq: string): string {
    switch (seq) {
      case '[D': case 'OD':
        return this.cursor > 0 ? (this.cursor--, '\x1b[D') : '';
      case '[C': case 'OC':
        return this.cursor < this.buf.length ? (this.cursor++, '\x1b[C') : '';
      case '[H': case 'OH': case '[1~':
        return this.moveTo(0);
      case '[F': case 'OF': case '[4~':
        return this.moveTo(this.buf.length);
      case '[3~':
        if (this.cursor >= this.buf.length) return '';
        this.buf = this.buf.slice(0, this.cursor) + this.buf.slice(this.cursor + 1);
        return this.tail(1);
      case '[A': case 'OA':
        return this.recall(-1);
      case '[B': case 'OB':
        return this.recall(1);
      default:
        return '';
    }
  }

  /** Rewrite from the cursor to the end, blank `erased` cells after it, and come back. */
  private tail(erased: number): string {
    const rest = this.buf.slice(this.cursor);
    const back = rest.length + erased;
    return rest + ' '.repeat(erased) + (back > 0 ? `\x1b[${back}D` : '');
  }

  /** Move the cursor (on screen, still where this.cursor says) to `at`. */
  private moveTo(at: number): string {
    const from = this.cursor;
    this.cursor = at;
    if (from > at) return `\x1b[${from - at}D`;
    if (at > from) return `\x1b[${at - from}C`;
    return '';
  }

  private recall(dir: number): string {
    if (this.browse === this.history.length) this.draft = this.buf;
    const next = this.browse + dir;
    if (next < 0 || next > this.history.length) return '';
    this.browse = next;
    const old = this.buf.length;
    const start = this.moveTo(0);
    this.buf = next === this.history.length ? this.draft : this.history[next]!;
    this.cursor = this.buf.length;
    const pad = Math.max(0, old - this.buf.length);
    return start + this.buf + ' '.repeat(pad) + (pad > 0 ? `\x1b[${pad}D` : '');
  }

  private remember(line: string): void {
    if (line.trim() && this.history[this.history.length - 1] !== line) this.history.push(line);
    if (this.history.length > HISTORY_MAX) this.history.shift();
    this.browse = this.history.length;
    this.draft = '';
  }
}
