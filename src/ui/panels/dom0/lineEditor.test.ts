import { describe, expect, it } from 'vitest';
import { LineEditor } from './lineEditor';

/** A one-row screen that obeys what the editor echoes: printable text, \b, CSI n C/D. */
function screen() {
  let cells: string[] = [];
  let x = 0;
  return {
    write(s: string) {
      for (let i = 0; i < s.length; ) {
        const csi = s[i] === '\x1b' ? /^.\[(\d*)([CD])/.exec(s.slice(i)) : null;
        if (csi) {
          const n = Number(csi[1] || 1);
          x = csi[2] === 'C' ? x + n : Math.max(0, x - n);
          i += csi[0].length;
          continue;
        }
        const c = s[i++]!;
        if (c === '\b') x = Math.max(0, x - 1);
        else if (c === '\r' || c === '\n') { cells = []; x = 0; }
        else { cells[x++] = c; }
      }
    },
    get text() { return cells.join('').trimEnd(); },
    get x() { return x; },
  };
}

function typed(keys: string[]) {
  const ed = new LineEditor();
  const scr = screen();
  const lines: string[] = [];
  for (const k of keys) for (const r of ed.feed(k)) { scr.write(r.echo); if (r.line !== undefined) lines.push(r.line); }
  return { ed, scr, lines };
}

describe('LineEditor', () => {
  it('gives back finished lines and echoes what is typed', () => {
    const { lines } = typed(['xl li', 'st\r', 'help\r']);
    expect(lines).toEqual(['xl list', 'help']);
  });

  it('edits in the middle of a line, and the screen shows what the buffer holds', () => {
    const { ed, scr } = typed(['xl lst', '\x1b[D', '\x1b[D', 'i', '\x1b[H', '\x1b[3~', 'X', '\x1b[F', '\x7f', 't']);
    expect(ed.text).toBe('Xl list');
    expect(scr.text).toBe('Xl list');
    expect(scr.x).toBe(7);
  });

  it('kills words and line parts', () => {
    let r = typed(['xl vcpu-list demo', '\x17']);
    expect([r.ed.text, r.scr.text]).toEqual(['xl vcpu-list ', 'xl vcpu-list']);
    r = typed(['abc def', '\x1b[D', '\x1b[D', '\x0b']);
    expect([r.ed.text, r.scr.text]).toEqual(['abc d', 'abc d']);
    r = typed(['abc def', '\x1b[D', '\x15']);
    expect([r.ed.text, r.scr.text]).toEqual(['f', 'f']);
  });

  it('recalls history with up and down, keeping the line being typed', () => {
    const { ed, scr } = typed(['xl list\r', 'xl info\r', 'xen', '\x1b[A', '\x1b[A', '\x1b[A']);
    expect(ed.text).toBe('xl list');
    expect(scr.text).toBe('xl list');
    for (const r of ed.feed('\x1b[B\x1b[B')) scr.write(r.echo);
    expect(ed.text).toBe('xen');
    expect(scr.text).toBe('xen');
  });

  it('Ctrl-C drops the line and says so', () => {
    const ed = new LineEditor();
    ed.feed('half');
    const r = ed.feed('\x03');
    expect(r.some((x) => x.interrupt)).toBe(true);
    expect(ed.text).toBe('');
  });

  it('takes a pasted block of lines at once', () => {
    const { lines } = typed(['xl list\r\nxl info\r\n']);
    expect(lines).toEqual(['xl list', 'xl info']);
  });
});
