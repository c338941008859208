import { resetLayout } from '../layout/layoutController';

export function Toolbar() {
  return (
    <header className="toolbar">
      <span className="toolbar-name">pvplay</span>
      <span className="toolbar-tagline">paravirtualization playground</span>
      <span className="toolbar-spacer" />
      <button type="button" className="toolbar-button" onClick={resetLayout} title="Put every panel back where it started">
        Reset layout
      </button>
    </header>
  );
}
