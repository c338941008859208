// The page-types panel: the map of every machine frame coloured by type or by
// owner (live from the frame table), its legend with counts, the selected frame's
// details, and the chosen vcpu's page-table tree from CR3.
import { useCallback, useMemo, useState } from 'react';
import { OWNER_XEN, frameClass, frameRecord } from '../../../shared/frames';
import { FRAME_FREE } from '../../../shared/layout';
import { useThrottledTick } from '../../lib/useFrameLoop';
import { usePanelVisible } from '../../lib/usePanelVisible';
import { useSharedViews } from '../../lib/sharedViews';
import { useMachine } from '../../store/machineStore';
import { useColorScheme } from '../../theme/useColorScheme';
import { VcpuPicker, useVcpuSelection } from '../../lib/VcpuPicker';
import { CLASS_INFO, markOverlay } from './classes';
import { hexMfn, ownerName } from './describe';
import { FrameDetails } from './FrameDetails';
import { FrameMap, emptyCounts, type Counts } from './FrameMap';
import { zoomStep } from './geometry';
import { Legend } from './Legend';
import { PageTableTree } from './PageTableTree';
import { palette } from './palette';
import '../../lib/chrome.css';
import './pagetypes.css';

/** How often the details and the tree re-read shared memory while the machine runs. */
const REFRESH_MS = 250;

/** A frame number as typed: hex, as the panels and pvos print them, with or without 0x. */
function parseMfn(text: string, frames: number): number | null {
  const t = text.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]+$/.test(t)) return null;
  const n = parseInt(t, 16);
  return n < frames ? n : null;
}

export function PageTypesPanel() {
  const views = useSharedViews();
  const [root, visible] = usePanelVisible();
  const phase = useMachine((s) => s.phase);
  const domains = useMachine((s) => s.domains);
  const grantMaps = useMachine((s) => s.grantMaps);
  const scheme = useColorScheme();
  const pal = useMemo(() => palette(scheme), [scheme]);
  const [byOwner, setByOwner] = useState(false);
  const [pickedOwner, setOwner] = useState<number | null>(null);
  // A destroyed domain's filter falls back to everyone.
  const owner = pickedOwner === null || pickedOwner === OWNER_XEN || pickedOwner === FRAME_FREE || domains[pickedOwner] ? pickedOwner : null;
  const opts = useMemo(() => ({ byOwner, owner }), [byOwner, owner]);
  const [selected, setSelected] = useState<number | null>(null);
  const [cell, setCell] = useState<number | null>(null);
  const [fitted, setFitted] = useState(2);
  const [counts, setCounts] = useState<Counts>(emptyCounts);
  const [goto, setGoto] = useState('');
  const selection = useVcpuSelection();
  const frames = views?.layout.frames ?? 0;
  const overlay = useMemo(() => {
    const o = new Uint8Array(frames);
    markOverlay(o, domains, grantMaps);
    return o;
  }, [frames, domains, grantMaps]);
  // The details and the tree read shared memory as they render: re-render them while it changes.
  useThrottledTick(REFRESH_MS, visible && phase === 'running');

  const describe = useCallback(
    (mfn: number) => {
      if (!views) return '';
      const r = frameRecord(views.frames, mfn);
      const cls = overlay[mfn] || frameClass(views.frames, mfn);
      return `${hexMfn(mfn)} · ${CLASS_INFO[cls].label}${r.pinned ? ' · pinned' : ''} · ${ownerName(r.owner, domains)}`;
    },
    [views, overlay, domains],
  );

  if (!views) {
    return (
      <section className="pt-panel" data-panel="page-types" ref={root}>
        <p className="chrome-empty">The machine is not ready yet.</p>
      </section>
    );
  }
  const domainList = Object.values(domains).sort((a, b) => a.domid - b.domid);
  const zoom = (dir: 1 | -1) => setCell(zoomStep(cell ?? fitted, dir));

  return (
    <section className="pt-panel" data-panel="page-types" data-phase={phase} ref={root}>
      <header className="chrome-header">
        <h2>Page types</h2>
        <span className="chrome-state">{frames.toLocaleString('en-US')} frames{phase === 'running' ? ' · live' : ''}</span>
        <div className="pt-toggle" role="group" aria-label="Colour by">
          <button type="button" className="chrome-button" aria-pressed={!byOwner} onClick={() => setByOwner(false)}>type</button>
          <button type="button" className="chrome-button" aria-pressed={byOwner} onClick={() => setByOwner(true)}>owner</button>
        </div>
        <label className="vcpu-picker">
          <span>owner</span>
          <select
            value={owner === null ? 'all' : String(owner)}
            onChange={(e) => setOwner(e.target.value === 'all' ? null : Number(e.target.value))}
            data-testid="pt-owner-filter"
          >
            <option value="all">everyone</option>
            {domainList.map((d) => (
              <option key={d.domid} value={d.domid}>{d.name} (d{d.domid})</option>
            ))}
            <option value={OWNER_XEN}>Xen</option>
            <option value={FRAME_FREE}>free</option>
          </select>
        </label>
        <div className="pt-toggle" role="group" aria-label="Zoom">
          <button type="button" className="chrome-button" onClick={() => zoom(-1)} title="Smaller cells">−</button>
          <button type="button" className="chrome-button" aria-pressed={cell === null} onClick={() => setCell(null)} title="Fit every frame in the panel">fit</button>
          <button type="button" className="chrome-button" onClick={() => zoom(1)} title="Larger cells">+</button>
        </div>
        <form
          className="vcpu-picker"
          onSubmit={(e) => {
            e.preventDefault();
            const mfn = parseMfn(goto, frames);
            if (mfn !== null) setSelected(mfn);
          }}
        >
          <label htmlFor="pt-goto">frame</label>
          <input id="pt-goto" size={8} placeholder="mfn (hex)" value={goto} onChange={(e) => setGoto(e.target.value)} />
        </form>
      </header>
      <div className="pt-body">
        <div className="pt-layout">
          <FrameMap
            views={views} overlay={overlay} pal={pal} opts={opts} cell={cell} selected={selected} onSelect={setSelected}
            describe={describe} active={visible} onCounts={setCounts} onFit={setFitted}
          />
          <aside className="pt-side">
            <Legend counts={counts} pal={pal} byOwner={byOwner} domains={domainList} />
            {selected !== null && (
              <FrameDetails views={views} mfn={selected} domains={domains} grantMaps={grantMaps} overlayClass={overlay[selected]} onSelect={setSelected} />
            )}
            <div className="pt-tree-box">
              <h3>
                Page tables of <VcpuPicker selection={selection} label="" />
              </h3>
              {selection.chosen ? (
                <PageTableTree key={selection.chosen.slot} views={views} slot={selection.chosen.slot} domains={domains} selected={selected} onSelect={setSelected} />
              ) : (
                <p className="pt-muted">No domain is running.</p>
              )}
            </div>
          </aside>
        </div>
      </div>
    </section>
  );
}
