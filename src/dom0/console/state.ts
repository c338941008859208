// The console backend's state for snapshots: which domains' consoles are
// connected, through which of dom0's ports, whether one was cut off, and the
// keystrokes typed but not yet put on a guest's ring. The rings are guest
// memory and travel with it.
import { toBase64 } from '../../shared/base64';
import type { Rec } from '../../shared/record';
import type { Domain } from '../../hv/domain';
import type { ConsoleBackend } from './backend';

export const CONSOLE_STATE_VERSION = 1;

export function saveConsoles(c: ConsoleBackend): Record<string, unknown> {
  return {
    version: CONSOLE_STATE_VERSION,
    conns: [...c.connMap().values()].map((x) => ({ domid: x.dom.id, port: x.port, broken: x.broken, input: toBase64(Uint8Array.from(x.input)) })),
  };
}

/**
 * Check a saved record; the result connects the consoles of a restored machine.
 * `check` names a problem with a connection (its domain or port), or null.
 */
export function readConsoles(r: Rec): (c: ConsoleBackend, domain: (domid: number) => Domain | undefined, check: (dom: Domain, port: number) => string | null) => string[] {
  if (r.get('version').int() !== CONSOLE_STATE_VERSION) r.get('version').fail(`version ${CONSOLE_STATE_VERSION} expected`);
  const conns = r.get('conns').list(0x7ff0).map((x) => ({
    domid: x.get('domid').int(1, 0x7fef), port: x.get('port').int(1, 1023), broken: x.get('broken').bool(),
    input: Array.from(x.get('input').bytes(1 << 20)),
  }));
  if (new Set(conns.map((x) => x.domid)).size !== conns.length) r.get('conns').fail('a console appears twice');
  return (c, domain, check) => {
    const bad: string[] = [];
    const map = c.connMap();
    map.clear();
    for (const x of conns) {
      const dom = domain(x.domid);
      const why = dom ? check(dom, x.port) : 'no such domain';
      if (why || !dom) { bad.push(`console of domain ${x.domid}: ${why}`); continue; }
      map.set(x.domid, { dom, port: x.port, broken: x.broken, input: x.input });
    }
    return bad;
  };
}
