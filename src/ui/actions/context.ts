// Building an ActionContext from the stores, once (for a key press) or live
// (for components that show whether actions are enabled).
import { useStore } from 'zustand';
import { machineStore } from '../store/machineStore';
import { uiStore } from '../store/uiStore';
import { workerClient } from '../client/useWorkerClient';
import type { Action, ActionContext } from './types';

export function actionContext(): ActionContext {
  return { machine: machineStore.getState(), ui: uiStore.getState(), client: workerClient(), uiStore };
}

/**
 * The context for components that show whether actions are enabled. It
 * re-renders only when what actions look at changes (the phase, the speed, the
 * UI state), not with every counter of every stats message.
 */
export function useActionContext(): ActionContext {
  useStore(machineStore, (s) => s.phase);
  useStore(machineStore, (s) => s.stats?.speed);
  const ui = useStore(uiStore);
  return { machine: machineStore.getState(), ui, client: workerClient(), uiStore };
}

/** Run an action if it is enabled now; returns whether it ran. */
export function perform(action: Action, ctx: ActionContext = actionContext()): boolean {
  if (!action.enabled(ctx)) return false;
  action.run(ctx);
  return true;
}
