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

/** The context, re-rendering when the machine or the UI state changes. */
export function useActionContext(): ActionContext {
  const machine = useStore(machineStore);
  const ui = useStore(uiStore);
  return { machine, ui, client: workerClient(), uiStore };
}

/** Run an action if it is enabled now; returns whether it ran. */
export function perform(action: Action, ctx: ActionContext = actionContext()): boolean {
  if (!action.enabled(ctx)) return false;
  action.run(ctx);
  return true;
}
