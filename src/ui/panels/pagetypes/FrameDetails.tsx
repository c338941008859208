// What the frame table says about the selected frame, the parts it plays, and
// which page-table entries and grant mappings map it (asked of the worker with
// frame-query whenever its reference counts change).
import { useEffect, useState } from 'react';
import { PROTOCOL_VERSION, type DomainInfo, type FrameMapping, type GrantMapInfo } from '../../../protocol/messages';
import { frameClass, frameRecord } from '../../../shared/frames';
import { workerClient } from '../../client/useWorkerClient';
import type { SharedViews } from '../../lib/sharedViews';
import { CLASS_INFO } from './classes';
import { frameRoles, hexMfn, ownerName } from './describe';

const ANSWER_MS = 3000;

type Answer = { key: string; mappings: FrameMapping[] | null; failed: string | null };

/** The worker's answer to frame-query for `mfn`, asked again when `sig` changes. */
function useFrameMappings(mfn: number, sig: string): Answer | null {
  const key = `${mfn}|${sig}`;
  const [answer, setAnswer] = useState<Answer | null>(null);
  useEffect(() => {
    const client = workerClient();
    let live = true;
    const failed = client ? 'the worker did not answer' : 'no machine to ask';
    const timer = setTimeout(() => live && setAnswer({ key, mappings: null, failed }), client ? ANSWER_MS : 0);
    client?.request<'frame-query'>({ v: PROTOCOL_VERSION, type: 'frame-query', mfn }).then((reply) => {
      if (!live) return;
      clearTimeout(timer);
      setAnswer({ key, mappings: reply.mappings, failed: null });
    });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, mfn]);
  return answer?.key === key ? answer : null;
}

function mappingText(m: FrameMapping): string {
  if (m.level === 0) return `d${m.domid}: grant mapping (${m.writable ? 'writable' : 'read-only'})`;
  return `d${m.domid}: L${m.level} ${hexMfn(m.tableMfn)} entry ${m.index} (${m.writable ? 'RW' : 'RO'})`;
}

interface Props {
  views: SharedViews;
  mfn: number;
  domains: Record<number, DomainInfo>;
  grantMaps: Record<number, GrantMapInfo[]>;
  overlayClass: number;
  onSelect(mfn: number): void;
}

export function FrameDetails({ views, mfn, domains, grantMaps, overlayClass, onSelect }: Props) {
  const rec = frameRecord(views.frames, mfn);
  const cls = overlayClass || frameClass(views.frames, mfn);
  const answer = useFrameMappings(mfn, `${rec.owner}:${rec.refCount}:${rec.typeCount}:${rec.typeWord}`);
  const roles = frameRoles(mfn, domains, grantMaps);
  return (
    <div className="pt-details" data-testid="pt-details" data-mfn={mfn}>
      <h3 aria-live="polite">
        Frame {hexMfn(mfn)} <span className="pt-muted">({mfn})</span>
      </h3>
      <dl className="pt-facts">
        <dt>owner</dt>
        <dd>{ownerName(rec.owner, domains)}</dd>
        <dt>shown as</dt>
        <dd data-testid="pt-details-class">{CLASS_INFO[cls].label}</dd>
        <dt>type</dt>
        <dd>
          {rec.type} <span className="pt-muted">(count {rec.typeCount}{rec.typeCount === 0 && rec.type !== 'none' ? ': unused, may change' : ''})</span>
        </dd>
        <dt>references</dt>
        <dd>{rec.refCount}</dd>
        <dt>pinned</dt>
        <dd data-testid="pt-details-pinned">{rec.pinned ? 'yes' : 'no'}</dd>
        <dt>validated</dt>
        <dd>{rec.validated ? 'yes' : 'no'}</dd>
        {roles.map((r) => (
          <dd key={r} className="pt-role">{r}</dd>
        ))}
      </dl>
      <h4>Mapped by</h4>
      {!answer ? (
        <p className="pt-muted">asking the hypervisor…</p>
      ) : answer.failed ? (
        <p className="pt-muted">{answer.failed}</p>
      ) : answer.mappings!.length === 0 ? (
        <p className="pt-muted">no page-table entry or grant maps it</p>
      ) : (
        <ul className="pt-mappings" data-testid="pt-mappings">
          {answer.mappings!.map((m) => (
            <li key={`${m.domid}:${m.tableMfn}:${m.level}:${m.index}`}>
              {m.level > 0 ? (
                <button type="button" className="pt-link" onClick={() => onSelect(m.tableMfn)} title="Select the table that holds this entry">
                  {mappingText(m)}
                </button>
              ) : (
                mappingText(m)
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
