import { useCallback } from 'react';
import { ACTIONS } from '../actions';
import { keyLabel } from '../actions/keys';
import { PANELS } from '../panels/registry';
import { uiStore, useUi } from '../store/uiStore';
import { Modal } from './Modal';

/** '?': what each panel is for, and every keyboard shortcut. */
export function HelpOverlay() {
  const open = useUi((s) => s.helpOpen);
  const close = useCallback(() => uiStore.setState({ helpOpen: false }), []);
  if (!open) return null;
  return (
    <Modal title="pvplay: the panels and the keys" onClose={close} testId="help-overlay">
      <p className="help-intro">
        An x86 machine and a Xen-compatible hypervisor run in this tab; the guests on it are real PV kernels. Every panel reads the
        machine live, so what you do in a console shows up in the others.
      </p>
      <div className="help-columns">
        <section>
          <h3>Panels</h3>
          <dl className="help-panels">
            {PANELS.map((p) => (
              <div key={p.id}>
                <dt>{p.title}</dt>
                <dd>{p.help}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section>
          <h3>Keys</h3>
          <table className="help-keys">
            <tbody>
              {ACTIONS.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.keys.map((k) => (
                      <kbd key={k}>{keyLabel(k)}</kbd>
                    ))}
                  </td>
                  <td>
                    <strong>{a.label}</strong> {a.description}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="help-note">
            Function keys work everywhere, even while typing in a terminal; the others only when the focus is outside terminals and
            fields. In a terminal, Ctrl+Shift+C copies and Ctrl+Shift+V pastes.
          </p>
        </section>
      </div>
    </Modal>
  );
}
