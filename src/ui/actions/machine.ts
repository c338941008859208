// Helpers the machine-control actions share.
import { PROTOCOL_VERSION, type ControlAction } from '../../protocol/messages';
import type { ActionContext } from './types';

export function control(ctx: ActionContext, action: ControlAction): void {
  ctx.client?.command({ v: PROTOCOL_VERSION, type: 'control', action });
}

/** A machine exists that can be paused, stepped or run (not booting, not failed). */
export function hasMachine(ctx: ActionContext): boolean {
  const p = ctx.machine.phase;
  return ctx.client !== null && (p === 'running' || p === 'paused' || p === 'stopped');
}
