// One bound port: what it is bound to, its live bits, its counts and recent activity, and the
// actions. It flashes (a short fade) when a signal reaches it and when the guest takes it.
import { memo } from 'react';
import type { PortInfo } from '../../../protocol/messages';
import type { PortActivity } from '../../lib/evtchn/activity';
import { BIT_MASKED, BIT_PENDING, bindingText } from '../../lib/evtchn/ports';
import { evtchnOp } from './commands';
import { Sparkline } from './Sparkline';

/** Short names for the state column (the tooltip has the full one). */
const STATE_LABEL: Readonly<Record<PortInfo['state'], string>> = {
  reserved: 'rsvd', unbound: 'unbound', interdomain: 'inter', pirq: 'pirq', virq: 'virq', ipi: 'ipi',
};

/**
 * How long a row stays lit after a signal or a delivery, in ms. A plain highlight that the
 * next render after it expires takes away, not a CSS animation: animating needs a frame per
 * display refresh, which a busy machine's page cannot spare.
 */
export const FLASH_MS = 700;

interface PortRowProps {
  domid: number;
  port: PortInfo;
  bits: number;
  /**
   * The port's activity, or undefined when the trace has seen none. It is updated in place;
   * `version` says when it changed, so the row re-renders only then (or when `bucket` moves).
   */
  activity: PortActivity | undefined;
  version: number;
  /** The current bucket of the activity chart. */
  bucket: number;
  /** Lit by a recent signal or delivery (see FLASH_MS), or not. */
  lit: 'signal' | 'deliver' | null;
  top: number;
  /** Striped rows, by index (so the stripes stay put while scrolling). */
  odd: boolean;
  /** Whether bits can be read (false: domain 0's private page). */
  readable: boolean;
}

const NO_SERIES: readonly number[] = [];

export const PortRow = memo(function PortRow({ domid, port, bits, activity: a, bucket, lit, top, odd, readable }: PortRowProps) {
  const pending = (bits & BIT_PENDING) !== 0;
  const masked = (bits & BIT_MASKED) !== 0;
  const series = a ? a.series.values(bucket) : NO_SERIES;
  return (
    <div
      className={`evt-row${odd ? ' pv-odd' : ''}`}
      role="row"
      style={{ transform: `translateY(${top}px)` }}
      data-port={port.port}
      data-pending={pending}
      data-masked={masked}
      data-delivered={a?.delivered ?? 0}
    >
      {lit && <span className={`evt-flash evt-flash-${lit}`} aria-hidden />}
      <span role="cell" className="evt-port">{port.port}</span>
      <span role="cell" className="evt-binding" title={`${port.state}: ${bindingText(port)}`}>
        <span className={`evt-state evt-state-${port.state}`}>{STATE_LABEL[port.state]}</span> {bindingText(port)}
      </span>
      <span role="cell" className="evt-num">v{port.notifyVcpu}</span>
      <span role="cell" className="evt-bit">
        <span className={`pv-tag evt-pending${pending ? ' is-on' : ''}`} title="evtchn_pending bit">{readable ? (pending ? 'P' : '·') : '?'}</span>
      </span>
      <span role="cell" className="evt-bit">
        <span className={`pv-tag evt-masked${masked ? ' is-on' : ''}`} title="evtchn_mask bit">{readable ? (masked ? 'M' : '·') : '?'}</span>
      </span>
      <span role="cell" className="evt-num" title="sent through this port">{a?.sent ?? 0}</span>
      <span role="cell" className="evt-num" title="notifications that reached this port">{a?.raised ?? 0}</span>
      <span role="cell" className="evt-num evt-delivered" title="taken by the guest's upcall">{a?.delivered ?? 0}</span>
      <span role="cell">
        <Sparkline values={series} width={64} height={18} label={`port ${port.port}: signals over the last seconds`} />
      </span>
      <span role="cell" className="evt-actions">
        <button type="button" className="pv-button" onClick={() => evtchnOp(domid, port.port, 'inject')} title="Raise the port as if its remote end had sent">
          Inject
        </button>
        <button
          type="button"
          className="pv-button"
          onClick={() => evtchnOp(domid, port.port, masked ? 'unmask' : 'mask')}
          aria-label={`${masked ? 'Unmask' : 'Mask'} port ${port.port}`}
        >
          {masked ? 'Unmask' : 'Mask'}
        </button>
      </span>
    </div>
  );
});
