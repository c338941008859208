// The text after '#' in a share link. The fragment never reaches a server (a
// browser keeps it to itself), so the machine travels with the link alone:
//
//   #recipe1=<base64url>     a replay recipe (boot configuration + input log)
//   #snapshot1=<base64url>   a snapshot file's bytes
//
// The digit is the link format: it changes when the payload's encoding does.
// What the payload says is checked by the worker, which knows recipes and
// snapshots; this file only tells a pvplay link from other text, and says
// clearly why a fragment is not one, before anything is sent to the worker.

export type LinkKind = 'recipe' | 'snapshot';

export const LINK_FORMAT = 1;

/**
 * The longest payload accepted: far more than any browser keeps in a URL (about
 * 2 MB in Chromium), so a link is refused here only when it cannot be real.
 */
export const MAX_LINK_CHARS = 64 << 20;

export type ParsedLink =
  | { ok: true; kind: LinkKind; payload: string }
  | { ok: false; message: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HEAD = /^(recipe|snapshot)(\d{1,6})=/;

/** The fragment (without '#') for a payload. */
export function linkFragment(kind: LinkKind, payload: string): string {
  return `${kind}${LINK_FORMAT}=${payload}`;
}

/**
 * Read a fragment (with or without its '#'). null when there is none at all;
 * otherwise the payload, or a sentence for the user saying why the link cannot
 * be used.
 */
export function parseLinkFragment(fragment: string): ParsedLink | null {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text === '') return null;
  const fail = (message: string): ParsedLink => ({ ok: false, message });
  const head = HEAD.exec(text);
  if (!head) {
    return fail('This link does not hold a pvplay machine: its part after “#” should start with “recipe1=” or “snapshot1=”. Was it cut short?');
  }
  const kind = head[1] as LinkKind;
  const format = Number(head[2]);
  if (format !== LINK_FORMAT) {
    const whose = format > LINK_FORMAT ? 'a newer version of pvplay' : 'an older version of pvplay';
    return fail(`This ${kind} link is in link format ${format}, made by ${whose}; this pvplay reads format ${LINK_FORMAT}.`);
  }
  const payload = text.slice(head[0].length);
  if (payload.length === 0) return fail(`This ${kind} link is empty after “=”: it was cut short.`);
  if (payload.length > MAX_LINK_CHARS) return fail(`This ${kind} link is ${payload.length} characters long, more than any real one.`);
  if (!BASE64URL.test(payload)) {
    const at = payload.search(/[^A-Za-z0-9_-]/);
    return fail(`This ${kind} link is damaged: character ${head[0].length + at + 1} after “#” cannot be part of it (chat apps sometimes add or change characters).`);
  }
  return { ok: true, kind, payload };
}
