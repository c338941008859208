// Both sides of a grant. A domain's grant table says what it offers; the other domains'
// maptracks (the worker's `grant-maps` messages) say who took it up. Joining the two shows,
// for each granted ref, which domains have it mapped and where.
import type { GrantMapInfo } from '../../../protocol/messages';
import type { GrantEntry } from './entries';

/** One domain's mapping of a grant, seen from the granter's side. */
export interface GrantUse {
  mapper: number;
  handle: number;
  /** GNTMAP_* flags. */
  flags: number;
  /** Where the mapper sees the page (GNTMAP_host_map), else 0. */
  hostAddr: number;
}

/** For each ref of `granter`'s table that some domain maps: the mappings, by mapper then handle. */
export function usesOfGrants(granter: number, grantMaps: Readonly<Record<number, readonly GrantMapInfo[]>>): Map<number, GrantUse[]> {
  const byRef = new Map<number, GrantUse[]>();
  const mappers = Object.keys(grantMaps).map(Number).sort((a, b) => a - b);
  for (const mapper of mappers) {
    for (const m of grantMaps[mapper] ?? []) {
      if (m.granter !== granter) continue;
      let uses = byRef.get(m.ref);
      if (!uses) byRef.set(m.ref, (uses = []));
      uses.push({ mapper, handle: m.handle, flags: m.flags, hostAddr: m.hostAddr });
    }
  }
  for (const uses of byRef.values()) uses.sort((a, b) => a.mapper - b.mapper || a.handle - b.handle);
  return byRef;
}

/** A row of the "offered" table: an entry in use and who maps it. */
export interface OfferedGrant extends GrantEntry {
  uses: GrantUse[];
}

export function offeredGrants(entries: readonly GrantEntry[], uses: ReadonlyMap<number, GrantUse[]>): OfferedGrant[] {
  return entries.map((e) => ({ ...e, uses: uses.get(e.ref) ?? [] }));
}

/**
 * Mappings that name a ref the granter's table no longer offers (the granter revoked or
 * rewrote it while mapped: Xen keeps the mapping; the entry's flags no longer say so).
 */
export function staleUses(entries: readonly GrantEntry[], uses: ReadonlyMap<number, GrantUse[]>): { ref: number; use: GrantUse }[] {
  const offered = new Set(entries.map((e) => e.ref));
  const out: { ref: number; use: GrantUse }[] = [];
  for (const [ref, list] of uses) if (!offered.has(ref)) for (const use of list) out.push({ ref, use });
  return out.sort((a, b) => a.ref - b.ref);
}

/** A 32-bit address or frame as 0x-prefixed hex, padded to `digits`. */
export function hex(n: number, digits = 8): string {
  return `0x${(n >>> 0).toString(16).padStart(digits, '0')}`;
}
