// The toolbar: the registered actions (src/ui/actions) as buttons, with the step
// count and the speed beside them. Each button's tooltip names its keys.
import { ACTIONS, type Action, type ActionContext } from '../actions';
import { perform, useActionContext } from '../actions/context';
import { keyLabel } from '../actions/keys';
import { SPEEDS, currentSpeed, setSpeed, speedLabel } from '../actions/speeds';
import { resetLayout } from '../layout/layoutController';
import { uiStore } from '../store/uiStore';

function ActionButton({ action, ctx }: { action: Action; ctx: ActionContext }) {
  const keys = action.keys.map(keyLabel).join(', ');
  return (
    <button
      type="button"
      className="toolbar-button"
      disabled={!action.enabled(ctx)}
      title={`${action.description}${keys ? ` (${keys})` : ''}`}
      aria-keyshortcuts={action.keys.join(' ')}
      data-action={action.id}
      onClick={() => perform(action, ctx)}
    >
      {action.label}
    </button>
  );
}

export function Toolbar() {
  const ctx = useActionContext();
  const machine = ACTIONS.filter((a) => a.toolbar === 'machine');
  const view = ACTIONS.filter((a) => a.toolbar === 'view');
  const speed = currentSpeed(ctx);
  return (
    <header className="toolbar">
      <span className="toolbar-name">pvplay</span>
      <div className="toolbar-group" role="toolbar" aria-label="Machine">
        {machine.map((a) => (
          <ActionButton key={a.id} action={a} ctx={ctx} />
        ))}
        <label className="toolbar-field" title="Instructions one Step runs">
          ×
          <input
            type="number"
            min={1}
            max={1_000_000}
            value={ctx.ui.stepCount}
            aria-label="Step count"
            data-testid="step-count"
            onChange={(e) => uiStore.setState({ stepCount: Math.max(1, Math.min(1_000_000, Math.floor(Number(e.target.value)) || 1)) })}
          />
        </label>
        <label className="toolbar-field" title="Virtual time against the wall clock ([ slower, ] faster)">
          Speed
          <select
            value={speed}
            disabled={ctx.client === null}
            data-testid="speed"
            onChange={(e) => setSpeed(ctx, Number(e.target.value))}
          >
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {speedLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <span className="toolbar-spacer" />
      <div className="toolbar-group" role="toolbar" aria-label="View">
        {view.map((a) => (
          <ActionButton key={a.id} action={a} ctx={ctx} />
        ))}
        <button type="button" className="toolbar-button" onClick={resetLayout} title="Put every panel back where it started">
          Reset layout
        </button>
      </div>
    </header>
  );
}
