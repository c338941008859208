// The speed settings offered: virtual time against the wall clock. 0 is flat out.
import { PROTOCOL_VERSION } from '../../protocol/messages';
import type { ActionContext } from './types';

export const SPEEDS: readonly number[] = [0.01, 0.1, 0.25, 0.5, 1, 2, 4, 0];

export function speedLabel(factor: number): string {
  if (factor === 0) return 'flat out';
  if (factor === 1) return 'real time';
  return `${factor}×`;
}

export function currentSpeed(ctx: ActionContext): number {
  return ctx.machine.stats?.speed ?? 1;
}

/** The setting `by` places along SPEEDS from the current one (clamped). */
export function nextSpeed(current: number, by: number): number {
  const at = SPEEDS.indexOf(current);
  const from = at >= 0 ? at : SPEEDS.indexOf(1);
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, from + by))]!;
}

export function setSpeed(ctx: ActionContext, factor: number): void {
  ctx.client?.command({ v: PROTOCOL_VERSION, type: 'speed', factor });
}
