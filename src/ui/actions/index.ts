// Every UI command, in toolbar order. Add an action: one file exporting an
// Action (types.ts), listed here; the toolbar, the shortcuts and the help
// overlay pick it up.
import type { Action } from './types';
import { runAction } from './run';
import { pauseAction } from './pause';
import { stepInstructionAction } from './stepInstruction';
import { stepHypercallAction } from './stepHypercall';
import { stepEventAction } from './stepEvent';
import { resetAction } from './reset';
import { fasterAction } from './faster';
import { slowerAction } from './slower';
import { newDomainAction } from './newDomain';
import { themeAction } from './theme';
import { helpAction } from './help';
import { shareAction } from './share';
import { downloadSnapshotAction } from './downloadSnapshot';
import { uploadSnapshotAction } from './uploadSnapshot';
import { stepBackInstructionAction } from './stepBackInstruction';
import { stepBackHypercallAction } from './stepBackHypercall';
import { stepBackEventAction } from './stepBackEvent';
import { showPanelActions } from './showPanel';

export type { Action, ActionContext } from './types';

export const ACTIONS: readonly Action[] = [
  runAction,
  pauseAction,
  stepInstructionAction,
  stepHypercallAction,
  stepEventAction,
  resetAction,
  shareAction,
  downloadSnapshotAction,
  uploadSnapshotAction,
  stepBackInstructionAction,
  stepBackHypercallAction,
  stepBackEventAction,
  slowerAction,
  fasterAction,
  newDomainAction,
  themeAction,
  helpAction,
  ...showPanelActions,
];

export function actionById(id: string): Action | undefined {
  return ACTIONS.find((a) => a.id === id);
}
