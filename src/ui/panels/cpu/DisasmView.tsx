// The disassembly pane: a few instructions before EIP (a guess, shown dimmer),
// the one at EIP, and those after it.
import type { DisasmLine } from './disasm';
import { hex32 } from '../../lib/hex';

interface Props {
  lines: DisasmLine[] | null;
  /** Why there is nothing to show, when there is nothing. */
  note: string | null;
  cutShort: boolean;
}

export function DisasmView({ lines, note, cutShort }: Props) {
  if (!lines || lines.length === 0) return <p className="disasm-note">{note ?? 'No code at EIP: its page is not mapped.'}</p>;
  return (
    <div className="disasm" role="table" aria-label="Disassembly around EIP">
      {lines.map((l) => (
        <div
          key={l.address}
          role="row"
          className={`disasm-line disasm-${l.at}${l.invalid ? ' disasm-invalid' : ''}`}
          data-at={l.at}
          aria-current={l.at === 'current' ? 'true' : undefined}
          title={l.at === 'before' ? 'decoded backwards from EIP: a best guess' : undefined}
        >
          <span role="cell" className="disasm-mark">{l.at === 'current' ? '▶' : ''}</span>
          <span role="cell" className="disasm-addr">{hex32(l.address)}</span>
          <span role="cell" className="disasm-bytes">{l.bytes}</span>
          <span role="cell" className="disasm-text">{l.text}</span>
        </div>
      ))}
      {cutShort && <p className="disasm-note">The next page is not mapped.</p>}
    </div>
  );
}
