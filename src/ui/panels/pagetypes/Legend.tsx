// The map's legend: each class with its colour, how many frames have it and how
// many of those are pinned (of the owner the filter picks); by owner, each
// domain's colour too.
import type { DomainInfo } from '../../../protocol/messages';
import { CLASS_INFO, MC } from './classes';
import type { Counts } from './FrameMap';
import type { Palette } from './palette';

/** Classes listed even when no frame has them: the page-table levels a PV guest always has. */
const ALWAYS = new Set<number>([MC.L1, MC.L2, MC.L3]);

interface Props {
  counts: Counts;
  pal: Palette;
  byOwner: boolean;
  domains: DomainInfo[];
}

export function Legend({ counts, pal, byOwner, domains }: Props) {
  return (
    <div className="pt-legend">
      {byOwner && (
        <ul className="pt-legend-owners" aria-label="Owners">
          {domains.map((d) => (
            <li key={d.domid}>
              <span className="pt-swatch" style={{ background: pal.ownerCss(d.domid, false) }} />
              <span className="pt-swatch" style={{ background: pal.ownerCss(d.domid, true) }} title="its page tables and descriptor pages" />
              {d.name} (d{d.domid})
            </li>
          ))}
          <li>
            <span className="pt-swatch" style={{ background: pal.classCss[MC.XEN] }} />
            Xen
          </li>
        </ul>
      )}
      <ul className="pt-legend-classes" aria-label="Frame types">
        {CLASS_INFO.map((c, i) =>
          counts.counts[i] > 0 || ALWAYS.has(i) ? (
            <li key={c.id} title={c.about} data-class={c.id} data-count={counts.counts[i]} data-pinned={counts.pinned[i]}>
              {!byOwner && <span className="pt-swatch" style={{ background: pal.classCss[i] }} />}
              <span className="pt-legend-label">{c.label}</span>
              <span className="pt-legend-count">{counts.counts[i].toLocaleString('en-US')}</span>
              {counts.pinned[i] > 0 && <span className="pt-legend-pinned">{counts.pinned[i]} pinned</span>}
            </li>
          ) : null,
        )}
        <li title="A pinned table keeps its type while no vcpu uses it (MMUEXT_PIN_L*_TABLE).">
          <span className="pt-swatch pt-swatch-pinned" style={{ background: pal.classCss[MC.L3], color: pal.markerCss }} />
          <span className="pt-legend-label">pinned (dot)</span>
        </li>
      </ul>
    </div>
  );
}
