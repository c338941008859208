// A UI command as data: what it is called, what it does, its keys, when it can
// be used, and how it runs. The toolbar, the keyboard shortcuts and the help
// overlay all read the one registry (index.ts), so a command is defined once.
import type { WorkerClient } from '../client/workerClient';
import type { MachineState } from '../store/machineStore';
import type { UiState, UiStore } from '../store/uiStore';

/** What an action sees when it decides whether it can run, and when it runs. */
export interface ActionContext {
  machine: MachineState;
  ui: UiState;
  /** The worker client; null before the worker starts. */
  client: WorkerClient | null;
  uiStore: UiStore;
}

export interface Action {
  id: string;
  /** Short, for buttons. */
  label: string;
  /** One sentence, for tooltips and the help overlay. */
  description: string;
  /**
   * Keys, e.g. 'F8', 'Shift+F9', 'Alt+Shift+R', '?'. Function keys and keys with
   * Ctrl or Alt work everywhere, even in a terminal; plain keys only when focus
   * is not in a terminal or a text field.
   */
  keys: readonly string[];
  /** Where the toolbar shows it ('timeline': beside the timeline's scrubber; 'none': keys and help only). */
  toolbar: 'machine' | 'view' | 'timeline' | 'none';
  enabled(ctx: ActionContext): boolean;
  run(ctx: ActionContext): void;
}
