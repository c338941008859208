// The syntax of xl's domain configuration files (xl.cfg(5)), without meaning:
// `KEY = VALUE` settings, each ended by a newline or ';'; VALUE is a string in
// double or single quotes (C escapes \n \t \\ \" \' \xHH and octal), a number,
// or a list in brackets of strings/numbers separated by commas (a trailing
// comma is fine, and a list may span lines); `KEY += VALUE` appends to a list
// or string set earlier; '#' starts a comment. What the settings mean is
// config.ts's business. Errors name the file and line, in xl's words:
// "<file>:<line>: config parsing error near `<text>': <what was wrong>".
// Simplified: numbers are kept as their source text, as libxlu does; bare words
// (identifiers) as values are an error, as in xl.

export type CfgValue = { kind: 'string'; value: string; line: number } | { kind: 'list'; items: string[]; line: number };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Tok =
  | { t: 'id'; v: string; line: number }
  | { t: 'str'; v: string; line: number }
  | { t: 'num'; v: string; line: number }
  | { t: 'punct'; v: '=' | '+=' | '[' | ']' | ',' | ';' | '\n'; line: number }
  | { t: 'eof'; v: ''; line: number };

function lex(src: string, file: string): Tok[] {
  const out: Tok[] = [];
  let i = 0, line = 1;
  const fail = (near: string, what: string): never => {
    throw new ConfigError(`${file}:${line}: config parsing error near \`${near}': ${what}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { out.push({ t: 'punct', v: '\n', line }); line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '+' && src[i + 1] === '=') { out.push({ t: 'punct', v: '+=', line }); i += 2; continue; }
    if (c === '=' || c === '[' || c === ']' || c === ',' || c === ';') {
      out.push({ t: 'punct', v: c, line });
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      out.push({ t: 'id', v: m, line });
      i += m.length;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]+)?)/.exec(src.slice(i))![0];
      out.push({ t: 'num', v: m, line });
      i += m.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      let j = i + 1, v = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') fail(src.slice(i, j), 'unterminated string');
        const d = src[j]!;
        if (d === c) break;
        if (d === '\\') {
          const e = src[j + 1] ?? '';
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e in simple) { v += simple[e]; j += 2; continue; }
          const hex = /^x([0-9a-fA-F]{1,2})/.exec(src.slice(j + 1));
          if (hex) { v += String.fromCharCode(parseInt(hex[1]!, 16)); j += 1 + hex[0].length; continue; }
          const oct = /^[0-7]{1,3}/.exec(src.slice(j + 1));
          if (oct) { v += String.fromCharCode(parseInt(oct[0], 8) & 0xff); j += 1 + oct[0].length; continue; }
          fail(src.slice(j, j + 2), 'invalid escape in string');
        }
        v += d;
        j++;
      }
      out.push({ t: 'str', v, line: startLine });
      i = j + 1;
      continue;
    }
    fail(c, 'unexpected character');
  }
  out.push({ t: 'eof', v: '', line });
  return out;
}

/** Parse a config file's text into its settings, in file order (a repeated key: the last wins). */
export function parseCfg(src: string, file = 'config'): Map<string, CfgValue> {
  const toks = lex(src, file);
  const settings = new Map<string, CfgValue>();
  let k = 0;
  const near = (t: Tok): string => (t.t === 'eof' ? 'end of file' : t.v === '\n' ? 'newline' : t.t === 'str' ? JSON.stringify(t.v) : t.v);
  const fail = (t: Tok, what: string): never => {
    throw new ConfigError(`${file}:${t.line}: config parsing error near \`${near(t)}': ${what}`);
  };
  const skipNewlines = (): void => { while (toks[k]!.t === 'punct' && toks[k]!.v === '\n') k++; };
  for (;;) {
    while (toks[k]!.t === 'punct' && (toks[k]!.v === '\n' || toks[k]!.v === ';')) k++;
    const key = toks[k]!;
    if (key.t === 'eof') break;
    if (key.t !== 'id') fail(key, 'syntax error, expecting a setting name');
    k++;
    const op = toks[k]!;
    if (op.t !== 'punct' || (op.v !== '=' && op.v !== '+=')) fail(op, "syntax error, expecting '=' or '+='");
    k++;
    const first = toks[k]!;
    let value: CfgValue;
    if (first.t === 'str' || first.t === 'num') {
      value = { kind: 'string', value: first.v, line: key.line };
      k++;
    } else if (first.t === 'punct' && first.v === '[') {
      k++;
      const items: string[] = [];
      for (;;) {
        skipNewlines();
        const t = toks[k]!;
        if (t.t === 'punct' && t.v === ']') { k++; break; }
        if (t.t !== 'str' && t.t !== 'num') fail(t, "syntax error, expecting a string, a number or ']'");
        items.push(t.v);
        k++;
        skipNewlines();
        const sep = toks[k]!;
        if (sep.t === 'punct' && sep.v === ',') { k++; continue; }
        if (sep.t === 'punct' && sep.v === ']') { k++; break; }
        fail(sep, "syntax error, expecting ',' or ']'");
      }
      value = { kind: 'list', items, line: key.line };
    } else {
      return fail(first, "syntax error, expecting a string, a number or '['");
    }
    const end = toks[k]!;
    if (!(end.t === 'eof' || (end.t === 'punct' && (end.v === '\n' || end.v === ';')))) fail(end, 'syntax error, expecting a newline or \';\'');
    const prev = settings.get(key.v);
    if (op.v === '+=' && prev) {
      if (prev.kind === 'list' && value.kind === 'list') value = { kind: 'list', items: [...prev.items, ...value.items], line: key.line };
      else if (prev.kind === 'string' && value.kind === 'string') value = { kind: 'string', value: prev.value + value.value, line: key.line };
      else fail(op, `cannot append a ${value.kind} to the ${prev.kind} \`${key.v}'`);
    }
    settings.delete(key.v);
    settings.set(key.v, value);
  }
  return settings;
}
