// Helpers the step-back actions share.
import type { StepBackUnit } from '../../protocol/snapshots';
import { stepBack } from '../share/operations';
import { snapshotPort } from '../share/session';
import { shareStore } from '../share/shareStore';
import { hasMachine } from './machine';
import type { ActionContext } from './types';

/** There is a machine with a past to go back to, and nothing else under way. */
export function canGoBack(ctx: ActionContext): boolean {
  const { timeline, busy } = shareStore.getState();
  const now = ctx.machine.stats?.instructions ?? timeline?.now ?? 0;
  return hasMachine(ctx) && busy === null && timeline !== null && now > timeline.start;
}

export function back(unit: StepBackUnit): void {
  const port = snapshotPort();
  if (port) void stepBack(port, shareStore, unit);
}
