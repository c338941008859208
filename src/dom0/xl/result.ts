// What a shell command gives back: its stdout, stderr and exit status, and
// for commands that go on after returning, a console to attach or a Follow.

/** Output that keeps coming after the command returned. */
export interface Follow {
  /** New text since the last poll; null once the command has finished. */
  poll(): string | null;
  /** The user interrupted it (Ctrl-C). */
  stop(): void;
}

export interface XlResult {
  out: string;
  err: string;
  status: number;
  /** Attach the terminal to this domain's console (xl console, xl create -c). */
  attach?: number;
  follow?: Follow;
}

export const ok = (out = ''): XlResult => ({ out, err: '', status: 0 });
export const fail = (err: string, status = 1): XlResult => ({ out: '', err: err.endsWith('\n') ? err : `${err}\n`, status });

