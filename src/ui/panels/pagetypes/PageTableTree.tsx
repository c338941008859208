// The chosen vcpu's page tables as a tree: CR3's L3, then any table the user
// opens, one row per present entry, each with the type and pin state the frame
// table gives its frame. Arrow keys move, Right/Left open/close, Enter selects
// the frame in the map.
import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { DomainInfo } from '../../../protocol/messages';
import { frameOwner, framePinned } from '../../../shared/frames';
import { pagingOf } from '../../../shared/guestPaging';
import type { SharedViews } from '../../lib/sharedViews';
import { CLASS_INFO } from './classes';
import { hexMfn, ownerName } from './describe';
import { rootTable, tableRows, type EntryRow, type TableRef } from './ptTree';
import { hex32 } from '../../lib/hex';

interface Props {
  views: SharedViews;
  slot: number;
  domains: Record<number, DomainInfo>;
  selected: number | null;
  onSelect(mfn: number): void;
}

const keyOf = (t: TableRef) => `${t.level}:${t.addr}`;
const LEVEL_NAME: Record<number, string> = { 3: 'L3', 2: 'L2', 1: 'L1' };

function Badges({ row, domains, ownerOfTree }: { row: EntryRow; domains: Record<number, DomainInfo>; ownerOfTree: number }) {
  if (row.cls < 0) return <span className="pt-badge pt-badge-warn">outside RAM</span>;
  return (
    <>
      <span className={`pt-badge pt-badge-${CLASS_INFO[row.cls].id}`}>{CLASS_INFO[row.cls].label}</span>
      {row.pinned && <span className="pt-badge pt-badge-pinned">pinned</span>}
      {row.child && !row.validated && <span className="pt-badge pt-badge-warn">not validated</span>}
      {row.owner !== ownerOfTree && <span className="pt-badge">{ownerName(row.owner, domains)}</span>}
    </>
  );
}

export function PageTableTree({ views, slot, domains, selected, onSelect }: Props) {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const regs = views.regFile(slot);
  if (!regs) return null;
  const p = pagingOf(regs);
  const root = rootTable(p);
  const rootMfn = Math.floor(root.addr / 4096);
  if (root.addr === 0) return <p className="pt-muted">This vcpu has no page tables yet (CR3 is 0).</p>;
  const frames = views.layout.frames;
  const inRam = rootMfn < frames;
  const owner = inRam ? frameOwner(views.frames, rootMfn) : -1;
  const pinned = inRam && framePinned(views.frames, rootMfn);
  const toggle = (k: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (!n.delete(k)) n.add(k);
      return n;
    });

  const renderTable = (t: TableRef, depth: number): ReactNode =>
    tableRows(views.ram, views.frames, t).map((row) => {
      const k = row.child ? keyOf(row.child) : `${keyOf(t)}#${row.index}`;
      const isOpen = row.child !== null && open.has(k);
      return (
        <li key={k} role="none">
          <div
            role="treeitem"
            tabIndex={-1}
            aria-level={depth}
            aria-expanded={row.child ? isOpen : undefined}
            aria-selected={row.frame === selected}
            className={`pt-tree-row${row.frame === selected ? ' pt-tree-selected' : ''}`}
            data-level={t.level}
            data-mfn={row.frame}
            data-pinned={row.pinned}
            data-key={k}
            onClick={() => {
              if (row.child) toggle(k);
              if (row.cls >= 0) onSelect(row.frame);
            }}
          >
            <span className="pt-tree-twisty">{row.child ? (isOpen ? '▾' : '▸') : ''}</span>
            <span className="pt-tree-index">[{row.index}]</span>
            <span className="pt-tree-va">{hex32(row.va)}–{hex32(row.vaLast)}</span>
            <span>→ {row.child ? `${LEVEL_NAME[t.level - 1]} ` : ''}{hexMfn(row.frame)}</span>
            {row.flags && <span className="pt-tree-flags">{row.flags}</span>}
            <Badges row={row} domains={domains} ownerOfTree={owner} />
          </div>
          {isOpen && row.child && <ul role="group">{renderTable(row.child, depth + 1)}</ul>}
        </li>
      );
    });

  const onKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('[role="treeitem"]'));
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => items[Math.max(0, Math.min(items.length - 1, i))]?.focus();
    const cur = items[at];
    const k = cur?.dataset.key;
    switch (e.key) {
      case 'ArrowDown': go(at + 1); break;
      case 'ArrowUp': go(at - 1); break;
      case 'Home': go(0); break;
      case 'End': go(items.length - 1); break;
      case 'ArrowRight': if (k && cur.getAttribute('aria-expanded') === 'false') toggle(k); break;
      case 'ArrowLeft': if (k && cur.getAttribute('aria-expanded') === 'true') toggle(k); break;
      case 'Enter': case ' ': cur?.click(); break;
      default: return;
    }
    e.preventDefault();
  };

  return (
    <div className="pt-tree">
      <button
        type="button"
        className={`pt-tree-root pt-link${rootMfn === selected ? ' pt-tree-selected' : ''}`}
        onClick={() => onSelect(rootMfn)}
        data-testid="pt-tree-root"
        data-mfn={rootMfn}
        data-pinned={pinned}
      >
        CR3 → {LEVEL_NAME[root.level]} {hexMfn(rootMfn)} {pinned ? '(pinned)' : '(not pinned)'}
      </button>
      <ul role="tree" aria-label="Page tables from CR3" className="pt-tree-list" tabIndex={0} onKeyDown={onKey}
        onFocus={(e) => {
          if (e.target === e.currentTarget) e.currentTarget.querySelector<HTMLElement>('[role="treeitem"]')?.focus();
        }}>
        {renderTable(root, 1)}
      </ul>
    </div>
  );
}
