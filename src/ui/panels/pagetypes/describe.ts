// Words for frames and owners, shared by the tip, the details and the tree.
import type { DomainInfo, GrantMapInfo } from '../../../protocol/messages';
import { OWNER_XEN } from '../../../shared/frames';
import { FRAME_FREE } from '../../../shared/layout';

export function hexMfn(mfn: number): string {
  return `0x${mfn.toString(16)}`;
}

export function ownerName(owner: number, domains: Record<number, DomainInfo>): string {
  if (owner === FRAME_FREE) return 'nobody (free)';
  if (owner === OWNER_XEN) return 'Xen';
  const d = domains[owner];
  return d ? `${d.name} (d${owner})` : `d${owner}`;
}

/** The parts a frame plays that the domains' descriptions tell (shared_info, grant frames, grant maps). */
export function frameRoles(mfn: number, domains: Record<number, DomainInfo>, grantMaps: Record<number, GrantMapInfo[]>): string[] {
  const roles: string[] = [];
  for (const d of Object.values(domains)) {
    if (d.sharedInfoMfn === mfn && mfn > 0) roles.push(`shared_info of d${d.domid}`);
    const i = d.grantFrames.indexOf(mfn);
    if (i >= 0) roles.push(`grant-table frame ${i} of d${d.domid}`);
  }
  for (const [domid, maps] of Object.entries(grantMaps)) {
    for (const g of maps) {
      if (g.mfn === mfn) roles.push(`mapped by d${domid} through d${g.granter}'s grant ref ${g.ref}`);
    }
  }
  return roles;
}
